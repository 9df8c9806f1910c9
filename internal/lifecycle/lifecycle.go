package lifecycle

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jcage/jcage/internal/argv"
	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/jail"
	"github.com/jcage/jcage/internal/plan"
)

// Start, stop and restart.
//
// A start follows iocage's ioc_start step for step: the pre-start checks,
// the host preparation (rc.conf for DHCP, procfs, jail_zfs datasets, NAT,
// aliases, the devfs ruleset), /var/run/jail.ioc-NAME_.conf, exec_prestart,
// `jail -f FILE -c`, then networking, jail_zfs, resolv.conf, host_time,
// NAT rules, exec_start, exec_poststart, the DHCP check, RCTL, cpuset and
// last_started. Unlike iocage, a failure at any step after the jail exists
// stops it by force, and one before undoes the host preparation, so no
// half-started jail is left behind; the command reports one error. The
// steps are internal/plan's (plan.Start, plan.Stop); apply.go runs them
// against the host and keeps the undo stack.
//
// Several jails are started in the order iocage uses (priority ascending,
// then name; a jail's depends first) but jails of equal priority start in
// parallel, by a pool of Workers. Each jail's output is buffered and
// printed whole, in plan order, so the output does not depend on timing.

// DefaultWorkers is how many jails of one priority start at once unless
// the caller says otherwise. Starting a jail mostly waits for its rc
// scripts and the network, so this is not tied to the number of CPUs;
// 32 keeps even a small host busy through a boot of hundreds of jails
// while bounding how many rc runs overlap.
const DefaultWorkers = 32

// RunDirEnv overrides /var/run, where the jail.conf files live (and /tmp,
// where iocage keeps its NAT rule files), for tests.
const RunDirEnv = "JCAGE_RUN_DIR"

// Paths are the host files the life cycle reads and writes outside the
// iocage tree.
type Paths = plan.Paths

// DefaultPaths are the host's paths, with RunDir and NATDir moved under
// $JCAGE_RUN_DIR when it is set.
func DefaultPaths() Paths {
	p := Paths{RunDir: "/var/run", NATDir: "/tmp", Resolv: "/etc/resolv.conf", Localtime: "/etc/localtime", HostID: "/etc/hostid"}
	if d := os.Getenv(RunDirEnv); d != "" {
		p.RunDir, p.NATDir = d, d
	}
	return p
}

// pathsOrDefault fills the paths p leaves empty with DefaultPaths'.
func pathsOrDefault(p Paths) Paths {
	d := DefaultPaths()
	for _, f := range []struct {
		v *string
		d string
	}{
		{&p.RunDir, d.RunDir}, {&p.NATDir, d.NATDir}, {&p.Resolv, d.Resolv}, {&p.Localtime, d.Localtime}, {&p.HostID, d.HostID},
	} {
		if *f.v == "" {
			*f.v = f.d
		}
	}
	return p
}

// StartOptions tune Start.
type StartOptions struct {
	// RC starts every jail with boot=1 (names must be empty), as the rc.d
	// script does at boot: a jail already running is a warning, not an
	// error.
	RC bool
	// Workers is how many jails of equal priority start at once; 0 means
	// DefaultWorkers and 1 starts them one by one, as iocage does.
	Workers int
	// Debug runs jail(8) with -v.
	Debug bool
	// Err receives warnings and, when several jails are started, each
	// failure as it happens; nil discards them.
	Err   io.Writer
	Paths Paths
	// Now stamps last_started; nil means time.Now.
	Now func() time.Time
}

// StopOptions tune Stop.
type StopOptions struct {
	RC      bool // every jail with boot=1, priority descending
	Force   bool // skip exec_prestop, exec_stop and jail_zfs; strip exec.* from the jail.conf
	Workers int
	Debug   bool
	Err     io.Writer
	Paths   Paths
}

// RestartOptions tune Restart.
type RestartOptions struct {
	// Soft reruns exec_stop and exec_start inside the running jail,
	// keeping its network, as `restart -s` does.
	Soft    bool
	Workers int
	Debug   bool
	Err     io.Writer
	Paths   Paths
	Now     func() time.Time
}

// Sentinels for callers that branch on a jail's state.
var (
	ErrRunning    = errors.New("jail is running")
	ErrNotRunning = errors.New("jail is not running")
)

