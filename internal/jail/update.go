package jail

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/jcage/jcage/internal/confine"
	"github.com/jcage/jcage/internal/host"
	"github.com/jcage/jcage/internal/lazyregexp"
	"github.com/jcage/jcage/internal/revert"
	"github.com/jcage/jcage/internal/zfs"
)

// update and upgrade.
//
// Both begin with a recursive snapshot of the jail dataset and end, on any
// failure or interrupt, with every filesystem under the jail rolled back
// to it and the snapshot destroyed, so that a failed command leaves the
// jail (root, config.json, fstab) exactly as it was. A successful update
// keeps its ioc_update_… snapshot, as iocage does.

// RootPatcher brings a root to the latest patch level of its release with
// freebsd-update and returns the USERLAND_VERSION it ends at;
// *release.Patcher is one.
type RootPatcher interface {
	Patch(ctx context.Context, root, rel string) (string, error)
}

// UpdateOptions tune Update.
type UpdateOptions struct {
	// Packages (-P) also updates the jail's repositories and upgrades its
	// packages, starting the jail for that when it is down.
	Packages bool
	Patcher  RootPatcher
	// Err receives warnings and, when several jails are updated, each
	// failure as it happens; nil discards them.
	Err io.Writer
}

// patchRE is the patch level freebsd-update adds to a release name.
var patchRE = lazyregexp.New(`-p[0-9]+$`)

// baseRelease is a release without its patch level: what `uname -r`
// reports to freebsd-update for the root ("14.3-RELEASE-p2" → "14.3-RELEASE").
func baseRelease(rel string) string { return patchRE.ReplaceAllString(rel, "") }

// UpdateTargets resolves update's JAIL argument: one jail by name or
// unique prefix, or with ALL every jail (templates are not jails).
func (inv *Inventory) UpdateTargets(arg string) ([]*Jail, error) {
	if arg != AllJails {
		j, err := inv.Find(arg)
		if err != nil {
			return nil, err
		}
		return []*Jail{j}, nil
	}
	var out []*Jail
	for _, j := range inv.Jails {
		if !j.Template {
			out = append(out, j)
		}
	}
	return out, nil
}

// checkMaintainable refuses, with iocage's messages, what update and
// upgrade never touch: corrupt configs, templates and legacy types.
func checkMaintainable(j *Jail, verb string, types ...string) error {
	if j.Err != nil {
		return fmt.Errorf("%s: %w", j.Name, j.Err)
	}
	if j.Template || j.Props.Bool("template") {
		return fmt.Errorf("Please convert back to a jail before trying to %s %s", verb, j.Name)
	}
	typ, _ := j.Props.Get("type")
	for _, t := range types {
		if typ == t {
			return nil
		}
	}
	switch typ {
	case "basejail":
		return fmt.Errorf("Please run \"iocage migrate\" before trying to %s %s", verb, j.Name)
	case "template":
		return fmt.Errorf("Please convert back to a jail before trying to %s %s", verb, j.Name)
	}
	return fmt.Errorf("%s is not a supported jail type.", typ)
}

// updateRun is what one update command shares between its jails.
type updateRun struct {
	patched map[string]bool // releases patched for base jails
}

// Update brings each jail to the latest patch level of its release, as
// `iocage update` does: a thick or thin jail patches its own root with its
// own freebsd-update; a base jail patches the release it mounts, and every
// base jail of that release gets the new release. With several jails a
// failure is reported on opts.Err and the others go on; the error then
// names every jail that failed.
func (h *Host) Update(ctx context.Context, inv *Inventory, jails []*Jail, opts UpdateOptions) error {
	if opts.Patcher == nil {
		return errors.New("update: no freebsd-update driver")
	}
	errw := opts.Err
	if errw == nil {
		errw = io.Discard
	}
	st := &updateRun{patched: map[string]bool{}}
	var failed []string
	var first error
	for _, j := range jails {
		if err := ctx.Err(); err != nil {
			return err
		}
		err := h.updateOne(ctx, inv, j, opts, st)
		if err == nil {
			continue
		}
		if len(jails) == 1 {
			return err
		}
		fmt.Fprintln(errw, errorText(err))
		if first == nil {
			first = err
		}
		failed = append(failed, j.Name)
	}
	if first != nil {
		return &MultiError{Verb: "update", Names: failed, First: first}
	}
	return nil
}

