package fbsdsim

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Settings read by the kernel-facing tools (jail, jls, jexec, mount,
// mount_nullfs, umount, devfs, ifconfig, route, rctl, cpuset, setfib):
//
//	JCAGE_SIM_JAIL_DELAY   sleep this long (time.ParseDuration) inside each
//	                       jail -c, outside the state lock
//	JCAGE_SIM_JAIL_HOOKS   "record": log host-side exec.* commands in
//	                       hooks.jsonl without running them
//	JCAGE_SIM_JEXEC_STDOUT text every jexec prints (a newline is added)
//	JCAGE_SIM_JEXEC_EXIT   status every jexec returns
//	JCAGE_SIM_RACCT        "1" enables RACCT/RCTL (off, as on a stock kernel)
//	JCAGE_SIM_NCPU         CPUs of the host (default 4)
//	JCAGE_SIM_FIBS         net.fibs (default 1)
//	JCAGE_SIM_FIB          the current FIB; setfib sets it for its utility
//	JCAGE_SIM_UID          a non-zero uid makes route and jail -c fail with
//	                       EPERM
//	JCAGE_SIM_VIMAGE       "0": no VIMAGE kernel, the vnet parameter is unknown
//	JCAGE_SIM_HOSTNAME, JCAGE_SIM_HOST_RELEASE / JCAGE_SIM_OSRELEASE,
//	JCAGE_SIM_OSRELDATE    what a new jail's host.hostname, osrelease and
//	                       osreldate default to (shared with sysctl/uname)
//	JCAGE_SIM_FAIL...      failure injection, see failinject.go
//
// The kernel-side state of the simulated host lives in one JSON file per
// subsystem. Every tool loads all of them under the state lock, so that a
// step touching several (jail -r returns vnet interfaces and unmounts
// devfs) is atomic with respect to concurrent calls.
const (
	jailsFile  = "jails.json"
	netFile    = "net.json"
	mountsFile = "mounts.json"
	devfsFile  = "devfs.json"
	rctlFile   = "rctl.json"

	// HookLog records every exec.* command jail(8) ran on the host or, for
	// commands that would run inside the jail, only recorded.
	HookLog = "hooks.jsonl"
)

// simWorld is the simulated kernel state.
type simWorld struct {
	Jails  jailTable
	Net    netState
	Mounts mountTable
	Devfs  devfsState
	Rctl   rctlState
}

func (e *Env) loadWorld() (*simWorld, error) {
	w := &simWorld{}
	parts := []struct {
		file string
		v    any
		init func()
	}{
		{jailsFile, &w.Jails, func() { w.Jails = jailTable{} }},
		{netFile, &w.Net, func() { w.Net = defaultNet() }},
		{mountsFile, &w.Mounts, func() { w.Mounts = mountTable{} }},
		{devfsFile, &w.Devfs, func() { w.Devfs = defaultDevfs() }},
		{rctlFile, &w.Rctl, func() { w.Rctl = rctlState{} }},
	}
	for _, p := range parts {
		// A missing file means a fresh host; loading into a pre-filled
		// value instead would merge maps with the defaults.
		if _, err := os.Stat(filepath.Join(e.State, p.file)); os.IsNotExist(err) {
			p.init()
			continue
		}
		if err := e.Load(p.file, p.v); err != nil {
			return nil, fmt.Errorf("%s: %w", p.file, err)
		}
	}
	return w, nil
}

func (e *Env) saveWorld(w *simWorld) error {
	for _, p := range []struct {
		file string
		v    any
	}{
		{jailsFile, w.Jails}, {netFile, w.Net}, {mountsFile, w.Mounts},
		{devfsFile, w.Devfs}, {rctlFile, w.Rctl},
	} {
		if err := e.Save(p.file, p.v); err != nil {
			return err
		}
	}
	return nil
}

// editWorld runs fn under the state lock and writes the world back only
// when fn returns true, so a refused command leaves the state untouched.
func (e *Env) editWorld(fn func(w *simWorld) bool) error {
	return e.Locked(func() error {
		w, err := e.loadWorld()
		if err != nil {
			return err
		}
		if !fn(w) {
			return nil
		}
		return e.saveWorld(w)
	})
}

// viewWorld runs fn on a consistent snapshot of the world.
func (e *Env) viewWorld(fn func(w *simWorld)) error {
	return e.Locked(func() error {
		w, err := e.loadWorld()
		if err != nil {
			return err
		}
		fn(w)
		return nil
	})
}

// stateError reports a failure of the simulator itself (not of the
// simulated tool) with EX_SOFTWARE, so tests never mistake it for a
// refusal the real tool would make.
func (e *Env) stateError(err error) int {
	return e.Errorf(70, "simulator state: %v", err)
}

// jailTable holds the running jails. JIDs only ever increase, as the
// kernel hands them out, so a JID is never reused while its jail runs.
type jailTable struct {
	LastJID   int
	LastSetID int // cpuset ids: 0 is the root set, 1 the default set
	Jails     []*simJail
	// Sets holds CPU masks of numbered cpusets changed with `cpuset -s`.
	Sets map[int][]int `json:",omitempty"`
}

// simJail is one running jail.
type simJail struct {
	JID      int
	Name     string
	Params   map[string]string // every kernel parameter, as jls exports it
	CpusetID int
	CPUs     []int `json:",omitempty"` // affinity; empty means every CPU
	Created  string
}

func (t *jailTable) byName(name string) *simJail {
	for _, j := range t.Jails {
		if j.Name == name {
			return j
		}
	}
	return nil
}

func (t *jailTable) byJID(jid int) *simJail {
	for _, j := range t.Jails {
		if j.JID == jid {
			return j
		}
	}
	return nil
}

// lookup resolves a jail as libjail's jail_getid does: a number is a JID,
// anything else a name. The message is the kernel's not-found text.
func (t *jailTable) lookup(spec string) (*simJail, string) {
	if n, err := strconv.Atoi(spec); err == nil && spec != "" && spec[0] != '+' && spec[0] != '-' {
		if j := t.byJID(n); j != nil && n > 0 {
			return j, ""
		}
		return nil, fmt.Sprintf("jail %d not found", n)
	}
	if j := t.byName(spec); j != nil {
		return j, ""
	}
	return nil, fmt.Sprintf("jail %q not found", spec)
}

func (t *jailTable) remove(jid int) {
	out := t.Jails[:0]
	for _, j := range t.Jails {
		if j.JID != jid {
			out = append(out, j)
		}
	}
	t.Jails = out
}

func (t *jailTable) sorted() []*simJail {
	js := append([]*simJail(nil), t.Jails...)
	sort.Slice(js, func(a, b int) bool { return js[a].JID < js[b].JID })
	return js
}

// HookRun is one line of hooks.jsonl.
type HookRun struct {
	Time    string `json:"time"`
	Jail    string `json:"jail"`
	JID     int    `json:"jid,omitempty"`
	Hook    string `json:"hook"`
	Command string `json:"command"`
	// Ran is false for commands that would run inside the jail
	// (exec.start, exec.stop, command): the simulator only records them.
	Ran    bool `json:"ran"`
	Status int  `json:"status,omitempty"`
}

func (e *Env) logHook(h HookRun) {
	h.Time = time.Now().UTC().Format(time.RFC3339Nano)
	b, err := json.Marshal(h)
	if err != nil {
		return
	}
	f, err := os.OpenFile(filepath.Join(e.State, HookLog), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return
	}
	f.Write(append(b, '\n'))
	f.Close()
}

// ReadHookRuns returns every exec.* command logged in the state directory.
func ReadHookRuns(state string) ([]HookRun, error) {
	b, err := os.ReadFile(filepath.Join(state, HookLog))
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var runs []HookRun
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if line == "" {
			continue
		}
		var h HookRun
		if err := json.Unmarshal([]byte(line), &h); err != nil {
			return nil, fmt.Errorf("hook log line %q: %w", line, err)
		}
		runs = append(runs, h)
	}
	return runs, nil
}

