package main

import (
	"context"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/lifecycle"
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
		Action: rootAction(e, parseRestart, runRestart),
	}
}

// restartOptions is restart's command line.
type restartOptions struct {
	jails   []string // JAIL... or ALL
	soft    bool     // -s
	workers int      // -j; 0 is lifecycle.DefaultWorkers
}

func parseRestart(c *cli.Context) (restartOptions, error) {
	return restartOptions{jails: c.Args().Slice(), soft: c.Bool("soft"), workers: c.Int("jobs")}, nil
}

// runRestart stops and starts the jails again, or with opts.soft reruns
// their exec_stop and exec_start.
func runRestart(ctx context.Context, opts restartOptions, d deps, _ io.Writer) error {
	inv, err := d.host.Load(ctx, inventory.Options{Create: true, State: true})
	if err != nil {
		return err
	}
	return lifecycle.Of(d.host).RestartJails(ctx, inv, opts.jails, lifecycle.RestartOptions{
		Soft: opts.soft, Workers: opts.workers, Debug: d.debug, Err: d.stderr, Paths: d.paths,
	})
}
