package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/jcage/jcage/internal/argv"
	"github.com/jcage/jcage/internal/atomicfile"
	"github.com/jcage/jcage/internal/config"
	"github.com/jcage/jcage/internal/confine"
	"github.com/jcage/jcage/internal/host"
	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/jail"
	"github.com/jcage/jcage/internal/plan"
	"github.com/jcage/jcage/internal/revert"
	"github.com/jcage/jcage/internal/txn"
	"github.com/jcage/jcage/internal/zfs"
)

// jailRun is one jail's start or stop.
type jailRun struct {
	r     *run
	h     *Host
	j     *inventory.Jail
	props *config.Config // effective; the start stores what it computes here too
	out   io.Writer
	warn  io.Writer
	jid   int
	// degraded lists what failed after which the jail keeps running.
	degraded []string
}

// degrade records a failure the jail keeps running through.
func (jr *jailRun) degrade(format string, a ...any) {
	jr.degraded = append(jr.degraded, fmt.Sprintf(format, a...))
}

func (jr *jailRun) get(key string) string {
	v, _ := jr.props.Get(key)
	return v
}

func (jr *jailRun) say(format string, a ...any) { fmt.Fprintf(jr.out, format+"\n", a...) }

func (jr *jailRun) warnf(format string, a ...any) { fmt.Fprintf(jr.warn, format+"\n", a...) }

func (jr *jailRun) root() string { return jr.j.RootPath() }

func (jr *jailRun) uuid() string { return plan.Underscored(jr.j.Name) }

// store records a value the start computed (a NAT address, a MAC pair,
// last_started) in the jail's config, as iocage does.
func (jr *jailRun) store(key, value string) error {
	jr.props.Set(key, value)
	return txn.UpdateConfig(jr.j.ConfigPath(), nil, func(c *config.Config) error {
		c.Set(key, value)
		return nil
	})
}

// runCmd runs a command and returns its stdout; the error keeps argv and
// stderr.
func (jr *jailRun) runCmd(ctx context.Context, c host.Cmd) ([]byte, error) {
	return jr.h.Run.Run(ctx, c)
}

// input is the plan's view of the jail: its paths, the properties as
// props holds them, and the host as the command knows it.
func (r *run) input(j *inventory.Jail, props *config.Config) *plan.Input {
	in := &plan.Input{
		Name: j.Name, Dir: j.Dir, Root: j.RootPath(), IOCRoot: r.inv.Tree.Mountpoint, Props: props,
		Paths: r.paths, Debug: r.debug,
	}
	datasets, _ := props.Get("jail_zfs_dataset")
	for _, rel := range strings.Fields(datasets) {
		in.Datasets = append(in.Datasets, r.inv.Tree.PoolDataset(rel))
	}
	return in
}

// startOne starts one jail: the start's plan (internal/plan) applied, its
// undo stack unwound on a failure. warn receives warnings.
func (h *Host) startOne(ctx context.Context, r *run, j *inventory.Jail, warn io.Writer) (err error) {
	release, err := r.hostFacts(ctx)
	if err != nil {
		return err
	}
	if j.Err != nil {
		return fmt.Errorf("%s: %w", j.Name, j.Err)
	}
	jr := &jailRun{r: r, h: h, j: j, props: j.Props.Clone(), out: h.Out, warn: warn}
	if jr.out == nil {
		jr.out = io.Discard
	}
	// The plan reads the properties as the command found them; what the
	// start stores goes to jr.props and config.json.
	in := r.input(j, j.Props)
	in.Template, in.Release, in.Now = j.Template, release, r.now()
	if j.Props.Bool("assign_localhost") {
		for _, o := range r.inv.Jails {
			if o.JLS != nil {
				in.Running = append(in.Running, o.JLS.IPv4)
			}
		}
	}
	rv := revert.New()
	rv.Log = warn
	defer func() {
		if err != nil && !isDegraded(err) {
			rv.Fail()
			if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
				err = &interrupted{err, cerr}
			}
		}
	}()
	if err := newApplier(ctx, jr, in, rv).apply(ctx, plan.Start); err != nil {
		return err
	}
	rv.Success()
	if len(jr.degraded) > 0 {
		return &DegradedError{Jail: jr.uuid(), Failures: jr.degraded}
	}
	return nil
}

// interrupted keeps a step's message while telling callers (and main's
// exit status) that SIGINT or SIGTERM stopped the command.
type interrupted struct {
	err   error
	cause error
}

