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

func init() { registerCommand("upgrade", upgradeCommand) }

func upgradeCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "upgrade",
		Usage:     "Run freebsd-update to upgrade a specified jail to the RELEASE given.",
		ArgsUsage: "JAIL|ALL -r RELEASE",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "release", Aliases: []string{"r"}, Usage: "the RELEASE to upgrade to"},
		},
		Action: rootAction(e, parseUpgrade, runUpgrade),
	}
}

// upgradeOptions is upgrade's command line.
type upgradeOptions struct {
	jail    string
	release string // -r; a plugin jail goes to its manifest's release without it
}

func parseUpgrade(c *cli.Context) (upgradeOptions, error) {
	if c.NArg() != 1 {
		return upgradeOptions{}, errors.New("Usage: jcage upgrade JAIL|ALL -r RELEASE")
	}
	// Without -r only a plugin jail can be upgraded: that takes the pool
	// to know, so runUpgrade says.
	return upgradeOptions{jail: c.Args().First(), release: c.String("release")}, nil
}

// runUpgrade takes the jail to a newer release with freebsd-update, or a
// plugin jail to its manifest's (runPluginUpgrade).
func runUpgrade(ctx context.Context, opts upgradeOptions, d deps, w io.Writer) error {
	h := d.host
	inv, err := h.Load(ctx, inventory.Options{Create: true, State: true})
	if err != nil {
		return err
	}
	targets, err := inv.Targets(opts.jail)
	if err != nil {
		return err
	}
	// A plugin jail goes to its manifest's release (IOCPlugin.upgrade);
	// every other jail needs -r, checked before the first jail is touched.
	isPlugin := func(j *inventory.Jail) bool { return j.Err == nil && j.Prop("type") == "pluginv2" }
	plugins := false
	for _, j := range targets {
		if opts.release == "" && !isPlugin(j) {
			return errors.New("Target RELEASE is required to upgrade.")
		}
		plugins = plugins || isPlugin(j)
	}
	if plugins {
		if err := plugin.NeedGit(ctx, h.Run); err != nil {
			return err
		}
	}
	if opts.release != "" {
		if _, err := maint.UpgradeRelease(opts.release); err != nil {
			return err
		}
	}
	uopts := maint.UpgradeOptions{
		Upgrader: &release.Upgrader{Run: h.Run, Tools: &release.Tools{Run: h.Run, IOCRoot: inv.Tree.Mountpoint}, Out: w, Err: d.stderr},
		Err:      d.stderr,
	}
	return jail.EachJail(ctx, targets, "upgrade", d.stderr, func(j *inventory.Jail) error {
		if isPlugin(j) {
			return runPluginUpgrade(ctx, d, w, inv, j)
		}
		return maint.Of(h).Upgrade(ctx, inv, j, opts.release, uopts)
	})
}