func (h *Host) updateOne(ctx context.Context, inv *Inventory, j *Jail, opts UpdateOptions, st *updateRun) (err error) {
	if err := checkMaintainable(j, "update", "jail", "clonejail", "pluginv2"); err != nil {
		return err
	}
	release, _ := j.Props.Get("release")
	rel := baseRelease(release)
	basejail := j.Props.Bool("basejail")
	var relRoot string
	if basejail {
		d, ok := inv.Scan.Get(inv.Tree.ReleaseRoot(rel))
		if !ok || d.Mountpoint == "" {
			return fmt.Errorf("%s is missing, please fetch it!", rel)
		}
		relRoot = d.Mountpoint
	}

	ds := inv.SnapDataset(j)
	name := zfs.UpdateSnapName(release, h.now())
	snap := zfs.SnapName(ds, name)
	// A process killed outright leaves the journal: the next command
	// rolls the jail back to the snapshot, as a failure here would.
	jn, err := h.beginJournal("update", j.Name)
	if err != nil {
		return err
	}
	defer jn.release()
	if err := h.ZFS.Snapshot(ctx, snap, true); err != nil {
		if errors.Is(err, zfs.ErrExists) {
			return fmt.Errorf("%w: %s", ErrSnapExists, snap)
		}
		return err
	}
	if err := jn.dropToOnCrash(ds, name); err != nil {
		return err
	}
	r := revert.New()
	r.Log = nil
	r.Add(func() error { return h.dropTo(context.WithoutCancel(ctx), ds, name) })
	started, committed := false, false
	defer func() {
		if started {
			if serr := h.Stop(context.WithoutCancel(ctx), []string{j.Name}); serr != nil && err == nil {
				err = serr
			}
		}
		if err != nil && !committed {
			cerr := r.Fail()
			if cerr == nil {
				jn.done()
			}
			err = rolledBack(err, snap, cerr)
		}
	}()
	h.say("Snapshot: %s created.", snap)

	if opts.Packages {
		jid, s, err := h.ensureRunning(ctx, j)
		started = s
		if err != nil {
			return err
		}
		if err := h.updatePackages(ctx, j, jid, opts.Err); err != nil {
			return err
		}
	}

	h.say("Updating jail...")
	var relSnap string
	if basejail {
		if !st.patched[rel] {
			relSnap = zfs.SnapName(inv.Tree.ReleaseRoot(rel), name)
			if err := h.patchRelease(ctx, inv, r, jn, rel, relRoot, relSnap, opts.Patcher); err != nil {
				return err
			}
			st.patched[rel] = true
		}
	} else {
		h.say("\n* Updating %s to the latest patch level... ", j.Name)
		after, err := opts.Patcher.Patch(ctx, j.RootPath(), rel)
		if err != nil {
			return err
		}
		if after != "" && after != release {
			if err := Update(j.ConfigPath(), nil, func(c *Config) error {
				c.Set("release", after)
				return nil
			}); err != nil {
				return err
			}
			j.Props.Set("release", after)
		}
	}
	h.say("Updated jail successfully.")
	r.Success()
	jn.done()
	committed = true
	if relSnap != "" {
		// The release keeps no trace of the update, as with iocage; the
		// jail's own snapshot stays.
		if err := h.ZFS.Destroy(context.WithoutCancel(ctx), relSnap, zfs.DestroyOptions{}); err != nil {
			fmt.Fprintf(orDiscard(opts.Err), "WARNING: %s was not removed: %v\n", relSnap, err)
		}
	}
	if started {
		// The update stands even if the jail then fails to stop.
		started = false
		if err := h.Stop(context.WithoutCancel(ctx), []string{j.Name}); err != nil {
			return err
		}
	}
	h.say("\n%s updates have been applied successfully.", j.Name)
	return nil
}

func orDiscard(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}

// patchRelease patches the release a base jail mounts, under a snapshot
// of its own, and sets the new release on every base jail of it.
func (h *Host) patchRelease(ctx context.Context, inv *Inventory, r *revert.Reverter, jn *journal, rel, root, snap string, p RootPatcher) error {
	if err := h.ZFS.Snapshot(ctx, snap, false); err != nil {
		if errors.Is(err, zfs.ErrExists) {
			return fmt.Errorf("%w: %s", ErrSnapExists, snap)
		}
		return err
	}
	relDS, relName, _ := strings.Cut(snap, "@")
	if err := jn.dropToOnCrash(relDS, relName); err != nil {
		return err
	}
	r.Add(func() error {
		bg := context.WithoutCancel(ctx)
		if err := h.ZFS.Rollback(bg, snap, false); err != nil {
			return err
		}
		return h.ZFS.Destroy(bg, snap, zfs.DestroyOptions{})
	})
	h.say("\n* Updating %s to the latest patch level... ", rel)
	after, err := p.Patch(ctx, root, rel)
	if err != nil {
		return err
	}
	// A release carries no resolv.conf of its own (iocage removes the one
	// it copies in for freebsd-update).
	if err := confine.Remove(root, "etc/resolv.conf"); err != nil {
		return err
	}
	if after == "" {
		return nil
	}
	for _, o := range inv.Jails {
		if o.Err != nil || o.Template || !o.Props.Bool("basejail") {
			continue
		}
		cur, _ := o.Props.Get("release")
		if baseRelease(cur) != rel || cur == after {
			continue
		}
		path := o.ConfigPath()
		old, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		jn.Steps = append(jn.Steps, journalStep{File: path, Data: old})
		if err := jn.save(); err != nil {
			return err
		}
		if err := Update(path, nil, func(c *Config) error {
			c.Set("release", after)
			return nil
		}); err != nil {
			return err
		}
		o.Props.Set("release", after)
		r.Add(func() error {
			o.Props.Set("release", cur)
			return writeFileAtomic(path, old, 0o644)
		})
	}
	return nil
}