// stateError carries iocage's message and a sentinel.
type stateError struct {
	msg string
	err error
}

func (e *stateError) Error() string { return e.msg }
func (e *stateError) Unwrap() error { return e.err }

func runningError(name string) error {
	return &stateError{plan.Underscored(name) + " is already running!", ErrRunning}
}

func notRunningError(name string) error {
	return &stateError{plan.Underscored(name) + " is not running!", ErrNotRunning}
}

// run is what one command shares between the jails it handles: host facts
// read once, the devfs ruleset numbers, NAT allocation.
type run struct {
	h     *Host
	inv   *inventory.Inventory
	paths Paths
	debug bool
	now   func() time.Time

	factsOnce sync.Once
	release   string // the host's, `uname -r`
	factsErr  error

	netOnce sync.Once
	net     *plan.Net
	netErr  error

	fibMu   sync.Mutex
	fibNets map[string]*plan.Net // default routes of FIBs other than 0

	devfs devfsSets

	rctlOnce sync.Once
	rctl     string
	rctlOK   bool

	rulesetOnce sync.Once
	rulesets    map[string]int

	natMu    sync.Mutex
	natPorts map[int]string // host port → jail that claimed it in this command
	natUsed  map[string]bool
}

func (h *Host) newRun(inv *inventory.Inventory, paths Paths, debug bool, now func() time.Time) *run {
	if now == nil {
		now = time.Now
	}
	return &run{h: h, inv: inv, paths: pathsOrDefault(paths), debug: debug, now: now}
}

// hostFacts asks the host its release once per command.
func (r *run) hostFacts(ctx context.Context) (string, error) {
	r.factsOnce.Do(func() {
		out, err := r.h.Run.Run(ctx, argv.UnameRelease())
		if err != nil {
			r.factsErr = err
			return
		}
		r.release = strings.TrimSpace(string(out))
	})
	return r.release, r.factsErr
}

// hostNet reads the host's interfaces and default routes once per
// command; only jails that need them (aliases without an interface, vnet,
// NAT, assign_localhost) ask.
func (r *run) hostNet(ctx context.Context) (*plan.Net, error) {
	r.netOnce.Do(func() {
		ifaces, route4, route6 := plan.NetCmds()
		out, err := r.h.Run.Run(ctx, ifaces)
		if err != nil {
			r.netErr = err
			return
		}
		n := &plan.Net{Ifaces: plan.ParseIfconfig(string(out))}
		// No default route is not an error: the gateway stays unknown.
		if out, err := r.h.Run.Run(ctx, route4); err == nil {
			n.GW4, n.If4 = plan.ParseRouteGet(string(out))
		}
		if out, err := r.h.Run.Run(ctx, route6); err == nil {
			n.GW6, n.If6 = plan.ParseRouteGet(string(out))
		}
		r.net = n
	})
	return r.net, r.netErr
}

// rctlRules lists the host's rctl rules once per command (a stop removes
// a jail's rules only when it has some); ok is false without RACCT.
func (r *run) rctlRules(ctx context.Context) (string, bool) {
	r.rctlOnce.Do(func() {
		out, err := r.h.Run.Run(ctx, argv.RctlList())
		r.rctl, r.rctlOK = string(out), err == nil
	})
	return r.rctl, r.rctlOK
}

// liveRuleset is the devfs ruleset a running jail uses, which may differ
// from its devfs_ruleset property (iocage generates one per start). The
// rulesets of every jail are read once per command.
func (r *run) liveRuleset(ctx context.Context, j *inventory.Jail) (int, bool) {
	r.rulesetOnce.Do(func() {
		r.rulesets = map[string]int{}
		out, err := r.h.Run.Run(ctx, argv.JlsRulesets())
		if err != nil {
			return
		}
		for _, line := range strings.Split(string(out), "\n") {
			f := strings.Fields(line)
			if len(f) != 2 {
				continue
			}
			if n, err := strconv.Atoi(f[1]); err == nil {
				r.rulesets[f[0]] = n
			}
		}
	})
	if n, ok := r.rulesets[inventory.JailName(j.Name)]; ok {
		return n, true
	}
	out, err := r.h.LiveRuleset(ctx, j)
	if err != nil {
		return 0, false
	}
	n, err := strconv.Atoi(out)
	return n, err == nil
}

