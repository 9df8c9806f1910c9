package main

import (
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/internal/jail"
)

func init() { registerCommand("start", startCommand) }

// jobsFlag sets how many jails of equal priority start or stop at once.
func jobsFlag() cli.Flag {
	return &cli.IntFlag{Name: "jobs", Aliases: []string{"j"}, Value: jail.DefaultWorkers,
		Usage: "start or stop up to N jails of equal priority at once (1: one by one, as iocage)"}
}

// lifecyclePaths keeps the jail.conf files (and iocage's NAT files) under
// the run directory the command was given, /var/run by default.
func lifecyclePaths(e *env) jail.Paths {
	p := jail.DefaultPaths()
	if e.runDir != "" {
		p.RunDir, p.NATDir = e.runDir, e.runDir
	}
	return p
}

// wireLifecycle lets operations that start or stop jails on the way
// (create's boot=on and -p, destroy -f, rename) use the life cycle.
func wireLifecycle(e *env, h *jail.Host) *jail.Host {
	h.Start = h.StartFunc(jail.StartOptions{Debug: e.debug, Err: e.stderr, Paths: lifecyclePaths(e)})
	h.Stop = h.StopFunc(jail.StopOptions{Debug: e.debug, Err: e.stderr, Paths: lifecyclePaths(e)})
	return h
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
		Action: needRoot(e, "start", func(c *cli.Context) error {
			h := e.host()
			inv, err := h.Load(c.Context, jail.Options{Create: true, State: true})
			if err != nil {
				return err
			}
			return ignoreFailures(c, e, h.StartJails(c.Context, inv, c.Args().Slice(), jail.StartOptions{
				RC: c.Bool("rc"), Workers: c.Int("jobs"), Debug: e.debug, Err: e.stderr, Paths: lifecyclePaths(e),
			}))
		}),
	}
}

// ignoreFlag is iocage's -i/--ignore of start and stop: a jail that fails
// is reported, and the command still exits 0 (ioc_start/ioc_stop
// suppress_exception).
func ignoreFlag() cli.Flag {
	return &cli.BoolFlag{Name: "ignore", Aliases: []string{"i"}, Usage: "report a jail that fails and go on, exiting 0"}
}

// ignoreFailures applies -i: err is printed (a several-jail command has
// printed each failure already) and dropped, unless the command was
// interrupted.
func ignoreFailures(c *cli.Context, e *env, err error) error {
	if err == nil || !c.Bool("ignore") || c.Context.Err() != nil {
		return err
	}
	var multi *jail.MultiError
	if !errors.As(err, &multi) {
		fmt.Fprintln(e.stderr, errorLine(err))
	}
	return nil
}
