package main

import (
	"errors"

	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/internal/jail"
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
		Action: needRoot(e, "console", func(c *cli.Context) error {
			if c.NArg() != 1 {
				return errors.New("Usage: jcage console [-f] JAIL")
			}
			h := e.host()
			inv, err := h.Load(c.Context, jail.Options{Create: true, State: true})
			if err != nil {
				return err
			}
			return h.Console(c.Context, inv, c.Args().First(), jail.ExecOptions{
				Force: c.Bool("force") || e.force,
				Start: jail.StartOptions{Debug: e.debug, Err: e.stderr, Paths: lifecyclePaths(e)},
				Stdin: e.stdin, Stdout: e.stdout, Stderr: e.stderr,
			})
		}),
	}
}
