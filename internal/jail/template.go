package jail

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/jcage/jcage/internal/config"
	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/txn"
)

// SetTemplate moves a jail between jails/ and templates/ (`set
// template=yes|no`): the dataset is renamed, config says type and
// template, and a template's dataset is readonly. It refuses while the jail
// or any jail cloned from it runs.
func (h *Host) SetTemplate(ctx context.Context, inv *inventory.Inventory, name string, on bool) error {
	ctx, tx, inv, err := h.Begin(ctx, "template", name, inv)
	if err != nil {
		return err
	}
	defer tx.End()
	j, err := inv.Find(name)
	if err != nil {
		return err
	}
	if j.Err != nil {
		return fmt.Errorf("%s: %w", j.Name, j.Err)
	}
	if err := config.TemplateChange(j.Name, j.Template, map[bool]string{true: "1", false: "0"}[on]); err != nil {
		return err
	}
	if on {
		// A template's name is a new name, held to create's rules;
		// turning a template back into a jail is always allowed.
		if err := config.CheckName(j.Name); err != nil {
			return err
		}
	}
	if running := inv.RunningDependents(j); len(running) > 0 {
		return fmt.Errorf("%s is running or has running clones (%v). Please stop them first!", j.Name, running)
	}
	t := inv.Tree
	from, to := t.Jail(j.Name), t.Template(j.Name)
	if !on {
		from, to = to, from
	}
	d, err := h.move(ctx, tx, from, to, !on)
	if err != nil {
		return err
	}
	path := filepath.Join(d.Mountpoint, config.ConfigFile)
	typ := "jail"
	if on {
		typ = "template"
	}
	// The config and readonly go back with the rename on a failure, an
	// interrupt or a crash.
	if err := tx.WillWrite(path); err != nil {
		return err
	}
	err = txn.UpdateConfig(path, nil, func(c *config.Config) error {
		if v, _ := c.Get("type"); v == "jail" || v == "template" || v == "" {
			c.Set("type", typ)
		}
		c.Set("template", map[bool]string{true: "1", false: "0"}[on])
		return nil
	})
	if err != nil {
		return err
	}
	if on {
		if err := tx.WillSet(to, "readonly", ""); err != nil {
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
	j.Template, j.Dir = on, d.Mountpoint
	j.Dataset.Name = to
	if on {
		h.Say("%s converted to a template.", j.Name)
	} else {
		h.Say("%s converted to a jail.", j.Name)
	}
	return nil
}
