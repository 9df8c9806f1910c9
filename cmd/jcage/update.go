package main

import (
	"context"
	"errors"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/internal/jail"
	"github.com/jcage/jcage/internal/release"
)

func init() { registerCommand("update", updateCommand) }

// pluginUpdate, when set, updates a pluginv2 jail's plugin.
var pluginUpdate func(ctx context.Context, e *env, h *jail.Host, inv *jail.Inventory, j *jail.Jail) error

func updateCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "update",
		Usage:     "Run freebsd-update to update a specified jail to the latest patch level.",
		ArgsUsage: "[-P] JAIL | ALL",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "pkgs", Aliases: []string{"P"}, Usage: "also update the pkg repositories and every installed package of the jail"},
			// iocage_cli/update.py: --server and --verify/--noverify reach
			// fetch_update, where the server goes unused (freebsd-update
			// reads ServerName from the jail's freebsd-update.conf) and
			// verify picks a downloaded freebsd-update.sh over the
			// release's own. jcage always runs the host's or the
			// release's freebsd-update, never a download, so both are
			// accepted and change nothing.
			&cli.StringFlag{Name: "server", Aliases: []string{"s"}, Value: "download.freebsd.org", Usage: "accepted for iocage; freebsd-update reads ServerName from freebsd-update.conf"},
			&cli.BoolFlag{Name: "verify", Aliases: []string{"V"}, Value: true, Usage: "accepted for iocage; no freebsd-update is downloaded"},
			&cli.BoolFlag{Name: "noverify", Aliases: []string{"NV"}, Usage: "accepted for iocage; no freebsd-update is downloaded"},
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
				Patcher:  &release.Patcher{Run: e.run, Tools: &release.Tools{Run: e.run, IOCRoot: inv.Tree.Mountpoint}, Out: e.stdout, Err: e.stderr},
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
