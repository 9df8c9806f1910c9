package maint

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/jcage/jcage/internal/argv"
	"github.com/jcage/jcage/internal/config"
	"github.com/jcage/jcage/internal/confine"
	"github.com/jcage/jcage/internal/fstab"
	"github.com/jcage/jcage/internal/host"
	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/jail"
	"github.com/jcage/jcage/internal/layout"
	"github.com/jcage/jcage/internal/lazyregexp"
	"github.com/jcage/jcage/internal/plan"
	"github.com/jcage/jcage/internal/txn"
	"github.com/jcage/jcage/internal/zfs"
)

// RootUpgrader upgrades a root from release cur to newrel with
// freebsd-update and returns the USERLAND_VERSION it ends at;
// *release.Upgrader is one.
type RootUpgrader interface {
	Upgrade(ctx context.Context, root, cur, newrel string) (string, error)
}

// UpgradeOptions tune Upgrade.
type UpgradeOptions struct {
	Upgrader RootUpgrader
	// Err receives etcupdate's complaints and warnings; nil discards them.
	Err io.Writer
	// Plugin allows a pluginv2 base jail: a plugin upgrade switches it
	// to its manifest's release before it reinstalls the packages.
	Plugin bool
}

// upgradeRelRE is a release freebsd-update can upgrade to.
var upgradeRelRE = lazyregexp.New(`^[0-9]+\.[0-9]+-(RELEASE|BETA[0-9]+|RC[0-9]+|ALPHA[0-9]+)$`)

// UpgradeRelease checks the -r argument of upgrade; a bare "14.3" means
// 14.3-RELEASE, as freebsd-update reads it.
func UpgradeRelease(arg string) (string, error) {
	if regexp.MustCompile(`^[0-9]+\.[0-9]+$`).MatchString(arg) {
		arg += "-RELEASE"
	}
	if !upgradeRelRE.MatchString(arg) {
		return "", fmt.Errorf("%q is not a release freebsd-update can upgrade to (e.g. 14.3-RELEASE)", arg)
	}
	return arg, nil
}

// EtcupdateCmd merges the /etc of newrel's sources into a base jail's
// root from the host.
func EtcupdateCmd(root, src string) host.Cmd { return argv.Etcupdate(root, src) }

// NewaliasesCmd rebuilds the aliases database inside a running jail.
func NewaliasesCmd(name string) host.Cmd {
	return argv.Jexec(inventory.JailName(name), "newaliases")
}

// UpgradeMessage is what a successful upgrade prints: iocage's lines for
// a base jail, which also fit a thick or thin one now that jcage keeps a
// snapshot of those too.
func UpgradeMessage(name, cur, now, snap string) string {
	return fmt.Sprintf("\n%s successfully upgraded from %s to %s!\nPlease reboot the jail and inspect.\nRemove the snapshot: %s if everything is OK\n", name, cur, now, snap)
}