// dropTo rolls every filesystem under ds back to its snapshot name,
// deepest first, then destroys that snapshot: the dataset tree is as it
// was before the snapshot was taken.
func (h *Host) dropTo(ctx context.Context, ds, name string) error {
	idx, err := h.readSnaps(ctx, ds, snapRead{fs: true})
	if err != nil {
		return err
	}
	var fss []string
	for _, fs := range idx.fs {
		if zfs.Child(ds, fs) && idx.has(fs, name) {
			fss = append(fss, fs)
		}
	}
	sort.SliceStable(fss, func(a, b int) bool { return strings.Count(fss[a], "/") > strings.Count(fss[b], "/") })
	for _, fs := range fss {
		if err := h.ZFS.Rollback(ctx, zfs.SnapName(fs, name), false); err != nil {
			return err
		}
	}
	return h.ZFS.Destroy(ctx, zfs.SnapName(ds, name), zfs.DestroyOptions{Recursive: true})
}

// rolledBack says what became of the jail after err.
func rolledBack(err error, snap string, cleanup error) error {
	if cleanup != nil {
		return fmt.Errorf("%w; rolling back to %s failed: %v", err, snap, cleanup)
	}
	return fmt.Errorf("%w; rolled back to %s", err, snap)
}

// ensureRunning starts a jail that is down through h.Start and returns its
// JID, and whether it was started here.
func (h *Host) ensureRunning(ctx context.Context, j *Jail) (jid int, started bool, err error) {
	if j.Running() {
		return j.JID, false, nil
	}
	if h.Start == nil {
		return 0, false, fmt.Errorf("%s is not running and cannot be started here", j.Name)
	}
	if err := h.Start(ctx, []string{j.Name}); err != nil {
		return 0, false, err
	}
	running, err := h.Running(ctx)
	if err != nil {
		return 0, true, err
	}
	r, ok := running[JailName(j.Name)]
	if !ok {
		return 0, true, fmt.Errorf("%s is not running after its start", j.Name)
	}
	return r.JID, true, nil
}

// PkgRepoUpdateCmd refreshes a running jail's package catalogues with the
// host's pkg-static.
func PkgRepoUpdateCmd(jid int) host.Cmd {
	return host.Cmd{Name: "pkg-static", Args: []string{"-j", strconv.Itoa(jid), "update", "-q", "-f"}}
}

// PkgBootstrapCmd installs pkg itself in a running jail.
func PkgBootstrapCmd(jid int) host.Cmd {
	return host.Cmd{Name: "pkg-static", Args: []string{"-j", strconv.Itoa(jid), "install", "-q", "-y", "pkg"}}
}

// PkgUpgradeArgv upgrades every package, run inside the jail with
// ASSUME_ALWAYS_YES=yes.
var PkgUpgradeArgv = []string{"/usr/local/sbin/pkg-static", "upgrade", "-f", "-q", "-y"}

// pkgTries is how often iocage tries to install pkg before giving up.
const pkgTries = 3

// updatePackages is update -P, iocage's steps and messages: the
// catalogues, pkg itself, then every package.
func (h *Host) updatePackages(ctx context.Context, j *Jail, jid int, errw io.Writer) error {
	h.say("Updating pkgs...")
	if out, err := h.Run.Run(ctx, PkgRepoUpdateCmd(jid)); err != nil {
		showFailure(errw, out, err)
		return errors.New("Failed to update pkg repositories.")
	}
	h.say("Updated pkg repositories successfully.")
	for try := 1; ; try++ {
		out, err := h.Run.Run(ctx, PkgBootstrapCmd(jid))
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return err
		}
		if try == pkgTries {
			showFailure(errw, out, err)
			return fmt.Errorf("pkg error: %s: Please check your network", lastLine(out, err))
		}
	}
	c, err := ExecCmd(j, PkgUpgradeArgv, "root", "")
	if err != nil {
		return err
	}
	c.Env = []string{"ASSUME_ALWAYS_YES=yes"}
	if out, err := h.Run.Run(ctx, c); err != nil {
		showFailure(errw, out, err)
		return commandFailed(PkgUpgradeArgv, err)
	}
	h.say("Upgraded pkgs successfully.")
	return nil
}

// showFailure copies what a quiet command printed before it failed.
func showFailure(w io.Writer, out []byte, err error) {
	if w == nil {
		return
	}
	w.Write(out)
	var re *host.RunError
	if errors.As(err, &re) && re.Stderr != "" {
		io.WriteString(w, re.Stderr)
	}
}

// lastLine is the line of a failed command's output that explains it.
func lastLine(out []byte, err error) string {
	text := string(out)
	var re *host.RunError
	if errors.As(err, &re) && strings.TrimSpace(re.Stderr) != "" {
		text = re.Stderr
	}
	lines := strings.Split(strings.TrimSpace(text), "\n")
	if l := strings.TrimSpace(lines[len(lines)-1]); l != "" {
		return l
	}
	return err.Error()
}
