package main

import (
	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/internal/jail"
)

func init() { registerCommand("stop", stopCommand) }

func stopCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "stop",
		Usage:     "Stops the specified jails or ALL.",
		ArgsUsage: "JAIL... | ALL | --rc",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "rc", Usage: "stop every jail with boot=on, highest priority first"},
			&cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "skip exec_prestop and exec_stop and remove the jail"},
			jobsFlag(),
			ignoreFlag(),
		},
		Action: needRoot(e, "stop", func(c *cli.Context) error {
			h := e.host()
			inv, err := h.Load(c.Context, jail.Options{Create: true, State: true})
			if err != nil {
				return err
			}
			return ignoreFailures(c, e, h.StopJails(c.Context, inv, c.Args().Slice(), jail.StopOptions{
				RC: c.Bool("rc"), Force: c.Bool("force") || e.force, Workers: c.Int("jobs"),
				Debug: e.debug, Err: e.stderr, Paths: lifecyclePaths(e),
			}))
		}),
	}
}