// Upgrade moves a jail to release newrel. A thick or thin jail runs
// `freebsd-update upgrade` on its root, then installs until nothing is
// pending. A base jail switches its nullfs sources to newrel, which must
// be fetched with its sources, and merges /etc with etcupdate. Either way
// the jail is snapshotted first (ioc_upgrade_DATE) and rolled back on any
// failure; the snapshot is kept after a success, as iocage keeps a base
// jail's. The jail may be running; it then needs a restart.
func (h *Host) Upgrade(ctx context.Context, inv *inventory.Inventory, j *inventory.Jail, newrel string, opts UpgradeOptions) (err error) {
	if opts.Upgrader == nil {
		return errors.New("upgrade: no freebsd-update driver")
	}
	newrel, err = UpgradeRelease(newrel)
	if err != nil {
		return err
	}
	if err := h.checkHostRelease(ctx, newrel); err != nil {
		return err
	}
	ctx, tx, inv, j, err := h.BeginJail(ctx, "upgrade", inv, j)
	if err != nil {
		return err
	}
	defer tx.End()
	types := []string{"jail"}
	if opts.Plugin {
		types = append(types, "pluginv2")
	}
	if err := checkMaintainable(j, "upgrade", types...); err != nil {
		return err
	}
	release, _ := j.Props.Get("release")
	if err := checkUpgradeTarget(j.Name, release, newrel); err != nil {
		return err
	}
	cur := baseRelease(release)
	basejail := j.Props.Bool("basejail")
	var bj *basejailUpgrade
	if basejail {
		if bj, err = h.planBasejailUpgrade(inv, j, cur, newrel); err != nil {
			return err
		}
	} else if fi, err := confine.Lstat(j.RootPath(), "etc/freebsd-update.conf"); err != nil || !fi.Mode().IsRegular() {
		return fmt.Errorf("Cannot upgrade %s: %s is missing", j.Name, confine.Path(j.RootPath(), "etc/freebsd-update.conf"))
	}

	ds := inv.SnapDataset(j)
	name := layout.UpgradeSnapName(h.Clock())
	snap := layout.SnapName(ds, name)
	// A failure, an interrupt or a crash takes the jail back to the
	// snapshot (the next command does it after a crash).
	if err := tx.WillSnapshot(ds, name); err != nil {
		return err
	}
	if err := tx.Made(snap, h.ZFS.Snapshot(ctx, snap, true)); err != nil {
		if errors.Is(err, zfs.ErrExists) {
			return fmt.Errorf("%w: %s (remove it with snapremove to upgrade again)", jail.ErrSnapExists, snap)
		}
		return err
	}
	defer func() {
		if err != nil {
			err = rolledBack(err, snap, tx.Fail())
		}
	}()

	var now string
	if basejail {
		now, err = h.upgradeBasejail(ctx, tx, j, bj, opts)
	} else {
		now, err = opts.Upgrader.Upgrade(ctx, j.RootPath(), cur, newrel)
	}
	if err != nil {
		return err
	}
	if now == "" {
		now = newrel
	}
	if err := recordRelease(j, now); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	if h.Out != nil {
		io.WriteString(h.Out, UpgradeMessage(j.Name, release, now, name))
	}
	return nil
}

// checkUpgradeTarget refuses to upgrade jail name from release to
// newrel: an empty jail, one already at newrel, or a newrel older than
// the jail's release.
func checkUpgradeTarget(name, release, newrel string) error {
	if release == "EMPTY" {
		return errors.New("Upgrading is not supported for empty jails.")
	}
	cur := baseRelease(release)
	if cur == newrel {
		return fmt.Errorf("Jail: %s is already at version %s!", name, newrel)
	}
	if cv, ok := plan.ParseVersion(cur); ok {
		if nv, _ := plan.ParseVersion(newrel); nv < cv {
			return fmt.Errorf("Cannot upgrade %s from %s to the older %s", name, release, newrel)
		}
	}
	return nil
}

// recordRelease sets the release j's userland is at, in its
// configuration file and in j.
func recordRelease(j *inventory.Jail, rel string) error {
	if err := txn.UpdateConfig(j.ConfigPath(), nil, func(c *config.Config) error {
		c.Set("release", rel)
		return nil
	}); err != nil {
		return err
	}
	j.Props.Set("release", rel)
	return nil
}

// checkHostRelease refuses a target of a later major version than the
// host runs, as iocage does; a host whose release can't be read is not
// checked.
func (h *Host) checkHostRelease(ctx context.Context, newrel string) error {
	out, err := h.Run.Run(ctx, argv.UnameRelease())
	if err != nil {
		return nil
	}
	hostRel := strings.TrimSpace(string(out))
	hv, hok := plan.ParseVersion(hostRel)
	nv, nok := plan.ParseVersion(newrel)
	if hok && nok && hv/100 < nv/100 {
		return fmt.Errorf("Host: %s is not greater than target: %s This is unsupported.", baseRelease(hostRel), newrel)
	}
	return nil
}

// basejailUpgrade is what a base jail's upgrade changes, worked out
// before anything does.
type basejailUpgrade struct {
	newRoot string // IOCROOT/releases/NEWREL/root
	src     string // its usr/src
	fstab   string // the jail's fstab
	table   *fstab.Table
}

