package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/internal/inventory"
)

func init() { registerCommand("snapshot", snapshotCommand) }

func snapshotCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "snapshot",
		Usage:     "Snapshot a jail, or ALL jails.",
		ArgsUsage: "[-n NAME] JAIL|ALL",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "name", Aliases: []string{"n"}, Usage: "the snapshot name, what comes after @ (default: the UTC time, YYYY-MM-DD_HH:MM:SS)"},
		},
		Action: rootAction(e, parseSnapshot, runSnapshot),
	}
}

// snapshotOptions is snapshot's command line.
type snapshotOptions struct {
	jail string // JAIL or ALL
	name string // -n; empty is the time
}

func parseSnapshot(c *cli.Context) (snapshotOptions, error) {
	target, err := snapJailArg(c, "snapshot [-n NAME] JAIL|ALL")
	if err != nil {
		return snapshotOptions{}, err
	}
	return snapshotOptions{jail: target, name: c.String("name")}, nil
}

// runSnapshot takes one recursive snapshot of each jail named, all or
// none of them.
func runSnapshot(ctx context.Context, opts snapshotOptions, d deps, w io.Writer) error {
	h := d.host
	inv, err := h.Load(ctx, inventory.Options{Create: true})
	if err != nil {
		return err
	}
	jails, err := inv.SnapTargets(opts.jail)
	if err != nil {
		return err
	}
	made, err := h.Snapshot(ctx, inv, jails, opts.name)
	if err != nil {
		return err
	}
	for _, s := range made {
		fmt.Fprintf(w, "Snapshot: %s created.\n", s)
	}
	return nil
}

// snapJailArg is the one JAIL argument of the snapshot commands.
func snapJailArg(c *cli.Context, usage string) (string, error) {
	if c.NArg() != 1 {
		return "", fmt.Errorf("Usage: jcage %s", usage)
	}
	return c.Args().First(), nil
}

// snapNameFlag is the -n NAME that snapremove and rollback require;
// checked here rather than by urfave/cli, whose own check prints help
// for the JAIL argument as if it were a command.
func snapNameFlag(c *cli.Context) (string, error) {
	name := c.String("name")
	if name == "" {
		return "", errors.New(`Missing option "--name" / "-n".`)
	}
	return name, nil
}