func (e *interrupted) Error() string { return e.err.Error() }

// Unwrap gives both: errors.As finds the failing step's RunError, errors.Is
// the interrupt.
func (e *interrupted) Unwrap() []error { return []error{e.err, e.cause} }

// checkFstab reads the jail's fstab the way the start needs it: every
// entry with at least four fields and an absolute mount point.
func checkFstab(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	for i, line := range strings.Split(string(b), "\n") {
		if k := strings.IndexByte(line, '#'); k >= 0 {
			line = line[:k]
		}
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if len(f) < 4 {
			return fmt.Errorf("%s line %d: an entry needs source, destination, type and options: %q", path, i+1, strings.TrimSpace(line))
		}
		if !strings.HasPrefix(f[1], "/") {
			return fmt.Errorf("%s line %d: destination %s is not an absolute path", path, i+1, f[1])
		}
	}
	return nil
}

// linkDevLog makes /dev/log inside the jail point at syslogd's socket.
// Best effort, as in iocage: a /dev that is no directory gets nothing.
func (jr *jailRun) linkDevLog() {
	if confine.IsDir(jr.root(), "dev") {
		confine.Symlink("../var/run/log", jr.root(), "dev/log")
	}
}

// hasEtc reports whether the jail has an /etc of its own (a directory,
// not a symlink); a root without one is no FreeBSD tree, and then
// nothing is written there.
func (jr *jailRun) hasEtc() bool { return confine.IsDir(jr.root(), "etc") }

// copyLocaltime gives the jail the host's time zone (src): /etc/localtime
// copied, a symlink as a symlink.
func (jr *jailRun) copyLocaltime(src string) error {
	if !jr.hasEtc() {
		return nil
	}
	fi, err := os.Lstat(src)
	if err != nil {
		return nil
	}
	if fi.Mode()&os.ModeSymlink != 0 {
		target, err := os.Readlink(src)
		if err != nil {
			return err
		}
		if err := confine.Remove(jr.root(), "etc/localtime"); err != nil {
			return err
		}
		return confine.Symlink(target, jr.root(), "etc/localtime")
	}
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return confine.WriteFile(jr.root(), "etc/localtime", b, 0o644)
}

// writeIfChanged writes path only when its content differs, as iocage
// rewrites the jail.conf only on a change; durable says whether the
// write is fsynced (not for the run directory's jail.conf).
func writeIfChanged(path, content string, durable bool) error {
	if b, err := os.ReadFile(path); err == nil && string(b) == content {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	if durable {
		return atomicfile.Write(path, []byte(content), 0o644)
	}
	return atomicfile.WriteNoSync(path, []byte(content), 0o644)
}

// replaceLocalhost points the jail's 127.0.0.1 lines at its own loopback
// address.
func replaceLocalhost(root, lo string) error {
	b, err := confine.ReadFile(root, "etc/hosts")
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	lines := strings.SplitAfter(string(b), "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "127.0.0.1") {
			lines[i] = strings.ReplaceAll(l, "127.0.0.1", lo)
		}
	}
	out := strings.Join(lines, "")
	if out == string(b) {
		return nil
	}
	return confine.WriteFile(root, "etc/hosts", []byte(out), 0o644)
}

// prepareDataset makes a jail_zfs_dataset exist and marks it jailed.
func (jr *jailRun) prepareDataset(ctx context.Context, ds string) error {
	if _, err := jr.h.ZFS.Get(ctx, ds); errors.Is(err, zfs.ErrNotFound) {
		if err := jr.h.ZFS.Create(ctx, ds, zfs.CreateOptions{Props: map[string]string{"mountpoint": "none"}}); err != nil {
			return fmt.Errorf("%s: %w", jr.uuid(), err)
		}
	} else if err != nil {
		return err
	}
	if err := jr.h.ZFS.SetProps(ctx, ds, map[string]string{"jailed": "on"}); err != nil {
		return fmt.Errorf("%s: %w", jr.uuid(), err)
	}
	return nil
}

