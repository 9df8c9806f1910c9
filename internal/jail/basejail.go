package jail

import (
	"os"
	"path/filepath"

	"github.com/jcage/jcage/internal/fstab"
)

// makeBasejail empties each base directory of a new jail's root and lists
// it in the jail's fstab as a read-only nullfs mount of the source's copy,
// which jail(8) mounts at start through mount.fstab. The entries are added
// one by one, as iocage adds them, so the file reads exactly as iocage's.
func (h *Host) makeBasejail(inv *Inventory, src *source, name, root string) error {
	tab := fstab.Parse(nil)
	for _, d := range fstab.BasejailDirs(src.release) {
		dst := filepath.Join(root, d)
		if err := os.RemoveAll(dst); err != nil {
			return err
		}
		if err := os.MkdirAll(dst, 0o755); err != nil {
			return err
		}
		tab.Add(fstab.BasejailEntry(filepath.Join(src.rootDir, d), dst, h.now()))
	}
	return tab.Save(filepath.Join(inv.Tree.Mountpoint, "jails", name, "fstab"))
}
