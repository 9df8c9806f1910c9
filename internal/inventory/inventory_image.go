package inventory

import "fmt"

// ImportFree refuses an import whose name a jail or template holds.
func (inv *Inventory) ImportFree(name string) error {
	if inv.Exists(name) {
		return fmt.Errorf("Jail: %s already exists!", name)
	}
	for _, ds := range []string{inv.Tree.Jail(name), inv.Tree.Template(name)} {
		if _, ok := inv.Scan.Get(ds); ok {
			return fmt.Errorf("Jail: %s already exists!", name)
		}
	}
	return nil
}
