package main

import (
	"context"
	"errors"

	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/internal/jail"
	"github.com/jcage/jcage/internal/release"
)

func init() { registerCommand("upgrade", upgradeCommand) }

// pluginUpgrade, when set, upgrades a pluginv2 jail.
var pluginUpgrade func(ctx context.Context, e *env, h *jail.Host, inv *jail.Inventory, j *jail.Jail) error

func upgradeCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "upgrade",
		Usage:     "Run freebsd-update to upgrade a specified jail to the RELEASE given.",
		ArgsUsage: "JAIL -r RELEASE",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "release", Aliases: []string{"r"}, Usage: "the RELEASE to upgrade to"},
		},
		Action: needRoot(e, "upgrade", func(c *cli.Context) error {
			if c.NArg() != 1 {
				return errors.New("Usage: jcage upgrade JAIL -r RELEASE")
			}
			newrel := c.String("release")
			h := e.host()
			inv, err := h.Load(c.Context, jail.Options{Create: true, State: true})
			if err != nil {
				return err
			}
			j, err := inv.Find(c.Args().First())
			if err != nil {
				return err
			}
			// A plugin jail goes to its manifest's release (IOCPlugin.upgrade).
			if j.Err == nil && j.Prop("type") == "pluginv2" && pluginUpgrade != nil {
				return pluginUpgrade(c.Context, e, h, inv, j)
			}
			if newrel == "" {
				return errors.New("Target RELEASE is required to upgrade.")
			}
			return h.Upgrade(c.Context, inv, j, newrel, jail.UpgradeOptions{
				Upgrader: &release.Upgrader{Run: e.run, Tools: &release.Tools{Run: e.run, IOCRoot: inv.Tree.Mountpoint}, Out: e.stdout, Err: e.stderr},
				Err:      e.stderr,
			})
		}),
	}
}
