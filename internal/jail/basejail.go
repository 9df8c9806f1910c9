package jail

import (
	"path/filepath"

	"github.com/jcage/jcage/internal/confine"
	"github.com/jcage/jcage/internal/fstab"
	"github.com/jcage/jcage/internal/inventory"
)

// makeBasejail empties each base directory of a new jail's root and lists
// it in the jail's fstab as a read-only nullfs mount of the source's copy,
// which jail(8) mounts at start through mount.fstab. The entries are added
// one by one, as iocage adds them, so the file reads exactly as iocage's.
func (h *Host) makeBasejail(inv *inventory.Inventory, src *source, name, root string) error {
	tab := fstab.Parse(nil)
	for _, d := range fstab.BasejailDirs(src.release) {
		// The new root may come from a template, whose tree a jail owned.
		if err := confine.RemoveAll(root, d); err != nil {
			return err
		}
		if err := confine.MkdirAll(root, d, 0o755); err != nil {
			return err
		}
		tab.Add(fstab.BasejailEntry(filepath.Join(src.rootDir, d), confine.Path(root, d), h.Clock())) // confine: host-owned, a release's root
	}
	return tab.Save(filepath.Join(inv.Tree.Dirs().Jail(name), "fstab"))
}
