package main

import (
	"context"
	"errors"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/jail"
	"github.com/jcage/jcage/internal/maint"
	"github.com/jcage/jcage/internal/plugin"
	"github.com/jcage/jcage/internal/release"
)

func init() { registerCommand("update", updateCommand) }

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
		Action: rootAction(e, parseUpdate, runUpdate),
	}
}

// updateOptions is update's command line.
type updateOptions struct {
	jail string // JAIL or ALL
	pkgs bool   // -P: the packages too
}

func parseUpdate(c *cli.Context) (updateOptions, error) {
	if c.NArg() != 1 {
		return updateOptions{}, errors.New("Usage: jcage update [-P] JAIL|ALL")
	}
	return updateOptions{jail: c.Args().First(), pkgs: c.Bool("pkgs")}, nil
}

// runUpdate brings the jails to their release's latest patch level with
// freebsd-update, a plugin jail's plugin first (runPluginUpdate).
func runUpdate(ctx context.Context, opts updateOptions, d deps, w io.Writer) error {
	h := quietLifecycle(d)
	inv, err := h.Load(ctx, inventory.Options{Create: true, State: true})
	if err != nil {
		return err
	}
	targets, err := inv.Targets(opts.jail)
	if err != nil {
		return err
	}
	// A plugin jail gets its plugin update first (iocage.py update),
	// and needs git(1), asked for before anything changes.
	for _, j := range targets {
		if j.Err == nil && j.Prop("type") == "pluginv2" {
			if err := plugin.NeedGit(ctx, h.Run); err != nil {
				return err
			}
			break
		}
	}
	for _, j := range targets {
		if j.Err == nil && j.Prop("type") == "pluginv2" {
			if err := runPluginUpdate(ctx, d, w, inv, j); err != nil {
				return err
			}
		}
	}
	if inv, err = h.Load(ctx, inventory.Options{Create: true, State: true}); err != nil {
		return err
	}
	if targets, err = inv.Targets(opts.jail); err != nil {
		return err
	}
	return maint.Of(h).Update(ctx, inv, targets, maint.UpdateOptions{
		Packages: opts.pkgs,
		Patcher:  &release.Patcher{Run: h.Run, Tools: &release.Tools{Run: h.Run, IOCRoot: inv.Tree.Mountpoint}, Out: w, Err: d.stderr},
		Err:      d.stderr,
	})
}

// quietLifecycle is d's host with a life cycle that lets update start a
// jail for its packages, and stop it again, without the start's own
// output, as iocage does.
func quietLifecycle(d deps) *jail.Host {
	h, q := d.host.Copy(), d.host.Copy()
	q.Out = io.Discard
	h.Lifecycle = d.lifecycle(q, io.Discard)
	return h
}