// jobResult is one jail's outcome, with its buffered output.
type jobResult struct {
	out, errOut bytes.Buffer
	err         error
	skipped     bool // nothing to do (already in the wanted state)
	done        chan struct{}
}

// runPlan runs every item of the plan, batch after batch, each batch by
// up to workers goroutines taking items in plan order. An item waits for
// the items it depends on and fails without running when one of them
// failed ("NAME: not PAST: OTHER failed", past being "started" or
// "stopped"). Results are flushed in plan order as soon as they and all
// before them are done.
func runPlan(ctx context.Context, items []*inventory.PlanItem, workers int, past string, do func(ctx context.Context, it *inventory.PlanItem, res *jobResult), flush func(it *inventory.PlanItem, res *jobResult)) []*jobResult {
	if workers <= 0 {
		workers = DefaultWorkers
	}
	results := make([]*jobResult, len(items))
	for i := range results {
		results[i] = &jobResult{done: make(chan struct{})}
	}
	flushed := make(chan struct{})
	go func() {
		defer close(flushed)
		for i, it := range items {
			<-results[i].done
			flush(it, results[i])
		}
	}()
	for start := 0; start < len(items); {
		end := start
		for end < len(items) && items[end].Batch == items[start].Batch {
			end++
		}
		queue := make(chan int)
		var wg sync.WaitGroup
		n := workers
		if n > end-start {
			n = end - start
		}
		for w := 0; w < n; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range queue {
					res := results[i]
					var failed []string
					for _, d := range items[i].WaitFor {
						<-results[d].done
						if results[d].err != nil {
							failed = append(failed, items[d].J.Name)
						}
					}
					switch {
					case len(failed) > 0:
						res.err = fmt.Errorf("%s: not %s: %s failed", items[i].J.Name, past, strings.Join(failed, ", "))
					case ctx.Err() != nil:
						res.err = ctx.Err()
					default:
						do(ctx, items[i], res)
					}
					close(res.done)
				}
			}()
		}
		for i := start; i < end; i++ {
			queue <- i
		}
		close(queue)
		wg.Wait()
		start = end
	}
	<-flushed
	return results
}

// StartJails starts jails: names (exact or unique prefix), "ALL", or with
// opts.RC every jail with boot=1. inv must be loaded with State so that
// running jails are known. Output goes to h.Out, jail by jail in plan
// order; warnings and per-jail failures of a multi-jail start to opts.Err.
// A single jail's failure is returned as it is; several failures come back
// as one error naming every failed jail. Every failed jail is stopped and
// its host preparation undone.
func (h *Host) StartJails(ctx context.Context, inv *inventory.Inventory, names []string, opts StartOptions) error {
	targets, bulk, err := inv.ResolveTargets(names, opts.RC)
	if err != nil {
		return err
	}
	items, err := inv.StartPlan(targets)
	if err != nil {
		return err
	}
	r := h.newRun(inv, opts.Paths, opts.Debug, opts.Now)
	errw := opts.Err
	if errw == nil {
		errw = io.Discard
	}
	single := len(items) == 1
	results := runPlan(ctx, items, opts.Workers, "started", func(ctx context.Context, it *inventory.PlanItem, res *jobResult) {
		jh := h.copy()
		jh.Out = &res.out
		if it.J.Running() {
			res.skipped = true
			if it.Selected && !bulk {
				res.err = runningError(it.J.Name)
			} else if it.Selected {
				fmt.Fprintf(&res.errOut, "%s is already running!\n", plan.Underscored(it.J.Name))
			}
			return
		}
		if opts.RC {
			fmt.Fprintf(&res.out, "  Starting %s\n", plan.Underscored(it.J.Name))
		}
		res.err = jh.startOne(ctx, r, it.J, &res.errOut)
	}, func(it *inventory.PlanItem, res *jobResult) {
		h.copyOut(res.out.Bytes())
		errw.Write(res.errOut.Bytes())
		if res.err != nil && !single {
			fmt.Fprintln(errw, jail.ErrorText(res.err))
		}
	})
	return collect(results, items, single, "start")
}

