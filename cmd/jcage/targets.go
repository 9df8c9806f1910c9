package main

import (
	"context"

	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/jail"
)

// forEachJail runs fn on the jail arg names, or with ALL on every jail,
// one after the other (jail.EachJail): exec, pkg and upgrade.
func forEachJail(ctx context.Context, d deps, inv *inventory.Inventory, arg, verb string, fn func(*inventory.Jail) error) error {
	targets, err := inv.Targets(arg)
	if err != nil {
		return err
	}
	return jail.EachJail(ctx, targets, verb, d.stderr, fn)
}
