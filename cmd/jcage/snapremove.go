package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/jail"
)

func init() { registerCommand("snapremove", snapremoveCommand) }

func snapremoveCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "snapremove",
		Usage:     "Remove a snapshot of a jail, or of ALL jails.",
		ArgsUsage: "-n NAME [-R] [-f] JAIL|ALL",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "name", Aliases: []string{"n"}, Usage: "the snapshot name, what comes after @, or ALL"},
			&cli.BoolFlag{Name: "recursive", Aliases: []string{"R"}, Usage: "also destroy the clones that depend on the snapshot"},
			&cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "required with -n ALL"},
		},
		Action: action(e, parseSnapremove, runSnapremove),
	}
}

// snapremoveOptions is snapremove's command line.
type snapremoveOptions struct {
	jail   string // JAIL or ALL
	name   string // -n NAME, or ALL with -f
	clones bool   // -R
}

func parseSnapremove(c *cli.Context) (snapremoveOptions, error) {
	target, err := snapJailArg(c, "snapremove -n NAME [-R] [-f] JAIL|ALL")
	if err != nil {
		return snapremoveOptions{}, err
	}
	name, err := snapNameFlag(c)
	if err != nil {
		return snapremoveOptions{}, err
	}
	if name == inventory.AllJails && !c.Bool("force") {
		return snapremoveOptions{}, errors.New(`Mass snapshot deletion requires "force" (-f).`)
	}
	return snapremoveOptions{jail: target, name: name, clones: c.Bool("recursive")}, nil
}

// runSnapremove destroys the snapshot of each jail named, and with
// opts.clones the clones made from it. It needs no root: zfs decides,
// as in iocage.
func runSnapremove(ctx context.Context, opts snapremoveOptions, d deps, w io.Writer) error {
	h := d.host
	// With -R, jls tells which clones belong to running jails.
	inv, err := h.Load(ctx, inventory.Options{Create: h.UID == 0, State: opts.clones})
	if err != nil {
		return err
	}
	jails, err := inv.SnapTargets(opts.jail)
	if err != nil {
		return err
	}
	res, err := h.SnapRemove(ctx, inv, jails, jail.SnapRemoveOptions{Name: opts.name, Clones: opts.clones})
	if res != nil {
		for _, s := range res.Skipped {
			fmt.Fprintf(d.stderr, "Skipped snapshot %s: used by clones.\n", s.Snapshot)
		}
		for _, r := range res.Removed {
			for _, cl := range r.Clones {
				fmt.Fprintf(w, "Clone: %s destroyed\n", cl)
			}
			fmt.Fprintf(w, "Snapshot: %s destroyed\n", r.Snapshot)
		}
	}
	return err
}
