package jail

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/jcage/jcage/internal/atomicfile"
	"github.com/jcage/jcage/internal/config"
	"github.com/jcage/jcage/internal/confine"
	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/layout"
	"github.com/jcage/jcage/internal/lazyregexp"
	"github.com/jcage/jcage/internal/txn"
	"github.com/jcage/jcage/internal/zfs"
)

// migrate is `iocage migrate` (iocage_cli/migrate.py in the fork's 1.x
// CLI; iocage_lib has no part of it): not a move between pools but the
// conversion of the "basejails" of iocage_legacy's development version
// into jails cloned from their release. Such a jail has a config.json with
// a tag and type=basejail, and a root that holds only the jail's own
// files, the release's system directories being mounted over it at start;
// iocage refuses to start or update it until it is migrated. For each,
// named U and tagged TAG, iocage:
//
//  1. renames POOL/iocage/jails/U to POOL/iocage/jails_old/U (zfs rename -p);
//  2. creates the jail N (TAG, or a new UUID when TAG is iocage_legacy's
//     date stamp) from the release cloned_release, with the old
//     config.json (IOCCreate migrate=True) and then host_hostname and
//     host_hostuuid N, type jail and jail_zfs_dataset set;
//  3. copies the old root over the new one (copytree) and the old fstab,
//     and turns hostname="U" into hostname="N" in the jail's rc.conf;
//  4. with -d, destroys jails_old/U, and jails_old when it is empty.
//
// It also removes IOCROOT/tags/TAG, iocage_legacy's link to the jail.
// jcage does the same, each jail as one journaled change that unwinds
// whole on failure, after checking every jail first. Where iocage errs,
// jcage departs: jail_zfs_dataset names iocage/jails/N/data relative to
// the pool, as create writes it (iocage writes IOCROOT/jails/N/data, a
// path, which its own start then cannot find); the old fstab's paths
// into the jail follow it to N, as rename does; files keep their owner;
// a date-stamped tag gets its UUID (iocage's loop variable hides the uuid
// module there and the command dies).

// legacyDate is the tag iocage_legacy gave a jail it was not told to name:
// strptime's "%Y-%m-%d@%H:%M:%S", which also takes single digits.
var legacyDate = lazyregexp.New(`^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}@[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}$`)

// MigrateOptions tune PlanMigration and Migrate.
type MigrateOptions struct {
	// Delete (-d) destroys the old datasets once a jail is migrated.
	Delete bool
	// Err receives each failure while the other jails go on; nil
	// discards it.
	Err io.Writer
}

// Migration is one legacy basejail that migrate converts.
type Migration struct {
	Jail    *inventory.Jail
	Tag     string
	Name    string // the new jail
	Release string // cloned_release, the release it is cloned from
}

// legacyTagged reports a jail iocage migrate converts: a tag and
// type=basejail in its config.json.
func legacyTagged(j *inventory.Jail) (string, bool) {
	if j.Template || j.Config == nil || !config.LegacyBasejail(j.Config) {
		return "", false
	}
	return j.Config.Get("tag")
}

