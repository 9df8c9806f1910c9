package main

import (
	"context"
	"errors"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/internal/jail"
	"github.com/jcage/jcage/internal/release"
)

func init() { registerCommand(updateCommand) }

// pluginUpdate, when set, updates a pluginv2 jail's plugin.
var pluginUpdate func(ctx context.Context, e *env, h *jail.Host, inv *jail.Inventory, j *jail.Jail) error

func updateCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "update",
		Usage:     "Run freebsd-update to update a specified jail to the latest patch level.",
		ArgsUsage: "[-P] JAIL | ALL",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "pkgs", Aliases: []string{"P"}, Usage: "also update the pkg repositories and every installed package of the jail"},
		},
		Action: needRoot(e, "update", func(c *cli.Context) error {
			if c.NArg() != 1 {
				return errors.New("Usage: jcage update [-P] JAIL|ALL")
			}
			h := quietLifecycle(e, e.host())
			inv, err := h.Load(c.Context, jail.Options{Create: true, State: true})
			if err != nil {
				return err
			}
			targets, err := inv.UpdateTargets(c.Args().First())
			if err != nil {
				return err
			}
			// A plugin jail gets its plugin update first (iocage.py update).
			for _, j := range targets {
				if j.Err == nil && j.Prop("type") == "pluginv2" && pluginUpdate != nil {
					if err := pluginUpdate(c.Context, e, e.host(), inv, j); err != nil {
						return err
					}
				}
			}
			if inv, err = h.Load(c.Context, jail.Options{Create: true, State: true}); err != nil {
				return err
			}
			if targets, err = inv.UpdateTargets(c.Args().First()); err != nil {
				return err
			}
			return h.Update(c.Context, inv, targets, jail.UpdateOptions{
				Packages: c.Bool("pkgs"),
				Patcher:  &release.Patcher{Run: e.run, Out: e.stdout, Err: e.stderr},
				Err:      e.stderr,
			})
		}),
	}
}

// quietLifecycle lets update start a jail for its packages, and stop it
// again, without the start's own output, as iocage does.
func quietLifecycle(e *env, h *jail.Host) *jail.Host {
	q := *h
	q.Out = io.Discard
	h.Start = q.StartFunc(jail.StartOptions{Debug: e.debug, Err: io.Discard, Paths: lifecyclePaths(e)})
	h.Stop = q.StopFunc(jail.StopOptions{Debug: e.debug, Err: io.Discard, Paths: lifecyclePaths(e)})
	return h
}
