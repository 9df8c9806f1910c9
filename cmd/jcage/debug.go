package main

import (
	"context"
	"io"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/internal/inventory"
)

func init() { registerCommand("debug", debugCommand) }

// debugCommand is iocage's debug: the support bundle, in IOCROOT/debug
// unless -d names a directory (iocage_cli/debug.py).
func debugCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:        "debug",
		Usage:       "Create a debug directory.",
		Description: "Writes iocage's support bundle: host.txt with the datasets, mounts and routes,\nand NAME.txt for each jail and template with its properties, fstab and\nconfiguration files and, when it runs, its interfaces and routes.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "directory", Aliases: []string{"d"}, Usage: "Directory to keep debug, defaults to mountpoint/debug."},
		},
		Action: rootAction(e, parseDebug, runDebug),
	}
}

// debugOptions is debug's command line.
type debugOptions struct {
	dir string // -d; empty is IOCROOT/debug
}

func parseDebug(c *cli.Context) (debugOptions, error) {
	return debugOptions{dir: c.String("directory")}, nil
}

// runDebug writes the support bundle.
func runDebug(ctx context.Context, opts debugOptions, d deps, _ io.Writer) error {
	h := d.host
	inv, err := h.Load(ctx, inventory.Options{Create: true, State: true})
	if err != nil {
		return err
	}
	dir := opts.dir
	if dir == "" {
		dir = filepath.Join(inv.Tree.Mountpoint, "debug")
	}
	return h.Debug(ctx, inv, dir)
}
