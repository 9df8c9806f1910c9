package main

import (
	"errors"

	"github.com/urfave/cli/v2"
)

func init() { registerCommand("rename", renameCommand) }

func renameCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "rename",
		Usage:     "Rename a jail.",
		ArgsUsage: "JAIL NEW_NAME",
		Action: needRoot(e, "rename", func(c *cli.Context) error {
			if c.NArg() != 2 {
				return errors.New("Usage: jcage rename JAIL NEW_NAME")
			}
			h, inv, unlock, err := e.lockedInventory(c.Context, true)
			if err != nil {
				return err
			}
			defer unlock()
			return h.Rename(c.Context, inv, c.Args().Get(0), c.Args().Get(1))
		}),
	}
}
