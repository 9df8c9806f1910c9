package main

import (
	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/internal/jail"
)

func init() { registerCommand("restart", restartCommand) }

func restartCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "restart",
		Usage:     "Restarts the specified jails or ALL.",
		ArgsUsage: "JAIL... | ALL",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "soft", Aliases: []string{"s"}, Usage: "rerun exec_stop and exec_start, keeping the jail and its network"},
			jobsFlag(),
		},
		Action: needRoot(e, "restart", func(c *cli.Context) error {
			h := e.host()
			inv, err := h.Load(c.Context, jail.Options{Create: true, State: true})
			if err != nil {
				return err
			}
			return h.RestartJails(c.Context, inv, c.Args().Slice(), jail.RestartOptions{
				Soft: c.Bool("soft"), Workers: c.Int("jobs"), Debug: e.debug, Err: e.stderr, Paths: lifecyclePaths(e),
			})
		}),
	}
}
