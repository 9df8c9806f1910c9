package main

import (
	"errors"

	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/internal/jail"
)

const listJSONSchema = "see JSON OUTPUT in jcage(8)"

func init() { registerCommand("list", listCommand) }

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
			&cli.BoolFlag{Name: "plugins", Aliases: []string{"P"}, Usage: "list plugin jails (with -R: the plugins of the index)"},
			&cli.BoolFlag{Name: "remote", Aliases: []string{"R"}, Usage: "list what can be fetched: releases, or plugins with -P"},
			&cli.StringFlag{Name: "git_repository", Aliases: []string{"g"}, Value: "https://github.com/freenas/iocage-ix-plugins.git", Usage: "plugin index repository for -PR"},
			&cli.StringFlag{Name: "branch", Usage: "plugin index branch for -PR"},
			&cli.BoolFlag{Name: "official", Aliases: []string{"O"}, Usage: "official plugins only, with -PR"},
			sortFlag("name"),
		},
		Action: func(c *cli.Context) error {
			return runList(c, e)
		},
	}
}

// listPlugins, when set, answers list -P, -PR and -R.
var listPlugins func(c *cli.Context, e *env) error

func runList(c *cli.Context, e *env) error {
	if c.Bool("plugins") || c.Bool("remote") {
		if listPlugins == nil {
			return errors.New("list: -P and -R are not supported by this build")
		}
		return listPlugins(c, e)
	}
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