// PlanMigration finds the legacy basejails and checks, before anything
// changes, that each can be migrated: stopped, its release fetched, its
// new name free and valid, nothing left in jails_old from an earlier try,
// and with Delete no dataset of its own but the root, which -d would
// destroy with the old jail. The first problem is returned alone.
func (h *Host) PlanMigration(ctx context.Context, inv *inventory.Inventory, opts MigrateOptions) ([]Migration, error) {
	t := inv.Tree
	var plan []Migration
	taken := map[string]string{}
	for _, j := range inv.Jails {
		tag, ok := legacyTagged(j)
		if !ok {
			continue
		}
		if j.Running() {
			return nil, fmt.Errorf("%s is running: stop it before migrating it", j.Name)
		}
		rel, _ := j.Config.Get("cloned_release")
		if rel == "" {
			return nil, fmt.Errorf("%s has no cloned_release to migrate it to", j.Name)
		}
		if _, ok := inv.Scan.Get(t.ReleaseRoot(rel)); !ok {
			return nil, fmt.Errorf("RELEASE: %s not found! %s needs it: jcage fetch -r %s", rel, j.Name, rel)
		}
		name := tag
		if legacyDate.MatchString(tag) {
			name = newUUID4()
		}
		if err := config.CheckName(name); err != nil {
			return nil, fmt.Errorf("%s (tag %s): %w", j.Name, tag, err)
		}
		if (inv.Exists(name) && inventory.NameKey(name) != inventory.NameKey(j.Name)) || taken[inventory.NameKey(name)] != "" {
			return nil, fmt.Errorf("Jail: %s already exists! %s cannot be migrated to it", name, j.Name)
		}
		taken[inventory.NameKey(name)] = j.Name
		if err := CheckRootPath(t.Dirs().Jail(name)); err != nil {
			return nil, err
		}
		snap := layout.SnapName(t.ReleaseRoot(rel), name)
		if _, err := h.ZFS.Get(ctx, snap); err == nil {
			return nil, fmt.Errorf("Snapshot: %s exists! Please destroy it to migrate %s", snap, j.Name)
		} else if !errors.Is(err, zfs.ErrNotFound) {
			return nil, err
		}
		if _, err := h.ZFS.Get(ctx, t.JailOld(j.Name)); err == nil {
			return nil, fmt.Errorf("%s exists, left by an earlier migration of %s: move or destroy it first", t.JailOld(j.Name), j.Name)
		} else if !errors.Is(err, zfs.ErrNotFound) {
			return nil, err
		}
		if opts.Delete {
			for _, d := range inv.Scan.Children(j.Dataset.Name) {
				if d.Name != j.Root.Name {
					return nil, fmt.Errorf("%s holds %s, which -d would destroy: migrate without -d", j.Name, d.Name)
				}
			}
		}
		plan = append(plan, Migration{Jail: j, Tag: tag, Name: name, Release: rel})
	}
	return plan, nil
}

// Migrate converts each planned jail, one after the other, each as one
// change that unwinds whole on failure or interrupt; with several jails a
// failure is reported on opts.Err and the others go on (EachJail).
func (h *Host) Migrate(ctx context.Context, inv *inventory.Inventory, plan []Migration, opts MigrateOptions) error {
	byJail := map[*inventory.Jail]Migration{}
	var jails []*inventory.Jail
	for _, m := range plan {
		byJail[m.Jail] = m
		jails = append(jails, m.Jail)
	}
	return EachJail(ctx, jails, "migrate", opts.Err, func(j *inventory.Jail) error {
		m := byJail[j]
		if err := h.migrateOne(ctx, inv, m); err != nil {
			return err
		}
		return h.migrated(ctx, inv, m, opts)
	})
}

// migrateOne is steps 1 to 3, one transaction.
func (h *Host) migrateOne(ctx context.Context, inv *inventory.Inventory, m Migration) error {
	ctx, tx, _, err := h.Begin(ctx, "migrate", m.Jail.Name, nil)
	if err != nil {
		return err
	}
	defer tx.End()
	moved, oldRoot, err := h.moveToJailsOld(ctx, tx, inv.Tree, m.Jail)
	if err != nil {
		return err
	}
	root, err := h.cloneForMigration(ctx, tx, inv.Tree, m, moved)
	if err != nil {
		return err
	}
	if err := h.copyOldRoot(ctx, m, oldRoot.Mountpoint, root); err != nil {
		return err
	}
	return tx.Commit()
}

// moveToJailsOld is step 1: the old jail goes to jails_old, made for it
// when missing. It returns the moved dataset and its root.
func (h *Host) moveToJailsOld(ctx context.Context, tx *txn.Tx, t *inventory.Tree, old *inventory.Jail) (moved, oldRoot zfs.Dataset, err error) {
	if _, err := h.ZFS.Get(ctx, t.JailsOld()); errors.Is(err, zfs.ErrNotFound) {
		if err := tx.WillCreate(t.JailsOld(), false); err != nil {
			return moved, oldRoot, err
		}
		if err := tx.Made(t.JailsOld(), h.ZFS.Create(ctx, t.JailsOld(), zfs.CreateOptions{})); err != nil {
			return moved, oldRoot, err
		}
	} else if err != nil {
		return moved, oldRoot, err
	}
	moved, err = h.move(ctx, tx, old.Dataset.Name, t.JailOld(old.Name), false)
	if err != nil {
		return moved, oldRoot, err
	}
	oldRoot, err = h.ZFS.Get(ctx, layout.RootOf(moved.Name))
	return moved, oldRoot, err
}

