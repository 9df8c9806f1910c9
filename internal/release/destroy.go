package release

import (
	"context"
	"errors"
	"fmt"

	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/layout"
	"github.com/jcage/jcage/internal/zfs"
)

// DestroyOptions are `destroy -r`'s flags.
type DestroyOptions struct {
	Download  bool // -d: also the kept sets in download/REL
	Recursive bool // -R: destroy the jails cloned from the release first
	Force     bool // -f: stop running dependents instead of refusing
	// DestroyJail destroys one dependent jail or template and what was
	// cloned from it, as the store's destroy -r does (force is -f).
	// Recursive needs it: release reaches the store only through it.
	DestroyJail func(ctx context.Context, inv *inventory.Inventory, j *inventory.Jail, force bool) error
}

// Destroy removes POOL/iocage/releases/REL and, with Download, its
// download dataset. Jails and templates whose roots are clones of the
// release's snapshots keep it alive: they are refused with iocage's
// message unless Recursive, which destroys them (and what was cloned from
// them) first, deepest first. Nothing is destroyed when a check fails.
func Destroy(ctx context.Context, h *inventory.Host, inv *inventory.Inventory, rel string, opts DestroyOptions) error {
	ctx, tx, inv, err := h.Begin(ctx, "destroy", rel, inv)
	if err != nil {
		return err
	}
	defer tx.End()
	t := inv.Tree
	relDS, dlDS := t.Release(rel), t.Download(rel)
	_, haveRel := inv.Scan.Get(relDS)
	_, haveDL := inv.Scan.Get(dlDS)
	if !ValidName(rel) || (!haveRel && !(opts.Download && haveDL)) {
		return fmt.Errorf("RELEASE: %s not found!", rel)
	}
	if haveRel {
		deps := inv.Dependents(relDS)
		if len(deps) > 0 && !opts.Recursive {
			return &inventory.DependentsError{Name: rel, Dependents: deps}
		}
		if len(deps) > 0 && opts.DestroyJail == nil {
			return errors.New("release destroy -R: no way to destroy the dependent jails")
		}
		order := dependentJails(inv, relDS)
		for _, j := range order {
			if j.Running() && !opts.Force {
				return fmt.Errorf("Jail %s is still running, please stop the jail first or destroy it with -f", j.Name)
			}
		}
		for _, j := range order {
			if err := opts.DestroyJail(ctx, inv, j, opts.Force); err != nil {
				return err
			}
		}
		if h.Out != nil {
			fmt.Fprintf(h.Out, "Destroying RELEASE dataset: %s\n", rel)
		}
		// -R also reaches clones outside the iocage tree, which the
		// scan cannot see; without it zfs refuses them.
		err := h.ZFS.Destroy(ctx, relDS, zfs.DestroyOptions{Recursive: true, Clones: opts.Recursive, Force: true})
		if err != nil && !errors.Is(err, zfs.ErrNotFound) {
			return err
		}
	}
	if opts.Download && haveDL {
		err := h.ZFS.Destroy(ctx, dlDS, zfs.DestroyOptions{Recursive: true, Force: true})
		if err != nil && !errors.Is(err, zfs.ErrNotFound) {
			return err
		}
	}
	return tx.Commit()
}

// dependentJails lists the jails and templates cloned, directly or
// through one another, from snapshots below ds, the deepest dependents
// first so that each is gone before what it was cloned from.
func dependentJails(inv *inventory.Inventory, ds string) []*inventory.Jail {
	owner := func(name string) *inventory.Jail {
		for _, j := range inv.Jails {
			if layout.Child(j.Dataset.Name, name) {
				return j
			}
		}
		return nil
	}
	var order []*inventory.Jail
	seen := map[string]bool{}
	queue := []string{ds}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, d := range inv.Dependents(cur) {
			j := owner(d)
			if j == nil || seen[j.Name] {
				continue
			}
			seen[j.Name] = true
			order = append(order, j)
			queue = append(queue, j.Dataset.Name)
		}
	}
	for i, k := 0, len(order)-1; i < k; i, k = i+1, k-1 {
		order[i], order[k] = order[k], order[i]
	}
	return order
}
