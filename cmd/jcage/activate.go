package main

import (
	"errors"

	"github.com/urfave/cli/v2"
)

func init() { registerCommand("activate", activateCommand) }

func activateCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "activate",
		Usage:     "Set a zpool active for jcage (and iocage) usage.",
		ArgsUsage: "ZPOOL",
		Action: needRoot(e, "activate", func(c *cli.Context) error {
			if c.NArg() != 1 {
				return errors.New("Usage: jcage activate ZPOOL")
			}
			pool := c.Args().First()
			h := e.host()
			if err := h.Activate(c.Context, pool); err != nil {
				return err
			}
			_, err := h.OpenTree(c.Context, pool, true)
			return err
		}),
	}
}
