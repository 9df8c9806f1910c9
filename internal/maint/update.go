package maint

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/jcage/jcage/internal/argv"
	"github.com/jcage/jcage/internal/config"
	"github.com/jcage/jcage/internal/confine"
	"github.com/jcage/jcage/internal/host"
	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/jail"
	"github.com/jcage/jcage/internal/layout"
	"github.com/jcage/jcage/internal/lazyregexp"
	"github.com/jcage/jcage/internal/txn"
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

// checkMaintainable refuses, with iocage's messages, what update and
// upgrade never touch: corrupt configs, templates and legacy types.
func checkMaintainable(j *inventory.Jail, verb string, types ...string) error {
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
func (h *Host) Update(ctx context.Context, inv *inventory.Inventory, jails []*inventory.Jail, opts UpdateOptions) error {
	if opts.Patcher == nil {
		return errors.New("update: no freebsd-update driver")
	}
	errw := opts.Err
	if errw == nil {
		errw = io.Discard
	}
	ctx, tx, inv, jails, err := h.BeginJails(ctx, "update", inv, jails)
	if err != nil {
		return err
	}
	defer tx.End()
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
		fmt.Fprintln(errw, jail.ErrorText(err))
		if first == nil {
			first = err
		}
		failed = append(failed, j.Name)
	}
	if first != nil {
		return &jail.MultiError{Verb: "update", Names: failed, First: first}
	}
	return tx.Commit()
}

func (h *Host) updateOne(ctx context.Context, inv *inventory.Inventory, j *inventory.Jail, opts UpdateOptions, st *updateRun) (err error) {
	if err := checkMaintainable(j, "update", "jail", "clonejail", "pluginv2"); err != nil {
		return err
	}
	release, _ := j.Props.Get("release")
	rel := baseRelease(release)
	basejail := j.Props.Bool("basejail")
	var relRoot string
	if basejail {
		if relRoot, err = releaseRoot(inv, rel); err != nil {
			return err
		}
	}

	ds := inv.SnapDataset(j)
	name := layout.UpdateSnapName(release, h.Clock())
	snap := layout.SnapName(ds, name)
	// A failure, an interrupt or a crash takes the jail back to the
	// snapshot (the next command does it after a crash).
	ctx, tx, _, err := h.Begin(ctx, "update", j.Name, nil)
	if err != nil {
		return err
	}
	defer tx.End()
	if err := h.updateSnapshot(ctx, tx, ds, name); err != nil {
		return err
	}
	started, committed := false, false
	defer func() {
		if started {
			if serr := h.Lifecycle.Stop(tx.Cleanup(), []string{j.Name}); serr != nil && err == nil {
				err = serr
			}
		}
		if err != nil && !committed {
			err = rolledBack(err, snap, tx.Fail())
		}
	}()
	h.Say("Snapshot: %s created.", snap)

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

	h.Say("Updating jail...")
	var relSnap string
	if basejail {
		relSnap, err = h.patchBaseRelease(ctx, inv, tx, rel, relRoot, name, opts.Patcher, st)
	} else {
		err = h.patchJailRoot(ctx, j, release, opts.Patcher)
	}
	if err != nil {
		return err
	}
	h.Say("Updated jail successfully.")
	if err := tx.Commit(); err != nil {
		return err
	}
	committed = true
	if relSnap != "" {
		h.dropReleaseSnapshot(ctx, relSnap, opts.Err)
	}
	if started {
		// The update stands even if the jail then fails to stop.
		started = false
		if err := h.Lifecycle.Stop(context.WithoutCancel(ctx), []string{j.Name}); err != nil {
			return err
		}
	}
	h.Say("\n%s updates have been applied successfully.", j.Name)
	return nil
}

// releaseRoot is the mountpoint of the root of release rel, which a
// base jail's update patches.
func releaseRoot(inv *inventory.Inventory, rel string) (string, error) {
	d, ok := inv.Scan.Get(inv.Tree.ReleaseRoot(rel))
	if !ok || d.Mountpoint == "" {
		return "", fmt.Errorf("%s is missing, please fetch it!", rel)
	}
	return d.Mountpoint, nil
}

// updateSnapshot takes DS@NAME, the snapshot an update goes back to,
// in tx.
func (h *Host) updateSnapshot(ctx context.Context, tx *txn.Tx, ds, name string) error {
	snap := layout.SnapName(ds, name)
	if err := tx.WillSnapshot(ds, name); err != nil {
		return err
	}
	if err := tx.Made(snap, h.ZFS.Snapshot(ctx, snap, true)); err != nil {
		if errors.Is(err, zfs.ErrExists) {
			return fmt.Errorf("%w: %s", jail.ErrSnapExists, snap)
		}
		return err
	}
	return nil
}

// patchBaseRelease brings release rel, whose root a base jail mounts, to
// its latest patch level once in a run of update, in tx. It returns the
// release's snapshot NAME, to be removed once the update is committed,
// or "" when an earlier jail of the run patched the release.
func (h *Host) patchBaseRelease(ctx context.Context, inv *inventory.Inventory, tx *txn.Tx, rel, relRoot, name string, p RootPatcher, st *updateRun) (string, error) {
	if st.patched[rel] {
		return "", nil
	}
	relSnap := layout.SnapName(inv.Tree.ReleaseRoot(rel), name)
	if err := h.patchRelease(ctx, inv, tx, rel, relRoot, relSnap, p); err != nil {
		return "", err
	}
	st.patched[rel] = true
	return relSnap, nil
}

