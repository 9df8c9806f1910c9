package jail

import "errors"

// makeBasejail is completed together with the fstab package.
func (h *Host) makeBasejail(inv *Inventory, src *source, name, root string) error {
	return errors.New("base jails are not available in this build")
}
