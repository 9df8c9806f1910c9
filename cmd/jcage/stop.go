package main

import (
	"context"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/lifecycle"
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
		Action: rootAction(e, parseStop, runStop),
	}
}

// stopOptions is stop's command line.
type stopOptions struct {
	jails   []string // JAIL... or ALL
	rc      bool     // --rc: every jail with boot=on
	force   bool     // -f, or jcage -f
	workers int      // -j; 0 is lifecycle.DefaultWorkers
	ignore  bool     // -i
}

func parseStop(c *cli.Context) (stopOptions, error) {
	return stopOptions{jails: c.Args().Slice(), rc: c.Bool("rc"), force: c.Bool("force") || global(c, "force"),
		workers: c.Int("jobs"), ignore: c.Bool("ignore")}, nil
}

// runStop stops the jails in the reverse of their start order.
func runStop(ctx context.Context, opts stopOptions, d deps, _ io.Writer) error {
	inv, err := d.host.Load(ctx, inventory.Options{Create: true, State: true})
	if err != nil {
		return err
	}
	return ignoreFailures(ctx, opts.ignore, d.stderr, lifecycle.Of(d.host).StopJails(ctx, inv, opts.jails, lifecycle.StopOptions{
		RC: opts.rc, Force: opts.force, Workers: opts.workers, Debug: d.debug, Err: d.stderr, Paths: d.paths,
	}))
}