// planBasejailUpgrade checks that newrel is fetched with its sources and
// that the jail's fstab mounts from its current release, and prepares the
// switched fstab.
func (h *Host) planBasejailUpgrade(inv *inventory.Inventory, j *inventory.Jail, cur, newrel string) (*basejailUpgrade, error) {
	d, ok := inv.Scan.Get(inv.Tree.ReleaseRoot(newrel))
	if !ok || d.Mountpoint == "" {
		return nil, fmt.Errorf("%s is missing, please fetch it!", newrel)
	}
	p := &basejailUpgrade{newRoot: d.Mountpoint, src: filepath.Join(d.Mountpoint, "usr/src"), fstab: j.FstabPath()}
	if entries, err := os.ReadDir(p.src); err != nil || len(entries) == 0 {
		return nil, fmt.Errorf("%s is missing 'src.txz', please refetch!", newrel)
	}
	var err error
	if p.table, err = fstab.Load(p.fstab); err != nil {
		return nil, err
	}
	oldDir := releaseDir(inv, cur)
	newDir := releaseDir(inv, newrel)
	switched := 0
	for i, e := range p.table.Entries {
		rest, ok := strings.CutPrefix(e.Source, oldDir)
		if !ok || (rest != "" && !strings.HasPrefix(rest, "/")) {
			continue
		}
		e.Source = newDir + rest
		if err := p.table.Replace(i, e); err != nil {
			return nil, err
		}
		switched++
	}
	if switched == 0 {
		return nil, fmt.Errorf("Cannot upgrade %s: its fstab mounts nothing from %s", j.Name, oldDir)
	}
	return p, nil
}

// releaseDir is where a release's dataset is mounted: IOCROOT/releases/REL.
func releaseDir(inv *inventory.Inventory, rel string) string {
	if d, ok := inv.Scan.Get(inv.Tree.Release(rel)); ok && d.Mountpoint != "" {
		return d.Mountpoint
	}
	return inv.Tree.Dirs().Release(rel)
}

// upgradeBasejail is the "upgrade by switching release" of iocage: the
// fstab sources go to the new release, etcupdate merges the new /etc.
// jcage runs etcupdate from the host with -D, so the jail need not run and
// no nullfs mount of the sources is needed; iocage runs it inside the jail.
func (h *Host) upgradeBasejail(ctx context.Context, tx *txn.Tx, j *inventory.Jail, p *basejailUpgrade, opts UpgradeOptions) (string, error) {
	if err := tx.WillWrite(p.fstab); err != nil {
		return "", err
	}
	if err := p.table.Save(p.fstab); err != nil {
		return "", err
	}
	root := j.RootPath()
	// etcupdate -D writes under the root as the host's root and follows a
	// symlink in any parent component of what it writes.
	if err := confine.CheckEscapes(root); err != nil {
		return "", err
	}
	c := EtcupdateCmd(root, p.src)
	c.Stdout, c.Stderr = jail.OrDiscard(h.Out), opts.Err
	if _, err := h.Run.Run(ctx, c); err != nil {
		if code := host.ExitCodeOf(err); code >= 0 && ctx.Err() == nil {
			return "", fmt.Errorf("etcupdate failed (exit status %d)", code)
		}
		return "", err
	}
	// The mail queue directory newaliases and sendmail expect, made
	// without following a symlink out of the jail.
	if err := confine.MkdirAll(root, "var/spool/mqueue", 0o755); err != nil && opts.Err != nil {
		fmt.Fprintf(opts.Err, "WARNING: %v\n", err)
	}
	if j.Running() {
		// A jail that is down rebuilds its aliases at its next start
		// (rc.d/sendmail); a running one is told now.
		if _, err := h.Run.Run(ctx, NewaliasesCmd(j.Name)); err != nil && opts.Err != nil {
			fmt.Fprintf(opts.Err, "WARNING: newaliases in %s failed: %v\n", j.Name, err)
		}
	}
	return inventory.UserlandVersion(p.newRoot), nil
}
