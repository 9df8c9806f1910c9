// Package host is the one seam through which jcage runs external programs
// (jail, jexec, freebsd-update, ...). Names are resolved through PATH, so
// tests can put a simulator first; argv is always built by pure functions
// elsewhere and handed over here as data.
package host

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/jcage/jcage/internal/argv"
)

// DefaultPath is the PATH every program jcage runs is found in and runs
// with, whatever the caller's PATH: FreeBSD's standard root PATH. cron
// gives PATH=/usr/bin:/bin, where neither jail(8) nor zfs(8) is found.
const DefaultPath = "/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin"

// testPathEnv is empty in every release build. The test world's build
// sets it at link time (-X, see the Makefile's testbin and
// internal/testworld/testbin) to TestPathEnv, so that the test world can
// put its simulators first; a production binary never reads a variable
// for its PATH.
var testPathEnv string

// TestPathEnv is the variable a test-world build of jcage takes its PATH
// from; see testPathEnv.
const TestPathEnv = "JCAGE_" + "TESTWORLD_PATH" // read by test-world builds only: not in jcage(8)

// SystemPath is the PATH jcage resolves and runs programs with:
// DefaultPath, or in a test-world build the test world's PATH.
func SystemPath() string {
	if testPathEnv != "" {
		if p := os.Getenv(testPathEnv); p != "" {
			return p
		}
	}
	return DefaultPath
}

// Cmd describes one program invocation. It is argv's value type: the
// builders there make it, this package runs it.
type Cmd = argv.Cmd

// Runner runs external programs.
type Runner interface {
	// Run runs c and returns its captured stdout (nil when c.Stdout is set).
	// A non-zero exit, or a failure to start, is a *RunError.
	Run(ctx context.Context, c Cmd) ([]byte, error)
}

// RunError keeps the evidence of a failed command.
type RunError struct {
	Argv     []string
	Stderr   string
	ExitCode int // -1 when the program did not run or was killed
	Err      error
}

func (e *RunError) Error() string {
	msg := strings.TrimSpace(e.Stderr)
	if i := strings.LastIndexByte(msg, '\n'); i >= 0 {
		// The last line of stderr is nearly always the one that explains.
		msg = strings.TrimSpace(msg[i+1:])
	}
	if msg == "" {
		msg = e.Err.Error()
	}
	return fmt.Sprintf("%s: %s", strings.Join(e.Argv, " "), msg)
}

func (e *RunError) Unwrap() error { return e.Err }

// ErrNotFound is what a RunError unwraps to when its program is not in
// the runner's PATH: the host lacks the tool.
var ErrNotFound = exec.ErrNotFound

// ExitCodeOf returns the exit status carried by err, or -1.
func ExitCodeOf(err error) int {
	var re *RunError
	if errors.As(err, &re) {
		return re.ExitCode
	}
	return -1
}

// Exec is the real Runner.
type Exec struct {
	// Path overrides the PATH used for lookups and given to children;
	// empty means SystemPath. The caller's PATH is never used.
	Path string
}

var _ Runner = Exec{}

// SearchPath returns the PATH the runner resolves names through.
func (x Exec) SearchPath() string {
	if x.Path != "" {
		return x.Path
	}
	return SystemPath()
}

// LookPath resolves name through the runner's PATH.
func (x Exec) LookPath(name string) (string, error) {
	if strings.Contains(name, "/") {
		return name, nil
	}
	for _, dir := range filepath.SplitList(x.SearchPath()) {
		if dir == "" {
			continue
		}
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s: %w", name, ErrNotFound)
}

// Run implements Runner.
func (x Exec) Run(ctx context.Context, c Cmd) ([]byte, error) {
	path, err := x.LookPath(c.Name)
	if err != nil {
		return nil, &RunError{Argv: c.Argv(), ExitCode: -1, Err: err}
	}
	cmd := exec.CommandContext(ctx, path, c.Args...)
	cmd.Args[0] = c.Name
	cmd.Dir = c.Dir
	cmd.Stdin = c.Stdin
	env := os.Environ()
	if c.Clean {
		env = testWorldEnv(env)
	}
	env = append(env, "PATH="+x.SearchPath()) // the last PATH wins
	cmd.Env = append(env, c.Env...)
	var stdout, stderr bytes.Buffer
	if c.Stdout != nil {
		cmd.Stdout = c.Stdout
	} else {
		cmd.Stdout = &stdout
	}
	if c.Stderr != nil {
		cmd.Stderr = io.MultiWriter(c.Stderr, &stderr)
	} else {
		cmd.Stderr = &stderr
	}
	if err := cmd.Run(); err != nil {
		code := -1
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		}
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return stdout.Bytes(), &RunError{Argv: c.Argv(), Stderr: stderr.String(), ExitCode: code, Err: err}
	}
	if c.Stdout != nil {
		return nil, nil
	}
	return stdout.Bytes(), nil
}

// TestWorldPrefix starts the variables that configure the test world's
// FreeBSD simulator (its state directory, injected faults). They are the
// only ones a clean environment keeps; no FreeBSD host sets them.
const TestWorldPrefix = "JCAGE_" + "SIM_" // no variable of jcage's own: not in jcage(8)

func testWorldEnv(env []string) []string {
	var keep []string
	for _, kv := range env {
		if strings.HasPrefix(kv, TestWorldPrefix) {
			keep = append(keep, kv)
		}
	}
	return keep
}
