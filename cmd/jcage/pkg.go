package main

import (
	"errors"

	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/internal/jail"
)

func init() { registerCommand("pkg", pkgCommand) }

func pkgCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "pkg",
		Usage:     "Use pkg inside a specified jail.",
		ArgsUsage: "JAIL [PKG ARGS...]",
		// Everything after JAIL is pkg's.
		SkipFlagParsing: true,
		Action: needRoot(e, "pkg", func(c *cli.Context) error {
			args := c.Args().Slice()
			if len(args) > 0 && (args[0] == "--help" || args[0] == "help") {
				return cli.ShowCommandHelp(c, "pkg")
			}
			_, rest, err := leadingFlags(args, nil, nil)
			if err != nil {
				return err
			}
			if len(rest) == 0 {
				return errors.New("Usage: jcage pkg JAIL [PKG ARGS...]")
			}
			h := e.host()
			inv, err := h.Load(c.Context, jail.Options{Create: true, State: true})
			if err != nil {
				return err
			}
			return h.Pkg(c.Context, inv, rest[0], rest[1:], jail.ExecOptions{Stdin: e.stdin, Stdout: e.stdout, Stderr: e.stderr})
		}),
	}
}
