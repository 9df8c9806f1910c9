package jail

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/jcage/jcage/internal/config"
	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/layout"
	"github.com/jcage/jcage/internal/txn"
	"github.com/jcage/jcage/internal/zfs"
)

// Rename gives a jail or template a new name: its dataset, the snapshot it
// was cloned from, its config and fstab, and the source_template of jails
// made from a template. The jail is stopped first.
func (h *Host) Rename(ctx context.Context, inv *inventory.Inventory, name, newName string) error {
	ctx, tx, inv, err := h.Begin(ctx, "rename", name, inv)
	if err != nil {
		return err
	}
	defer tx.End()
	j, err := inv.Find(name)
	if err != nil {
		return err
	}
	if err := checkRename(inv, j, newName); err != nil {
		return err
	}
	if j.Running() {
		if err := h.Lifecycle.Stop(ctx, []string{j.Name}); err != nil {
			return err
		}
	}
	t := inv.Tree
	from, to := t.Jail(j.Name), t.Jail(newName)
	if j.Template {
		from, to = t.Template(j.Name), t.Template(newName)
	}
	if err := h.renameOriginSnapshot(ctx, tx, t, j, newName); err != nil {
		return err
	}
	if err := h.unjailData(ctx, tx, from); err != nil {
		return err
	}
	d, err := h.move(ctx, tx, from, to, j.Template)
	if err != nil {
		return err
	}
	if err := renameFiles(tx, inv, j, d.Mountpoint, newName); err != nil {
		return err
	}
	if j.Template {
		if err := tx.WillSet(to, "readonly", "off"); err != nil {
			return err
		}
		if err := h.ZFS.SetProps(ctx, to, map[string]string{"readonly": "on"}); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	h.Say("Jail: %s renamed to %s", j.Name, newName)
	return nil
}

// checkRename refuses to rename j to newName: a jail whose
// configuration can't be read, a name that is not valid or already
// taken, or one whose directory would not be a safe root path.
func checkRename(inv *inventory.Inventory, j *inventory.Jail, newName string) error {
	if j.Err != nil {
		return fmt.Errorf("%s: %w", j.Name, j.Err)
	}
	if err := config.CheckName(newName); err != nil {
		return err
	}
	if inv.Exists(newName) {
		return fmt.Errorf("Jail: %s already exists!", newName)
	}
	newDir := inv.Tree.Dirs().Jail(newName)
	if j.Template {
		newDir = inv.Tree.Dirs().Template(newName)
	}
	return CheckRootPath(newDir)
}

// renameOriginSnapshot renames the release snapshot j was cloned from,
// RELEASE@NAME, after the jail's new name.
func (h *Host) renameOriginSnapshot(ctx context.Context, tx *txn.Tx, t *inventory.Tree, j *inventory.Jail, newName string) error {
	origin := j.Root.Origin
	if origin == "" {
		return nil
	}
	ds, snap, _ := layout.SplitSnap(origin)
	if snap != j.Name || !layout.Child(t.Releases(), ds) {
		return nil
	}
	nw := layout.SnapName(ds, newName)
	if err := tx.WillRename(origin, nw); err != nil {
		return err
	}
	return h.ZFS.Rename(ctx, origin, nw, zfs.RenameOptions{})
}

// unjailData sets jailed=off on the data dataset of the jail at from and
// every file system below it that has it on. iocage.py rename: a
// dataset jailed=on can't be renamed; the next start with jail_zfs sets
// it on again.
func (h *Host) unjailData(ctx context.Context, tx *txn.Tx, from string) error {
	ds, err := h.ZFS.List(ctx, layout.DataOf(from), zfs.ListOptions{Recursive: true, Props: []string{"jailed"}})
	if errors.Is(err, zfs.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, dd := range ds {
		if dd.Prop("jailed") != "on" {
			continue
		}
		// Undone after the move: the dataset has its old name again.
		if err := tx.WillSet(dd.Name, "jailed", "on"); err != nil {
			return err
		}
		if err := h.ZFS.SetProps(ctx, dd.Name, map[string]string{"jailed": "off"}); err != nil {
			return err
		}
	}
	return nil
}

// renameFiles rewrites, within tx, what names the jail in its files (now
// under dir): config.json, fstab, and for a template the source_template
// of the jails made from it.
func renameFiles(tx *txn.Tx, inv *inventory.Inventory, j *inventory.Jail, dir, newName string) error {
	cfgPath, fstabPath := filepath.Join(dir, config.ConfigFile), filepath.Join(dir, "fstab")
	if err := tx.WillWrite(cfgPath); err != nil {
		return err
	}
	err := txn.UpdateConfig(cfgPath, nil, func(c *config.Config) error {
		c.Set("host_hostuuid", newName)
		if v, _ := c.Get("host_hostname"); v == j.Name || v == strings.ReplaceAll(j.Name, "_", "-") {
			c.Set("host_hostname", strings.ReplaceAll(newName, "_", "-"))
		}
		if v, ok := c.Get("jail_zfs_dataset"); ok {
			c.Set("jail_zfs_dataset", strings.Replace(v, layout.Layout{}.Jail(j.Name), layout.Layout{}.Jail(newName), 1))
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := tx.WillWrite(fstabPath); err != nil {
		return err
	}
	if err := replaceInFile(fstabPath, j.Dir+"/", dir+"/"); err != nil {
		return err
	}
	if !j.Template {
		return nil
	}
	for _, o := range inv.Jails {
		if o.Config == nil || o.Prop("source_template") != j.Name {
			continue
		}
		if err := tx.WillWrite(o.ConfigPath()); err != nil {
			return err
		}
		if err := txn.UpdateConfig(o.ConfigPath(), nil, func(c *config.Config) error {
			c.Set("source_template", newName)
			return nil
		}); err != nil {
			return err
		}
	}
	return nil
}
