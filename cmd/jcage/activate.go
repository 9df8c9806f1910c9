package main

import (
	"context"
	"errors"
	"io"

	"github.com/urfave/cli/v2"
)

func init() { registerCommand("activate", activateCommand) }

func activateCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "activate",
		Usage:     "Set a zpool active for jcage (and iocage) usage.",
		ArgsUsage: "ZPOOL",
		Action:    rootAction(e, parseActivate, runActivate),
	}
}

// activateOptions is activate's command line.
type activateOptions struct {
	pool string
}

func parseActivate(c *cli.Context) (activateOptions, error) {
	if c.NArg() != 1 {
		return activateOptions{}, errors.New("Usage: jcage activate ZPOOL")
	}
	return activateOptions{pool: c.Args().First()}, nil
}

// runActivate marks the pool active, and every other pool not, and
// creates its iocage tree.
func runActivate(ctx context.Context, opts activateOptions, d deps, _ io.Writer) error {
	if err := d.host.Activate(ctx, opts.pool); err != nil {
		return err
	}
	_, err := d.host.OpenTree(ctx, opts.pool, true)
	return err
}
