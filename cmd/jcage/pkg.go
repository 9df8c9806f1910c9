package main

import (
	"errors"

	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/internal/jail"
)

func init() { registerCommand(pkgCommand) }

func pkgCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "pkg",
		Usage:     "Use pkg inside a specified jail.",
		ArgsUsage: "JAIL|ALL [PKG ARGS...]",
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
				return errors.New("Usage: jcage pkg JAIL|ALL [PKG ARGS...]")
			}
			h := e.host()
			inv, err := h.Load(c.Context, jail.Options{Create: true, State: true})
			if err != nil {
				return err
			}
			return forEachJail(c.Context, e, inv, rest[0], "run pkg in", func(j *jail.Jail) error {
				return h.Pkg(c.Context, inv, j.Name, rest[1:], jail.ExecOptions{Stdin: e.stdin, Stdout: e.stdout, Stderr: e.stderr})
			})
		}),
	}
}
