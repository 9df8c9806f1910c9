package main

import (
	"context"
	"errors"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/lifecycle"
)

func init() { registerCommand("pkg", pkgCommand) }

func pkgCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "pkg",
		Usage:     "Use pkg inside a specified jail.",
		ArgsUsage: "JAIL|ALL [PKG ARGS...]",
		// Everything after JAIL is pkg's.
		SkipFlagParsing: true,
		Action:          rootFirstAction(e, parsePkg, runPkg),
	}
}

// pkgOptions is pkg's command line.
type pkgOptions struct {
	jail string
	args []string // pkg's own arguments
}

func parsePkg(c *cli.Context) (pkgOptions, error) {
	_, rest, err := leadingFlags(c.Args().Slice(), nil, nil)
	if err != nil {
		return pkgOptions{}, err
	}
	if len(rest) == 0 {
		return pkgOptions{}, errors.New("Usage: jcage pkg JAIL|ALL [PKG ARGS...]")
	}
	return pkgOptions{jail: rest[0], args: rest[1:]}, nil
}

// runPkg runs the host's pkg on the jail (pkg -j JID).
func runPkg(ctx context.Context, opts pkgOptions, d deps, w io.Writer) error {
	h := d.host
	inv, err := h.Load(ctx, inventory.Options{Create: true, State: true})
	if err != nil {
		return err
	}
	return forEachJail(ctx, d, inv, opts.jail, "run pkg in", func(j *inventory.Jail) error {
		return lifecycle.Of(h).Pkg(ctx, inv, j.Name, opts.args, lifecycle.ExecOptions{Stdin: d.stdin, Stdout: w, Stderr: d.stderr})
	})
}