// claimNATPorts refuses nat_forwards host ports another running NAT jail,
// or a jail started earlier by this command, already forwards.
func (r *run) claimNATPorts(j *inventory.Jail, forwards string) error {
	ports := natHostPorts(forwards)
	if len(ports) == 0 {
		return nil
	}
	r.natMu.Lock()
	defer r.natMu.Unlock()
	if r.natPorts == nil {
		r.natPorts = map[int]string{}
	}
	used := map[int]bool{}
	for p := range r.natPorts {
		used[p] = true
	}
	for _, o := range r.inv.Jails {
		if o == j || !o.Running() || o.Props == nil || !o.Props.Bool("nat") {
			continue
		}
		v, _ := o.Props.Get("nat_forwards")
		for _, p := range natHostPorts(v) {
			used[p] = true
		}
	}
	for _, p := range ports {
		if used[p] {
			return fmt.Errorf("Please correct %s port rule as another running jail is using one of the mentioned ports.", forwards)
		}
	}
	for _, p := range ports {
		r.natPorts[p] = j.Name
	}
	return nil
}

func (r *run) releaseNATPorts(j *inventory.Jail) {
	r.natMu.Lock()
	defer r.natMu.Unlock()
	for p, n := range r.natPorts {
		if n == j.Name {
			delete(r.natPorts, p)
		}
	}
}

// allocateNAT picks the jail's NAT /30 under prefix: the first whose two
// host addresses no host interface and no running jail holds, nor any
// jail started earlier by this command.
func (jr *jailRun) allocateNAT(ctx context.Context, prefix string) (string, string, error) {
	r := jr.r
	r.natMu.Lock()
	defer r.natMu.Unlock()
	if r.natUsed == nil {
		n, err := r.hostNet(ctx)
		if err != nil {
			return "", "", err
		}
		r.natUsed = map[string]bool{}
		for _, i := range n.Ifaces {
			for _, a := range i.Inet {
				r.natUsed[a] = true
			}
		}
		for _, o := range r.inv.Jails {
			if !o.Running() {
				continue
			}
			out, err := jr.runCmd(ctx, argv.InJail(strconv.Itoa(o.JID), argv.IfconfigAll()))
			if err != nil {
				continue
			}
			for _, i := range plan.ParseIfconfig(string(out)) {
				for _, a := range i.Inet {
					r.natUsed[a] = true
				}
			}
		}
	}
	h1, h2, err := NATPair(prefix, r.natUsed)
	if err != nil {
		return "", "", err
	}
	r.natUsed[h1], r.natUsed[h2] = true, true
	return h1, h2, nil
}

// rewriteNATRules replaces one of iocage's NAT rule files with rules of
// its current content; the caller holds iocage's NAT lock. A file that
// exists but cannot be read refuses the change, as rewriting it would drop
// the other jails' rules. The new file replaces the old by rename, so that
// a crash leaves one or the other, never a truncated file, and a symlink
// planted at the name in /tmp is replaced, not written through. Mode 0755,
// as iocage leaves it (the ipfw file runs as a script).
func rewriteNATRules(path string, rules func(old string) string) error {
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return atomicfile.Write(path, []byte(rules(string(old))), 0o755)
}

// addNATRules writes the backend's rule file under iocage's lock and
// loads it.
func (jr *jailRun) addNATRules(ctx context.Context, iface, ip4 string) error {
	dir := jr.r.paths.NATDir
	lockPath := filepath.Join(dir, "iocage_nat_lock")
	if f, err := os.OpenFile(lockPath, os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
		f.Close()
	} else {
		return err
	}
	lock, err := txn.LockFile(lockPath)
	if err != nil {
		return err
	}
	defer lock.Unlock()
	forwards := jr.get("nat_forwards")
	if jr.get("nat_backend") == "pf" {
		path := filepath.Join(dir, "iocage_nat_pf.conf")
		if err := rewriteNATRules(path, func(old string) string { return NATPFRules(old, iface, ip4, forwards) }); err != nil {
			return err
		}
		if _, err := jr.runCmd(ctx, argv.PfctlLoad(path)); err != nil {
			return fmt.Errorf("%s: %w", jr.uuid(), err)
		}
		return nil
	}
	if _, err := jr.runCmd(ctx, argv.IfconfigNoOffload(iface)); err != nil {
		jr.warnf("%s: %s", jr.uuid(), jail.ErrorText(err))
	}
	path := filepath.Join(dir, "iocage_nat_ipfw.conf")
	if err := rewriteNATRules(path, func(old string) string { return NATIPFWRules(old, iface, ip4, forwards) }); err != nil {
		return err
	}
	if _, err := jr.runCmd(ctx, argv.Sh(path)); err != nil {
		return fmt.Errorf("%s: %w", jr.uuid(), err)
	}
	return nil
}
