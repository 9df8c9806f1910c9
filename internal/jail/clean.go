package jail

import (
	"context"
	"errors"
	"os"
	"path/filepath"

	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/layout"
	"github.com/jcage/jcage/internal/zfs"
)

// CleanScope selects what `clean` destroys.
type CleanScope struct {
	All, Jails, Releases, Templates, Images, Debug bool
}

// Warning is iocage's confirmation text for the scope.
func (s CleanScope) Warning() string {
	switch {
	case s.All:
		return "This will destroy ALL iocage data!"
	case s.Jails:
		return "This will destroy ALL jails and any snapshots on a RELEASE, including templates!"
	case s.Releases:
		return "This will destroy ALL RELEASEs, including the jails and templates created from them!"
	case s.Templates:
		return "This will destroy ALL templates and jails created from them!"
	case s.Images:
		return "This will destroy ALL images!"
	case s.Debug:
		return "This will destroy the debug directory!"
	}
	return ""
}

// Clean destroys whole parts of the tree. The next command recreates the
// top-level datasets.
func (h *Host) Clean(ctx context.Context, inv *inventory.Inventory, s CleanScope) error {
	ctx, tx, inv, err := h.Begin(ctx, "clean", "", inv)
	if err != nil {
		return err
	}
	defer tx.End()
	t := inv.Tree
	destroy := func(ds string) error {
		err := h.ZFS.Destroy(ctx, ds, zfs.DestroyOptions{Recursive: true, Clones: true, Force: true})
		if errors.Is(err, zfs.ErrNotFound) {
			return nil
		}
		return err
	}
	var targets []string
	switch {
	case s.All:
		targets = []string{t.Templates(), t.Jails(), t.Releases(), t.Log(), t.Images(), t.Downloads(), t.Root()}
	case s.Jails:
		targets = []string{t.Jails()}
		// Every snapshot on a release: the origins of the jails just gone.
		for _, d := range inv.Scan.Children(t.Releases()) {
			if root, ok := inv.Scan.Get(layout.RootOf(d.Name)); ok {
				snaps, err := h.ZFS.List(ctx, root.Name, ListSnapshots)
				if err != nil {
					return err
				}
				for _, sn := range snaps {
					targets = append(targets, sn.Name)
				}
			}
		}
	case s.Releases:
		targets = []string{t.Downloads(), t.Releases()}
	case s.Templates:
		targets = []string{t.Templates()}
	case s.Images:
		targets = []string{t.Images()}
	case s.Debug:
		if err := os.RemoveAll(filepath.Join(t.Mountpoint, "debug")); err != nil {
			return err
		}
		return tx.Commit()
	default:
		return errors.New("Please specify a dataset to clean (-a, -j, -r, -t, -i or -d)")
	}
	for _, ds := range targets {
		if err := destroy(ds); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// ListSnapshots reads a dataset's own snapshots.
var ListSnapshots = zfs.ListOptions{Types: []string{zfs.Snapshot}, Depth: 1}
