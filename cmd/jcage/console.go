package main

import (
	"context"
	"errors"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/lifecycle"
)

func init() { registerCommand("console", consoleCommand) }

func consoleCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "console",
		Usage:     "Login to a jail.",
		ArgsUsage: "JAIL",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "Start the jail if it is not running."},
		},
		Action: rootAction(e, parseConsole, runConsole),
	}
}

// consoleOptions is console's command line.
type consoleOptions struct {
	jail  string
	force bool // -f, or jcage -f: start the jail first
}

func parseConsole(c *cli.Context) (consoleOptions, error) {
	if c.NArg() != 1 {
		return consoleOptions{}, errors.New("Usage: jcage console [-f] JAIL")
	}
	return consoleOptions{jail: c.Args().First(), force: c.Bool("force") || global(c, "force")}, nil
}

// runConsole logs in to the jail on the terminal, starting it first with
// opts.force.
func runConsole(ctx context.Context, opts consoleOptions, d deps, w io.Writer) error {
	h := d.host
	inv, err := h.Load(ctx, inventory.Options{Create: true, State: true})
	if err != nil {
		return err
	}
	return lifecycle.Of(h).Console(ctx, inv, opts.jail, lifecycle.ExecOptions{
		Force: opts.force,
		Start: lifecycle.StartOptions{Debug: d.debug, Err: d.stderr, Paths: d.paths},
		Stdin: d.stdin, Stdout: w, Stderr: d.stderr,
	})
}
