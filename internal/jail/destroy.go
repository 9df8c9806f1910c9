package jail

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/layout"
	"github.com/jcage/jcage/internal/plan"
	"github.com/jcage/jcage/internal/zfs"
)

// DestroyOptions is `destroy [-f] [-R]`.
type DestroyOptions struct {
	Force     bool // -f: stop a running jail first
	Recursive bool // -R: also destroy jails cloned from this one
}

// Destroy removes one jail or template: its dataset and everything below
// it (never a neighbour whose name merely starts the same), its console
// log, and the snapshot it was cloned from.
func (h *Host) Destroy(ctx context.Context, inv *inventory.Inventory, j *inventory.Jail, opts DestroyOptions) error {
	// Nothing to journal: a recursive destroy is one zfs call, and a
	// destroy cannot be undone.
	ctx, tx, inv, j, err := h.BeginJail(ctx, "destroy", inv, j)
	if err != nil {
		return err
	}
	defer tx.End()
	if deps := inv.Dependents(j.Dataset.Name); len(deps) > 0 && !opts.Recursive {
		return &inventory.DependentsError{Name: j.Name, Dependents: deps}
	}
	if j.Running() {
		if !opts.Force {
			return fmt.Errorf("Jail %s is still running, please stop the jail first or destroy it with -f", j.Name)
		}
		if err := h.Lifecycle.Stop(ctx, []string{j.Name}); err != nil {
			return err
		}
	}
	err = h.ZFS.Destroy(ctx, j.Dataset.Name, zfs.DestroyOptions{Recursive: true, Clones: opts.Recursive, Force: true})
	if err != nil && !errors.Is(err, zfs.ErrNotFound) {
		return err
	}
	_ = os.Remove(plan.ServiceLogPath(inv.Tree.Mountpoint, j.Name))
	if origin := j.Root.Origin; origin != "" {
		h.destroyOrigin(ctx, inv, j, origin)
	}
	h.Say("Destroying %s", j.Name)
	return tx.Commit()
}

// destroyOrigin removes the snapshot a jail was cloned from when jcage (or
// iocage) made it for this jail: releases/REL/root@NAME, or the recursive
// templates/T@NAME or jails/SRC@NAME.
func (h *Host) destroyOrigin(ctx context.Context, inv *inventory.Inventory, j *inventory.Jail, origin string) {
	ds, snap, _ := layout.SplitSnap(origin)
	if snap != j.Name {
		return
	}
	t := inv.Tree
	target, recursive := origin, false
	switch {
	case layout.Child(t.Templates(), ds), layout.Child(t.Jails(), ds):
		// clone and create -t snapshot the whole source: SRC@NAME -r.
		target, recursive = layout.SnapName(layout.Parent(ds), snap), true
	case !layout.Child(t.Releases(), ds):
		return
	}
	// Another clone of the same snapshot keeps it alive.
	if err := h.ZFS.Destroy(ctx, target, zfs.DestroyOptions{Recursive: recursive}); err != nil && !errors.Is(err, zfs.ErrNotFound) && h.Out != nil {
		fmt.Fprintf(h.Out, "kept snapshot %s: %v\n", target, err)
	}
}
