package main

import (
	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/internal/jail"
)

const listJSONSchema = "see JSON OUTPUT in jcage(8)"

func init() { registerCommand(listCommand) }

func listCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "list",
		Usage: "List jails, templates or fetched releases.",
		Flags: []cli.Flag{
			headerFlag(),
			jsonFlag(listJSONSchema),
			&cli.BoolFlag{Name: "long", Aliases: []string{"l"}, Usage: "show the full table"},
			&cli.BoolFlag{Name: "template", Aliases: []string{"t"}, Usage: "list templates"},
			&cli.BoolFlag{Name: "basejail", Aliases: []string{"B"}, Usage: "list base jails only"},
			&cli.BoolFlag{Name: "release", Aliases: []string{"r", "b", "base"}, Usage: "list fetched releases"},
			&cli.BoolFlag{Name: "quick", Aliases: []string{"q"}, Usage: "names and IPv4 addresses only, read straight from the configs"},
			sortFlag("name"),
		},
		Action: func(c *cli.Context) error {
			return runList(c, e)
		},
	}
}

func runList(c *cli.Context, e *env) error {
	releases := c.Bool("release")
	view := jail.ListView{Long: c.Bool("long"), Templates: c.Bool("template"), Basejails: c.Bool("basejail"), Quick: c.Bool("quick")}
	inv, err := e.host().Load(c.Context, jail.Options{Create: e.uid == 0, State: !releases && !view.Quick})
	if err != nil {
		return err
	}
	if releases {
		t := inv.ReleaseTable()
		t.JSONKey = "releases"
		return t.Write(e.stdout, format(c))
	}
	if view.Long {
		e.host().ReadDHCPAddresses(c.Context, inv)
	}
	t := inv.ListTable(view)
	t.JSONKey = "jails"
	if !view.Quick {
		if err := t.Sort(c.String("sort")); err != nil {
			return err
		}
	}
	return t.Write(e.stdout, format(c))
}
