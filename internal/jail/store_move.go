package jail

import (
	"context"

	"github.com/jcage/jcage/internal/txn"
	"github.com/jcage/jcage/internal/zfs"
)

// move renames a jail's dataset within tx: the readonly a template carries
// is lifted first when liftReadonly is set, and both steps are undone if
// the change does not finish. It returns the dataset under its new name.
func (h *Host) move(ctx context.Context, tx *txn.Tx, from, to string, liftReadonly bool) (zfs.Dataset, error) {
	if liftReadonly {
		if err := tx.WillSet(from, "readonly", "on"); err != nil {
			return zfs.Dataset{}, err
		}
		if err := h.ZFS.SetProps(ctx, from, map[string]string{"readonly": "off"}); err != nil {
			return zfs.Dataset{}, err
		}
	}
	if err := tx.WillRename(from, to); err != nil {
		return zfs.Dataset{}, err
	}
	if err := h.ZFS.Rename(ctx, from, to, zfs.RenameOptions{Force: true}); err != nil {
		return zfs.Dataset{}, err
	}
	return h.ZFS.Get(ctx, to)
}
