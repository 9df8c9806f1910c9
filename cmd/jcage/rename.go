package main

import (
	"context"
	"errors"
	"io"

	"github.com/urfave/cli/v2"
)

func init() { registerCommand("rename", renameCommand) }

func renameCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "rename",
		Usage:     "Rename a jail.",
		ArgsUsage: "JAIL NEW_NAME",
		Action:    rootAction(e, parseRename, runRename),
	}
}

// renameOptions is rename's command line.
type renameOptions struct {
	jail, newName string
}

func parseRename(c *cli.Context) (renameOptions, error) {
	if c.NArg() != 2 {
		return renameOptions{}, errors.New("Usage: jcage rename JAIL NEW_NAME")
	}
	return renameOptions{jail: c.Args().Get(0), newName: c.Args().Get(1)}, nil
}

// runRename renames a jail under the tree lock, stopping it first if it
// runs.
func runRename(ctx context.Context, opts renameOptions, d deps, _ io.Writer) error {
	h := d.host
	inv, err := d.load(ctx, h, true, nil)
	if err != nil {
		return err
	}
	return h.Rename(ctx, inv, opts.jail, opts.newName)
}