// cloneForMigration is step 2: the new jail, a clone of its release, with
// the old jail's config and fstab and fresh hosts and rc.conf. It returns
// the new root's directory.
func (h *Host) cloneForMigration(ctx context.Context, tx *txn.Tx, t *inventory.Tree, m Migration, moved zfs.Dataset) (string, error) {
	jailDS, rootDS := t.Jail(m.Name), t.JailRoot(m.Name)
	snap := layout.SnapName(t.ReleaseRoot(m.Release), m.Name)
	if err := tx.WillCreateAll(txn.Created{Dataset: snap}, txn.Created{Dataset: jailDS, Recursive: true}); err != nil {
		return "", err
	}
	if err := tx.Made(snap, h.ZFS.Snapshot(ctx, snap, false)); err != nil {
		return "", err
	}
	if err := h.ZFS.Clone(ctx, snap, rootDS, zfs.CreateOptions{Parents: true}); err != nil {
		return "", err
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	dir := t.Dirs().Jail(m.Name)
	root := filepath.Join(dir, "root") // confine: host-owned, the dataset's root directory itself
	return root, writeMigratedFiles(t, m, moved, dir, root)
}

// writeMigratedFiles writes the new jail's config (the old one renamed),
// the old fstab with its paths following the jail, hosts and rc.conf.
func writeMigratedFiles(t *inventory.Tree, m Migration, moved zfs.Dataset, dir, root string) error {
	old := m.Jail
	cfg := old.Config.Clone()
	cfg.Set("host_hostname", m.Name)
	cfg.Set("host_hostuuid", m.Name)
	cfg.Set("type", "jail")
	cfg.Set("jail_zfs_dataset", layout.Layout{}.JailData(m.Name))
	if err := config.WriteConfig(filepath.Join(dir, config.ConfigFile), cfg, nil); err != nil {
		return err
	}
	fstab, err := os.ReadFile(filepath.Join(moved.Mountpoint, "fstab"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	fstab = []byte(strings.ReplaceAll(string(fstab), old.Dir+"/", dir+"/"))
	if err := atomicfile.Write(filepath.Join(dir, "fstab"), fstab, 0o644); err != nil {
		return err
	}
	if err := writeHosts(root, m.Name, cfg); err != nil {
		return err
	}
	return writeRCConf(t.Mountpoint, root)
}

// copyOldRoot is step 3: the jail's own files over the release's, and
// its rc.conf's hostname following the new name.
func (h *Host) copyOldRoot(ctx context.Context, m Migration, oldRoot, root string) error {
	h.Say("Copying files for %s, please wait...", m.Name)
	if err := confine.CopyTree(oldRoot, root); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	rc, err := confine.ReadFile(root, "etc/rc.conf")
	if errors.Is(err, os.ErrNotExist) {
		return ctx.Err()
	} else if err != nil {
		return err
	}
	from, to := `hostname="`+m.Jail.Name+`"`, `hostname="`+m.Name+`"`
	if s := strings.ReplaceAll(string(rc), from, to); s != string(rc) {
		if err := confine.WriteFileUnsynced(root, "etc/rc.conf", []byte(s), 0o644); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// migrated is what follows a committed migration: iocage_legacy's tag
// link goes, with Delete the old datasets too, and the jail is reported.
func (h *Host) migrated(ctx context.Context, inv *inventory.Inventory, m Migration, opts MigrateOptions) error {
	t := inv.Tree
	// The tag comes from config.json: only a plain name is a link in
	// IOCROOT/tags, never a path that leads out of it.
	link := filepath.Join(t.Mountpoint, "tags", m.Tag)
	plain := m.Tag != "" && m.Tag != "." && m.Tag != ".." && !strings.ContainsRune(m.Tag, '/')
	if fi, err := os.Lstat(link); plain && err == nil && fi.Mode()&os.ModeSymlink != 0 {
		if err := os.Remove(link); err != nil {
			return fmt.Errorf("%s migrated to %s, but %s stays: %w", m.Jail.Name, m.Name, link, err)
		}
	}
	if opts.Delete {
		if err := h.ZFS.Destroy(context.WithoutCancel(ctx), t.JailOld(m.Jail.Name), zfs.DestroyOptions{Recursive: true, Force: true}); err != nil {
			return fmt.Errorf("%s migrated to %s, but %s stays: %w", m.Jail.Name, m.Name, t.JailOld(m.Jail.Name), err)
		}
		// Only when nothing else is left in it.
		_ = h.ZFS.Destroy(context.WithoutCancel(ctx), t.JailsOld(), zfs.DestroyOptions{})
	}
	h.Say("%s (%s) migrated to %s!\n", m.Jail.Name, m.Tag, m.Name)
	return nil
}
