package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/jail"
	"github.com/jcage/jcage/internal/lifecycle"
)

func init() { registerCommand("start", startCommand) }

// jobsFlag sets how many jails of equal priority start or stop at once.
func jobsFlag() cli.Flag {
	return &cli.IntFlag{Name: "jobs", Aliases: []string{"j"}, Value: lifecycle.DefaultWorkers,
		Usage: "start or stop up to N jails of equal priority at once (1: one by one, as iocage)"}
}

func startCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "start",
		Usage:     "Starts the specified jails or ALL.",
		ArgsUsage: "JAIL... | ALL | --rc",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "rc", Usage: "start every jail with boot=on, lowest priority first"},
			jobsFlag(),
			ignoreFlag(),
		},
		Action: rootAction(e, parseStart, runStart),
	}
}

// startOptions is start's command line.
type startOptions struct {
	jails   []string // JAIL... or ALL
	rc      bool     // --rc: every jail with boot=on
	workers int      // -j; 0 is lifecycle.DefaultWorkers
	ignore  bool     // -i
}

func parseStart(c *cli.Context) (startOptions, error) {
	return startOptions{jails: c.Args().Slice(), rc: c.Bool("rc"), workers: c.Int("jobs"), ignore: c.Bool("ignore")}, nil
}

// runStart starts the jails in the order their priorities and depends
// ask, up to opts.workers of equal priority at once.
func runStart(ctx context.Context, opts startOptions, d deps, _ io.Writer) error {
	inv, err := d.host.Load(ctx, inventory.Options{Create: true, State: true})
	if err != nil {
		return err
	}
	return ignoreFailures(ctx, opts.ignore, d.stderr, lifecycle.Of(d.host).StartJails(ctx, inv, opts.jails, lifecycle.StartOptions{
		RC: opts.rc, Workers: opts.workers, Debug: d.debug, Err: d.stderr, Paths: d.paths,
	}))
}

// ignoreFlag is iocage's -i/--ignore of start and stop: a jail that fails
// is reported, and the command still exits 0 (ioc_start/ioc_stop
// suppress_exception).
func ignoreFlag() cli.Flag {
	return &cli.BoolFlag{Name: "ignore", Aliases: []string{"i"}, Usage: "report a jail that fails and go on, exiting 0"}
}

// ignoreFailures applies -i: err is printed on errw (a several-jail
// command has printed each failure already) and dropped, unless the
// command was interrupted.
func ignoreFailures(ctx context.Context, ignore bool, errw io.Writer, err error) error {
	if err == nil || !ignore || ctx.Err() != nil {
		return err
	}
	var multi *jail.MultiError
	if !errors.As(err, &multi) {
		fmt.Fprintln(errw, errorLine(err))
	}
	return nil
}
