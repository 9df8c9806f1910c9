package jail

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/jcage/jcage/internal/config"
	"github.com/jcage/jcage/internal/layout"

	"github.com/jcage/jcage/internal/zfs"
)

// Rename gives a jail or template a new name: its dataset, the snapshot it
// was cloned from, its config and fstab, and the source_template of jails
// made from a template. The jail is stopped first.
func (h *Host) Rename(ctx context.Context, inv *Inventory, name, newName string) error {
	j, err := inv.Find(name)
	if err != nil {
		return err
	}
	if j.Err != nil {
		return fmt.Errorf("%s: %w", j.Name, j.Err)
	}
	if err := config.CheckName(newName); err != nil {
		return err
	}
	if inv.exists(newName) {
		return fmt.Errorf("Jail: %s already exists!", newName)
	}
	newDir := inv.Tree.Dirs().Jail(newName)
	if j.Template {
		newDir = inv.Tree.Dirs().Template(newName)
	}
	if err := CheckRootPath(newDir); err != nil {
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
	tx, err := h.begin(ctx, "rename", j.Name)
	if err != nil {
		return err
	}
	defer tx.end()
	uctx := tx.ctx
	if origin := j.Root.Origin; origin != "" {
		if ds, snap, _ := layout.SplitSnap(origin); snap == j.Name && layout.Child(t.Releases(), ds) {
			nw := layout.SnapName(ds, newName)
			if err := h.ZFS.Rename(ctx, origin, nw, zfs.RenameOptions{}); err != nil {
				return err
			}
			tx.Add(func() error { return h.ZFS.Rename(uctx, nw, origin, zfs.RenameOptions{}) })
		}
	}
	// iocage.py rename: a dataset jailed=on can't be renamed, so the
	// jail's data dataset and every file system below it get jailed=off
	// first; the next start with jail_zfs sets it on again.
	if ds, err := h.ZFS.List(ctx, layout.DataOf(from), zfs.ListOptions{Recursive: true, Props: []string{"jailed"}}); err == nil {
		for _, dd := range ds {
			if dd.Prop("jailed") != "on" {
				continue
			}
			name := dd.Name
			if err := h.ZFS.SetProps(ctx, name, map[string]string{"jailed": "off"}); err != nil {
				return err
			}
			tx.Add(func() error {
				// The move is undone first: the dataset has its old name.
				return h.ZFS.SetProps(uctx, name, map[string]string{"jailed": "on"})
			})
		}
	} else if !errors.Is(err, zfs.ErrNotFound) {
		return err
	}
	d, err := tx.move(ctx, from, to, j.Template)
	if err != nil {
		return err
	}
	oldDir := j.Dir
	err = Update(filepath.Join(d.Mountpoint, config.ConfigFile), nil, func(c *config.Config) error {
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
	if err := replaceInFile(filepath.Join(d.Mountpoint, "fstab"), oldDir+"/", d.Mountpoint+"/"); err != nil {
		return err
	}
	if j.Template {
		for _, o := range inv.Jails {
			if o.Config != nil && o.Prop("source_template") == j.Name {
				if err := Update(o.ConfigPath(), nil, func(c *config.Config) error {
					c.Set("source_template", newName)
					return nil
				}); err != nil {
					return err
				}
			}
		}
		if err := h.ZFS.SetProps(ctx, to, map[string]string{"readonly": "on"}); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	tx.commit()
	h.say("Jail: %s renamed to %s", j.Name, newName)
	return nil
}