// StopJails stops jails: names, "ALL" or, with opts.RC, every jail with
// boot=1, priority descending. A jail that is not running is reported
// on opts.Err, as iocage does, and is not a failure.
func (h *Host) StopJails(ctx context.Context, inv *inventory.Inventory, names []string, opts StopOptions) error {
	targets, _, err := inv.ResolveTargets(names, opts.RC)
	if err != nil {
		return err
	}
	items, depErr := inv.StopPlan(targets)
	r := h.newRun(inv, opts.Paths, opts.Debug, nil)
	errw := opts.Err
	if errw == nil {
		errw = io.Discard
	}
	if depErr != nil {
		fmt.Fprintln(errw, jail.ErrorText(depErr))
	}
	single := len(items) == 1
	results := runPlan(ctx, items, opts.Workers, "stopped", func(ctx context.Context, it *inventory.PlanItem, res *jobResult) {
		jh := h.copy()
		jh.Out = &res.out
		if !it.J.Running() {
			res.skipped = true
			fmt.Fprintf(&res.errOut, "%s is not running!\n", plan.Underscored(it.J.Name))
			return
		}
		if opts.RC {
			fmt.Fprintf(&res.out, "  Stopping %s\n", plan.Underscored(it.J.Name))
		}
		res.err = jh.stopOne(ctx, r, it.J, opts.Force, false, &res.errOut)
	}, func(it *inventory.PlanItem, res *jobResult) {
		h.copyOut(res.out.Bytes())
		errw.Write(res.errOut.Bytes())
		if res.err != nil && !single {
			fmt.Fprintln(errw, jail.ErrorText(res.err))
		}
	})
	return collect(results, items, single, "stop")
}

// RestartJails stops then starts jails (ALL: every stop, priority descending,
// then every start). With opts.Soft the jails keep running: exec_stop, a
// kill of every process, exec_start.
func (h *Host) RestartJails(ctx context.Context, inv *inventory.Inventory, names []string, opts RestartOptions) error {
	if opts.Soft {
		targets, _, err := inv.ResolveTargets(names, false)
		if err != nil {
			return err
		}
		r := h.newRun(inv, opts.Paths, opts.Debug, opts.Now)
		var errs []error
		for _, j := range targets {
			if err := h.softRestart(ctx, r, j); err != nil {
				errs = append(errs, err)
			}
		}
		return errors.Join(errs...)
	}
	if err := h.StopJails(ctx, inv, names, StopOptions{Workers: opts.Workers, Debug: opts.Debug, Err: opts.Err, Paths: opts.Paths}); err != nil {
		return err
	}
	// What was stopped is down now; start from that state.
	for _, j := range inv.Jails {
		if contains(names, "ALL") || inv.Named(names, j) {
			j.JID, j.JLS = 0, nil
		}
	}
	return h.StartJails(ctx, inv, names, StartOptions{Workers: opts.Workers, Debug: opts.Debug, Err: opts.Err, Paths: opts.Paths, Now: opts.Now})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (h *Host) copyOut(b []byte) {
	if h.Out != nil && len(b) > 0 {
		h.Out.Write(b)
	}
}

// collect turns per-jail results into the command's error.
func collect(results []*jobResult, items []*inventory.PlanItem, single bool, verb string) error {
	var failed []string
	var first error
	for i, res := range results {
		if res.err == nil {
			continue
		}
		if first == nil {
			first = res.err
		}
		failed = append(failed, items[i].J.Name)
	}
	switch {
	case first == nil:
		return nil
	case single:
		return first
	}
	return &jail.MultiError{Verb: verb, Names: failed, First: first}
}

// StartFunc returns a function that loads the inventory and starts the
// named jails with opts: what Host.Start is set to for create's boot=on
// and -p.
func (h *Host) StartFunc(opts StartOptions) func(ctx context.Context, names []string) error {
	return func(ctx context.Context, names []string) error {
		inv, err := h.Load(ctx, inventory.Options{State: true})
		if err != nil {
			return err
		}
		return h.StartJails(ctx, inv, names, opts)
	}
}

// StopFunc is StartFunc for stopping: what Host.Stop is set to for
// destroy -f and rename.
func (h *Host) StopFunc(opts StopOptions) func(ctx context.Context, names []string) error {
	return func(ctx context.Context, names []string) error {
		inv, err := h.Load(ctx, inventory.Options{State: true})
		if err != nil {
			return err
		}
		return h.StopJails(ctx, inv, names, opts)
	}
}