// dropReleaseSnapshot removes the release's snapshot once the update is
// committed: the release keeps no trace of the update, as with iocage;
// the jail's own snapshot stays. A failure is a warning on errw.
func (h *Host) dropReleaseSnapshot(ctx context.Context, relSnap string, errw io.Writer) {
	if err := h.ZFS.Destroy(context.WithoutCancel(ctx), relSnap, zfs.DestroyOptions{}); err != nil {
		fmt.Fprintf(jail.OrDiscard(errw), "WARNING: %s was not removed: %v\n", relSnap, err)
	}
}

// patchJailRoot brings the root of a jail that is not a base jail to the
// latest patch level of its release, and records in its configuration
// the release it reached.
func (h *Host) patchJailRoot(ctx context.Context, j *inventory.Jail, release string, p RootPatcher) error {
	h.Say("\n* Updating %s to the latest patch level... ", j.Name)
	after, err := p.Patch(ctx, j.RootPath(), baseRelease(release))
	if err != nil {
		return err
	}
	if after == "" || after == release {
		return nil
	}
	return recordRelease(j, after)
}

// patchRelease patches the release a base jail mounts, under a snapshot
// of its own, and sets the new release on every base jail of it.
func (h *Host) patchRelease(ctx context.Context, inv *inventory.Inventory, tx *txn.Tx, rel, root, snap string, p RootPatcher) error {
	relDS, relName, _ := strings.Cut(snap, "@")
	if err := tx.WillSnapshot(relDS, relName); err != nil {
		return err
	}
	if err := tx.Made(snap, h.ZFS.Snapshot(ctx, snap, false)); err != nil {
		if errors.Is(err, zfs.ErrExists) {
			return fmt.Errorf("%w: %s", jail.ErrSnapExists, snap)
		}
		return err
	}
	h.Say("\n* Updating %s to the latest patch level... ", rel)
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
		if err := tx.WillWrite(path); err != nil {
			return err
		}
		if err := txn.UpdateConfig(path, nil, func(c *config.Config) error {
			c.Set("release", after)
			return nil
		}); err != nil {
			return err
		}
		o.Props.Set("release", after)
		tx.Add(func() error {
			o.Props.Set("release", cur)
			return nil
		})
	}
	return nil
}

// rolledBack says what became of the jail after err.
func rolledBack(err error, snap string, cleanup error) error {
	if cleanup != nil {
		return fmt.Errorf("%w; rolling back to %s failed: %v", err, snap, cleanup)
	}
	return fmt.Errorf("%w; rolled back to %s", err, snap)
}

// ensureRunning starts a jail that is down through h.Lifecycle and returns its
// JID, and whether it was started here.
func (h *Host) ensureRunning(ctx context.Context, j *inventory.Jail) (jid int, started bool, err error) {
	if j.Running() {
		return j.JID, false, nil
	}
	if err := h.Lifecycle.Start(ctx, []string{j.Name}); err != nil {
		return 0, false, err
	}
	running, err := h.Running(ctx)
	if err != nil {
		return 0, true, err
	}
	r, ok := running[inventory.JailName(j.Name)]
	if !ok {
		return 0, true, fmt.Errorf("%s is not running after its start", j.Name)
	}
	return r.JID, true, nil
}

// PkgRepoUpdateCmd refreshes a running jail's package catalogues with the
// host's pkg-static.
func PkgRepoUpdateCmd(jid int) host.Cmd {
	return argv.PkgStaticJail(jid, "update", "-q", "-f")
}

// updatePackages is update -P, iocage's steps and messages: the
// catalogues, pkg itself, then every package.
func (h *Host) updatePackages(ctx context.Context, j *inventory.Jail, jid int, errw io.Writer) error {
	h.Say("Updating pkgs...")
	if out, err := h.Run.Run(ctx, PkgRepoUpdateCmd(jid)); err != nil {
		jail.ShowFailure(errw, out, err)
		return errors.New("Failed to update pkg repositories.")
	}
	h.Say("Updated pkg repositories successfully.")
	for try := 1; ; try++ {
		out, err := h.Run.Run(ctx, jail.PkgBootstrapCmd(jid))
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return err
		}
		if try == jail.PkgTries {
			jail.ShowFailure(errw, out, err)
			return fmt.Errorf("pkg error: %s: Please check your network", jail.LastLine(out, err))
		}
	}
	c, err := jail.ExecCmd(j, jail.PkgUpgradeArgv, "root", "")
	if err != nil {
		return err
	}
	c.Env = []string{"ASSUME_ALWAYS_YES=yes"}
	if out, err := h.Run.Run(ctx, c); err != nil {
		jail.ShowFailure(errw, out, err)
		return jail.CommandFailed(jail.PkgUpgradeArgv, err)
	}
	h.Say("Upgraded pkgs successfully.")
	return nil
}
