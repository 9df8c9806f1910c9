package main

import (
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/internal/jail"
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
		Action: needRoot(e, "snapshot", func(c *cli.Context) error {
			target, err := snapJailArg(c, "snapshot [-n NAME] JAIL|ALL")
			if err != nil {
				return err
			}
			h := e.host()
			inv, err := h.Load(c.Context, jail.Options{Create: true})
			if err != nil {
				return err
			}
			jails, err := inv.SnapTargets(target)
			if err != nil {
				return err
			}
			made, err := h.Snapshot(c.Context, inv, jails, c.String("name"))
			if err != nil {
				return err
			}
			for _, s := range made {
				fmt.Fprintf(e.stdout, "Snapshot: %s created.\n", s)
			}
			return nil
		}),
	}
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