// hostRelease is the simulated kernel's release, which a jail's
// osrelease defaults to; it is the same value sysctl and uname report.
func (e *Env) hostRelease() string { return ulHostRelease(e) }

// hostReldate is kern.osreldate (JCAGE_SIM_OSRELDATE overrides the value
// derived from the release).
func (e *Env) hostReldate() string {
	if r := e.Setting("OSRELDATE"); r != "" {
		return r
	}
	return strconv.Itoa(ulOSRelDate(e.hostRelease()))
}

// hostNCPU is hw.ncpu: JCAGE_SIM_NCPU, else 4 (fixed, so that output
// does not depend on the machine running the tests).
func (e *Env) hostNCPU() int {
	if n, err := strconv.Atoi(e.Setting("NCPU")); err == nil && n > 0 {
		return n
	}
	return 4
}

// hostFIBs is net.fibs: JCAGE_SIM_FIBS, else 1.
func (e *Env) hostFIBs() int {
	if n, err := strconv.Atoi(e.Setting("FIBS")); err == nil && n > 0 {
		return n
	}
	return 1
}

// simUnprivileged reports whether JCAGE_SIM_UID names a non-root user.
// Only an explicit setting counts, so that unit tests run by an ordinary
// user still see a root host.
func (e *Env) simUnprivileged() bool {
	n, err := strconv.Atoi(e.Setting("UID"))
	return err == nil && n != 0
}

// hostHostname is what a new jail's host.hostname is copied from: the
// host's kern.hostname (JCAGE_SIM_HOSTNAME, else the machine's name).
func (e *Env) hostHostname() string {
	if h := e.Setting("HOSTNAME"); h != "" {
		return h
	}
	if h, err := os.Hostname(); err == nil {
		return h
	}
	return "localhost"
}
