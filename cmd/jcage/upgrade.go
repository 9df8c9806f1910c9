package main

import (
	"context"
	"errors"

	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/internal/jail"
	"github.com/jcage/jcage/internal/release"
)

func init() { registerCommand(upgradeCommand) }

// pluginUpgrade, when set, upgrades a pluginv2 jail.
var pluginUpgrade func(ctx context.Context, e *env, h *jail.Host, inv *jail.Inventory, j *jail.Jail) error

func upgradeCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "upgrade",
		Usage:     "Run freebsd-update to upgrade a specified jail to the RELEASE given.",
		ArgsUsage: "JAIL|ALL -r RELEASE",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "release", Aliases: []string{"r"}, Usage: "the RELEASE to upgrade to"},
		},
		Action: needRoot(e, "upgrade", func(c *cli.Context) error {
			if c.NArg() != 1 {
				return errors.New("Usage: jcage upgrade JAIL|ALL -r RELEASE")
			}
			newrel := c.String("release")
			h := e.host()
			inv, err := h.Load(c.Context, jail.Options{Create: true, State: true})
			if err != nil {
				return err
			}
			targets, err := inv.Targets(c.Args().First())
			if err != nil {
				return err
			}
			// A plugin jail goes to its manifest's release
			// (IOCPlugin.upgrade); every other jail needs -r, checked
			// before the first jail is touched.
			isPlugin := func(j *jail.Jail) bool {
				return j.Err == nil && j.Prop("type") == "pluginv2" && pluginUpgrade != nil
			}
			for _, j := range targets {
				if newrel == "" && !isPlugin(j) {
					return errors.New("Target RELEASE is required to upgrade.")
				}
			}
			if newrel != "" {
				if _, err := jail.UpgradeRelease(newrel); err != nil {
					return err
				}
			}
			uopts := jail.UpgradeOptions{
				Upgrader: &release.Upgrader{Run: e.run, Tools: &release.Tools{Run: e.run, IOCRoot: inv.Tree.Mountpoint}, Out: e.stdout, Err: e.stderr},
				Err:      e.stderr,
			}
			return jail.EachJail(c.Context, targets, "upgrade", e.stderr, func(j *jail.Jail) error {
				if isPlugin(j) {
					return pluginUpgrade(c.Context, e, h, inv, j)
				}
				return h.Upgrade(c.Context, inv, j, newrel, uopts)
			})
		}),
	}
}
