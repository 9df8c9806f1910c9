package main

import (
	"errors"

	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/internal/jail"
)

func init() { registerCommand("set", setCommand) }

// setPlugin, when set, answers set -P.
var setPlugin func(c *cli.Context, e *env) error

func setCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "set",
		Usage:     "Set one or more properties of a jail or of the defaults.",
		ArgsUsage: "KEY=VALUE [KEY=VALUE...] JAIL|default",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "plugin", Aliases: []string{"P"}, Usage: "set plugin options through the plugin's serviceset in the jail"},
		},
		Action: needRoot(e, "set", func(c *cli.Context) error {
			if c.Bool("plugin") {
				if setPlugin == nil {
					return errors.New("set: -P is not supported by this build")
				}
				return setPlugin(c, e)
			}
			args := c.Args().Slice()
			if len(args) < 2 {
				return errors.New("Usage: jcage set KEY=VALUE [KEY=VALUE...] JAIL|default")
			}
			h := e.host()
			inv, err := h.Load(c.Context, jail.Options{Create: true, State: true})
			if err != nil {
				return err
			}
			return h.Set(c.Context, inv, jail.SetRequest{Target: args[len(args)-1], Assigns: args[:len(args)-1]})
		}),
	}
}
