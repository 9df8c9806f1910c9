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

// simWorld is the simulated kernel state. Each part is read from its file
// on first use and written back only when it was read and has changed, so
// that a call touching one subsystem (jexec looks up one jail) does not pay
// for the others, and a read-only call writes nothing.
type simWorld struct {
	e         *Env
	parts     [numParts]worldPart
	jailRecs  recStore[*simJail]
	devfsRecs recStore[[]devfsRule]
}

func newWorld(e *Env) *simWorld {
	w := &simWorld{e: e}
	w.jailRecs = recStore[*simJail]{w: w, prefix: "jail"}
	w.devfsRecs = recStore[[]devfsRule]{w: w, prefix: "devfs"}
	return w
}

type partID int

const (
	partJails partID = iota
	partNet
	partMounts
	partDevfs
	partRctl
	numParts
)

// worldPart is one subsystem's state: its value once loaded, and the
// bytes it was loaded from (nil for a fresh host) to detect changes.
type worldPart struct {
	v      any
	loaded []byte
	fresh  bool
}

var partFiles = [numParts]string{jailsFile, netFile, mountsFile, devfsFile, rctlFile}

// zeroPart is an empty value of part id, to decode into.
func zeroPart(id partID) any {
	switch id {
	case partJails:
		return &jailTable{}
	case partNet:
		return &netState{}
	case partMounts:
		return &mountTable{}
	case partDevfs:
		return &devfsState{}
	default:
		return &rctlState{}
	}
}

// freshPart is part id on a host that has no state yet.
func freshPart(id partID) any {
	switch id {
	case partNet:
		n := defaultNet()
		return &n
	case partDevfs:
		d := defaultDevfs()
		return &d
	}
	return zeroPart(id)
}

func (w *simWorld) part(id partID) any {
	p := &w.parts[id]
	if p.v != nil {
		return p.v
	}
	b, err := os.ReadFile(filepath.Join(w.e.State, partFiles[id]))
	switch {
	case os.IsNotExist(err):
		p.v, p.fresh = freshPart(id), true
	case err != nil:
		panic(worldError{fmt.Errorf("%s: %w", partFiles[id], err)})
	default:
		// Into a zero value: decoding into the defaults would merge
		// maps with them.
		v := zeroPart(id)
		if err := json.Unmarshal(b, v); err != nil {
			panic(worldError{fmt.Errorf("%s: %w", partFiles[id], err)})
		}
		p.v, p.loaded = v, b
	}
	// The parts whose records live in files of their own reach them
	// through the world.
	switch v := p.v.(type) {
	case *jailTable:
		v.w = w
	case *devfsState:
		v.w = w
		v.seed()
	}
	return p.v
}

// worldError carries a state file failure out of a tool's callback; the
// callers of part() recover it into an error.
type worldError struct{ err error }

func (w *simWorld) jails() *jailTable   { return w.part(partJails).(*jailTable) }
func (w *simWorld) net() *netState      { return w.part(partNet).(*netState) }
func (w *simWorld) mounts() *mountTable { return w.part(partMounts).(*mountTable) }
func (w *simWorld) devfs() *devfsState  { return w.part(partDevfs).(*devfsState) }
func (w *simWorld) rctl() *rctlState    { return w.part(partRctl).(*rctlState) }

// loadWorld returns the world with every part read, for tests.
func (e *Env) loadWorld() (w *simWorld, err error) {
	w = newWorld(e)
	err = catchWorld(func() {
		for id := partID(0); id < numParts; id++ {
			w.part(id)
		}
	})
	return w, err
}

func catchWorld(fn func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			we, ok := r.(worldError)
			if !ok {
				panic(r)
			}
			err = we.err
		}
	}()
	fn()
	return nil
}

// saveWorld writes back every part that was read and has changed.
func (e *Env) saveWorld(w *simWorld) error {
	if err := w.jailRecs.save(); err != nil {
		return err
	}
	if err := w.devfsRecs.save(); err != nil {
		return err
	}
	for id := partID(0); id < numParts; id++ {
		p := &w.parts[id]
		if p.v == nil {
			continue
		}
		b, err := json.Marshal(p.v)
		if err != nil {
			return err
		}
		if !p.fresh && string(b) == string(p.loaded) {
			continue
		}
		if err := e.saveBytes(partFiles[id], b); err != nil {
			return err
		}
		p.loaded, p.fresh = b, false
	}
	return nil
}

// editWorld runs fn under the state lock and writes the world back only
// when fn returns true, so a refused command leaves the state untouched.
func (e *Env) editWorld(fn func(w *simWorld) bool) error {
	return e.Locked(func() error {
		w := newWorld(e)
		var keep bool
		if err := catchWorld(func() { keep = fn(w) }); err != nil || !keep {
			return err
		}
		return e.saveWorld(w)
	})
}

// viewWorld runs fn on a consistent snapshot of the world.
func (e *Env) viewWorld(fn func(w *simWorld)) error {
	return e.Locked(func() error {
		w := newWorld(e)
		return catchWorld(func() { fn(w) })
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
	// Names indexes the running jails, name to JID; each jail's record
	// is its own file (jail.JID.json), read only when asked for.
	Names map[string]int `json:",omitempty"`
	// Sets holds CPU masks of numbered cpusets changed with `cpuset -s`.
	Sets map[int][]int `json:",omitempty"`

	w *simWorld
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

// byName returns the running jail called name, or nil.
func (t *jailTable) byName(name string) *simJail {
	jid, ok := t.Names[name]
	if !ok {
		return nil
	}
	return t.byJID(jid)
}

// byJID returns the running jail jid, or nil.
func (t *jailTable) byJID(jid int) *simJail {
	if jid <= 0 {
		return nil
	}
	j, ok := t.w.jailRecs.get(jid)
	if !ok {
		return nil
	}
	return j
}

// add puts a new jail into the table.
func (t *jailTable) add(j *simJail) {
	if t.Names == nil {
		t.Names = map[string]int{}
	}
	t.Names[j.Name] = j.JID
	t.w.jailRecs.put(j.JID, j)
}

// rename changes a running jail's name.
func (t *jailTable) rename(j *simJail, name string) {
	delete(t.Names, j.Name)
	j.Name = name
	t.Names[name] = j.JID
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
	for n, id := range t.Names {
		if id == jid {
			delete(t.Names, n)
		}
	}
	t.w.jailRecs.del(jid)
}

// childJIDs returns the JIDs of name's descendants (NAME.x, NAME.x.y), in
// JID order, from the index alone.
func (t *jailTable) childJIDs(name string) []int {
	var out []int
	for n, jid := range t.Names {
		if strings.HasPrefix(n, name+".") {
			out = append(out, jid)
		}
	}
	sort.Ints(out)
	return out
}

// sorted returns every running jail in JID order.
func (t *jailTable) sorted() []*simJail {
	jids := make([]int, 0, len(t.Names))
	for _, jid := range t.Names {
		jids = append(jids, jid)
	}
	sort.Ints(jids)
	js := make([]*simJail, 0, len(jids))
	for _, jid := range jids {
		if j := t.byJID(jid); j != nil {
			js = append(js, j)
		}
	}
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
