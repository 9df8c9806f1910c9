package main

import (
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/internal/jail"
)

func init() { registerCommand("destroy", destroyCommand) }

func destroyCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "destroy",
		Usage:     "Destroy jails, or fetched releases with -r.",
		ArgsUsage: "JAIL... | -r RELEASE...",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "do not ask; stop running jails first"},
			&cli.BoolFlag{Name: "recursive", Aliases: []string{"R"}, Usage: "also destroy jails cloned from these"},
			&cli.BoolFlag{Name: "release", Aliases: []string{"r"}, Usage: "destroy fetched releases"},
			&cli.BoolFlag{Name: "download", Aliases: []string{"d"}, Usage: "with -r, also destroy the downloaded sets"},
		},
		Action: needRoot(e, "destroy", func(c *cli.Context) error {
			if c.NArg() == 0 {
				return errors.New("Usage: jcage destroy [-f] [-R] JAIL... | destroy -r [-d] RELEASE...")
			}
			if c.Bool("release") {
				return destroyReleasesCmd(c, e)
			}
			h, inv, unlock, err := e.lockedInventory(c.Context, true)
			if err != nil {
				return err
			}
			defer unlock()
			var targets []*jail.Jail
			for _, a := range c.Args().Slice() {
				j, err := inv.Find(a)
				if err != nil {
					return err
				}
				targets = append(targets, j)
			}
			for _, j := range targets {
				if !c.Bool("force") {
					ok, err := askYesNo(e, fmt.Sprintf("This will destroy jail %s", j.Name))
					if err != nil {
						return err
					}
					if !ok {
						continue
					}
				}
				if err := h.Destroy(c.Context, inv, j, jail.DestroyOptions{Force: c.Bool("force"), Recursive: c.Bool("recursive")}); err != nil {
					return err
				}
			}
			return nil
		}),
	}
}
