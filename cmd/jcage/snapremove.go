package main

import (
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

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
		Action: func(c *cli.Context) error {
			target, err := snapJailArg(c, "snapremove -n NAME [-R] [-f] JAIL|ALL")
			if err != nil {
				return err
			}
			name, err := snapNameFlag(c)
			if err != nil {
				return err
			}
			if name == jail.AllJails && !c.Bool("force") {
				return errors.New(`Mass snapshot deletion requires "force" (-f).`)
			}
			h := e.host()
			// With -R, jls tells which clones belong to running jails.
			inv, err := h.Load(c.Context, jail.Options{Create: e.uid == 0, State: c.Bool("recursive")})
			if err != nil {
				return err
			}
			jails, err := inv.SnapTargets(target)
			if err != nil {
				return err
			}
			res, err := h.SnapRemove(c.Context, inv, jails, jail.SnapRemoveOptions{Name: name, Clones: c.Bool("recursive")})
			if res != nil {
				for _, s := range res.Skipped {
					fmt.Fprintf(e.stderr, "Skipped snapshot %s: used by clones.\n", s.Snapshot)
				}
				for _, r := range res.Removed {
					for _, cl := range r.Clones {
						fmt.Fprintf(e.stdout, "Clone: %s destroyed\n", cl)
					}
					fmt.Fprintf(e.stdout, "Snapshot: %s destroyed\n", r.Snapshot)
				}
			}
			return err
		},
	}
}
