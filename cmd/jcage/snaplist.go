package main

import (
	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/internal/jail"
	"github.com/jcage/jcage/internal/render"
)

const snaplistJSONSchema = "see JSON OUTPUT in jcage(8)"

func init() { registerCommand("snaplist", snaplistCommand) }

func snaplistCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "snaplist",
		Usage:     "Show the snapshots of a jail, or of ALL jails.",
		ArgsUsage: "[-h] [-l] [-s name|created|rsize|used] JAIL|ALL",
		Flags: []cli.Flag{
			headerFlag(),
			jsonFlag(snaplistJSONSchema),
			&cli.BoolFlag{Name: "long", Aliases: []string{"l"}, Usage: "show full snapshot names"},
			sortFlag("created"),
		},
		Action: func(c *cli.Context) error {
			target, err := snapJailArg(c, "snaplist [-h] [-l] [-s name|created|rsize|used] JAIL|ALL")
			if err != nil {
				return err
			}
			all := target == jail.AllJails
			// A bad sort key is refused before anything is read.
			if err := (&render.Table{Columns: render.SnaplistColumns(all)}).Sort(c.String("sort")); err != nil {
				return err
			}
			h := e.host()
			inv, err := h.Load(c.Context, jail.Options{Create: e.uid == 0})
			if err != nil {
				return err
			}
			jails, err := inv.SnapTargets(target)
			if err != nil {
				return err
			}
			t, err := h.SnapList(c.Context, inv, jails, c.Bool("long"), all)
			if err != nil {
				return err
			}
			if err := t.Sort(c.String("sort")); err != nil {
				return err
			}
			return t.Write(e.stdout, format(c))
		},
	}
}
