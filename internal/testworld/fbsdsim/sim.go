// Package fbsdsim simulates the FreeBSD userland tools jcage drives (jail,
// jls, jexec, mount, freebsd-update, ...) so that jcage's system tests can
// run on Linux. One binary serves every tool; it dispatches on the name it
// was invoked as. Each tool accepts exactly the argv the real tool accepts
// and fails loudly, in that tool's style, on anything else.
//
// State (running jails, devfs rulesets, epairs, mounts) lives in JSON files
// under the directory named by JCAGE_SIM_STATE. Every call appends one JSON
// line to JCAGE_SIM_STATE/calls.jsonl so tests can assert on order and count.
package fbsdsim

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"
)

// StateEnv names the environment variable holding the state directory.
const StateEnv = "JCAGE_SIM_STATE"

// CallLog is the name of the call log inside the state directory.
const CallLog = "calls.jsonl"

// loggedEnv lists the environment variables recorded with each call.
var loggedEnv = []string{"UNAME_r", "PAGER", "ASSUME_ALWAYS_YES", "IGNORE_OSVERSION", "PERMISSIVE", "SIGNATURE_TYPE", "IOCAGE_PLUGIN_IP"}

// Env is one invocation of a simulated tool.
type Env struct {
	Tool   string   // the tool's name, e.g. "jail"
	Args   []string // argv without the program name
	State  string   // state directory
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	// Scope is the network stack the call sees: 0 for the host, or the
	// JID of the VNET jail jexec runs it in (route, ifconfig).
	Scope int
}

// Tool implements one simulated program and returns its exit status.
type Tool func(e *Env) int

var tools = map[string]Tool{}

func register(name string, t Tool) {
	if _, dup := tools[name]; dup {
		panic("fbsdsim: tool registered twice: " + name)
	}
	tools[name] = t
}

// Tools returns the names of every simulated tool, sorted.
func Tools() []string {
	names := make([]string, 0, len(tools))
	for n := range tools {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Call is one line of the call log.
type Call struct {
	Time string            `json:"time"`
	Tool string            `json:"tool"`
	Argv []string          `json:"argv"`
	Env  map[string]string `json:"env,omitempty"`
	Dir  string            `json:"dir,omitempty"`
}

// Main runs tool with args using the process environment and standard
// streams. It is what cmd/fbsdsim calls.
func Main(tool string, args []string) int {
	return Run(&Env{
		Tool:   tool,
		Args:   args,
		State:  os.Getenv(StateEnv),
		Stdin:  os.Stdin,
		Stdout: os.Stdout,
		Stderr: os.Stderr,
		Getenv: os.Getenv,
	})
}

// Run logs the call and dispatches it to the named tool.
func Run(e *Env) int {
	t, ok := tools[e.Tool]
	if !ok {
		fmt.Fprintf(e.Stderr, "fbsdsim: unknown tool %q (known: %s)\n", e.Tool, strings.Join(Tools(), " "))
		return 127
	}
	if e.State == "" {
		fmt.Fprintf(e.Stderr, "%s: simulator state directory not set (%s)\n", e.Tool, StateEnv)
		return 70
	}
	if e.Getenv == nil {
		e.Getenv = func(string) string { return "" }
	}
	if err := os.MkdirAll(e.State, 0o755); err != nil {
		fmt.Fprintf(e.Stderr, "%s: simulator state: %v\n", e.Tool, err)
		return 70
	}
	if err := e.logCall(); err != nil {
		fmt.Fprintf(e.Stderr, "%s: simulator call log: %v\n", e.Tool, err)
		return 70
	}
	e.injectedKill()
	if code, failed := e.injectedFailure(); failed {
		return code
	}
	return t(e)
}

func (e *Env) logCall() error {
	c := Call{Time: time.Now().UTC().Format(time.RFC3339Nano), Tool: e.Tool, Argv: append([]string{e.Tool}, e.Args...)}
	for _, k := range loggedEnv {
		if v := e.Getenv(k); v != "" {
			if c.Env == nil {
				c.Env = map[string]string{}
			}
			c.Env[k] = v
		}
	}
	if wd, err := os.Getwd(); err == nil {
		c.Dir = wd
	}
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(e.State, CallLog), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	// One write per line keeps concurrent appends whole (O_APPEND).
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// ReadCalls returns every call logged in the state directory.
func ReadCalls(state string) ([]Call, error) {
	b, err := os.ReadFile(filepath.Join(state, CallLog))
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var calls []Call
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if line == "" {
			continue
		}
		var c Call
		if err := json.Unmarshal([]byte(line), &c); err != nil {
			return nil, fmt.Errorf("call log line %q: %w", line, err)
		}
		calls = append(calls, c)
	}
	return calls, nil
}

// Errorf prints "tool: message" on stderr, err(3)/warnx(3) style, and
// returns code so that tools can write `return e.Errorf(1, ...)`.
func (e *Env) Errorf(code int, format string, a ...any) int {
	fmt.Fprintf(e.Stderr, "%s: %s\n", e.Tool, fmt.Sprintf(format, a...))
	return code
}

// Usage prints a usage text (each line as given) on stderr and returns code.
func (e *Env) Usage(code int, lines ...string) int {
	for _, l := range lines {
		fmt.Fprintln(e.Stderr, l)
	}
	return code
}

// Locked runs fn while holding an exclusive lock on the state directory,
// so that concurrent simulated calls (parallel jail starts) never lose an
// update of the state files.
func (e *Env) Locked(fn func() error) error {
	f, err := os.OpenFile(filepath.Join(e.State, ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return err
	}
	defer syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return fn()
}

// Load reads the JSON state file name into v; a missing file leaves v as is.
func (e *Env) Load(name string, v any) error {
	b, err := os.ReadFile(filepath.Join(e.State, name))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// Save writes v as the JSON state file name, atomically.
func (e *Env) Save(name string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return e.saveBytes(name, b)
}

func (e *Env) saveBytes(name string, b []byte) error {
	p := filepath.Join(e.State, name)
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, p)
}

// Setting returns a simulator setting: the environment variable
// JCAGE_SIM_<KEY> (for example JCAGE_SIM_JAIL_DELAY=100ms).
func (e *Env) Setting(key string) string {
	return e.Getenv("JCAGE_SIM_" + key)
}
