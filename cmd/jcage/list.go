package main

import (
	"cmp"
	"context"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/lifecycle"
	"github.com/jcage/jcage/internal/plugin"
	"github.com/jcage/jcage/internal/render"
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
			&cli.StringFlag{Name: "git_repository", Aliases: []string{"g"}, Value: plugin.DefaultRepository, Usage: "plugin index repository for -PR"},
			&cli.StringFlag{Name: "branch", Usage: "plugin index branch for -PR"},
			&cli.BoolFlag{Name: "official", Aliases: []string{"O"}, Usage: "official plugins only, with -PR"},
			sortFlag(listSort),
		},
		Action: action(e, parseList, runList),
	}
}

// listSort is list's default -s.
const listSort = "name"

// listOptions is list's command line.
type listOptions struct {
	view     inventory.ListView // -l, -t, -B, -q
	releases bool               // -r: fetched releases
	plugins  bool               // -P: plugin jails, or with -R the index's plugins
	remote   bool               // -R: what can be fetched
	repo     string             // -g, with -PR
	branch   string             // --branch, with -PR; empty follows the host's release
	official bool               // -O, with -PR
	sort     string             // -s; empty is listSort
	format   render.Format
}

func parseList(c *cli.Context) (listOptions, error) {
	return listOptions{
		view:     inventory.ListView{Long: c.Bool("long"), Templates: c.Bool("template"), Basejails: c.Bool("basejail"), Quick: c.Bool("quick")},
		releases: c.Bool("release"), plugins: c.Bool("plugins"), remote: c.Bool("remote"),
		repo: c.String("git_repository"), branch: c.String("branch"), official: c.Bool("official"),
		sort: c.String("sort"), format: format(c),
	}, nil
}

// runList prints the jails, templates or fetched releases, or with -P
// or -R the plugins and what can be fetched (listPlugins).
func runList(ctx context.Context, opts listOptions, d deps, w io.Writer) error {
	if opts.plugins || opts.remote {
		return listPlugins(ctx, opts, d, w)
	}
	view := opts.view
	h := d.host
	inv, err := h.Load(ctx, inventory.Options{Create: h.UID == 0, State: !opts.releases && !view.Quick})
	if err != nil {
		return err
	}
	if opts.releases {
		t := &render.Table{Columns: render.ReleaseColumns(), JSONKey: "releases"}
		for _, r := range inv.SortedReleases() {
			t.Add(r)
		}
		return t.Write(w, opts.format)
	}
	if view.Long {
		lifecycle.Of(h).ReadDHCPAddresses(ctx, inv)
	}
	t := &render.Table{Columns: listColumns(view), Rows: inv.ListRows(view), JSONKey: "jails"}
	if !view.Quick {
		if err := t.Sort(cmp.Or(opts.sort, listSort)); err != nil {
			return err
		}
	}
	return t.Write(w, opts.format)
}

// listColumns are the columns of list's view: -q's, -l's or the default.
func listColumns(v inventory.ListView) []render.Column {
	switch {
	case v.Quick:
		return render.ListQuickColumns()
	case v.Long:
		return render.ListLongColumns()
	}
	return render.ListColumns()
}
