package main

import (
	"context"
	"errors"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/jail"
)

func init() { registerCommand("set", setCommand) }

func setCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "set",
		Usage:     "Set one or more properties of a jail or of the defaults.",
		ArgsUsage: "KEY=VALUE [KEY=VALUE...] JAIL|default",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "plugin", Aliases: []string{"P"}, Usage: "set plugin options through the plugin's serviceset in the jail"},
		},
		Action: rootAction(e, parseSet, runSet),
	}
}

// setOptions is set's command line.
type setOptions struct {
	args   []string // KEY=VALUE... JAIL|default
	plugin bool     // -P
}

func parseSet(c *cli.Context) (setOptions, error) {
	if c.NArg() < 2 {
		return setOptions{}, errors.New("Usage: jcage set KEY=VALUE [KEY=VALUE...] JAIL|default")
	}
	return setOptions{args: c.Args().Slice(), plugin: c.Bool("plugin")}, nil
}

// runSet sets properties of a jail or of the defaults, applying to a
// running jail what can change live; with -P, a plugin's options
// (runSetPlugin).
func runSet(ctx context.Context, opts setOptions, d deps, w io.Writer) error {
	if opts.plugin {
		return runSetPlugin(ctx, opts, d, w)
	}
	args := opts.args
	h := d.host
	inv, err := h.Load(ctx, inventory.Options{Create: true, State: true})
	if err != nil {
		return err
	}
	return h.Set(ctx, inv, jail.SetRequest{Target: args[len(args)-1], Assigns: args[:len(args)-1]})
}
