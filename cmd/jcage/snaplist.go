package main

import (
	"cmp"
	"context"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/internal/jail"
	"github.com/jcage/jcage/internal/render"
)

const snaplistJSONSchema = "see JSON OUTPUT in jcage(8)"

// snaplistSort is snaplist's default -s.
const snaplistSort = "created"

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
			sortFlag(snaplistSort),
		},
		Action: action(e, parseSnaplist, runSnaplist),
	}
}

// snaplistOptions is snaplist's command line.
type snaplistOptions struct {
	jail   string // JAIL or ALL
	long   bool   // -l
	sort   string // -s; empty is snaplistSort
	format render.Format
}

func parseSnaplist(c *cli.Context) (snaplistOptions, error) {
	target, err := snapJailArg(c, "snaplist [-h] [-l] [-s name|created|rsize|used] JAIL|ALL")
	if err != nil {
		return snaplistOptions{}, err
	}
	return snaplistOptions{jail: target, long: c.Bool("long"), sort: c.String("sort"), format: format(c)}, nil
}

// runSnaplist prints the snapshots of a jail, or of every jail, from one
// read of the tree and one of the snapshots.
func runSnaplist(ctx context.Context, opts snaplistOptions, d deps, w io.Writer) error {
	all := opts.jail == jail.AllJails
	sortKey := cmp.Or(opts.sort, snaplistSort)
	// A bad sort key is refused before anything is read.
	if err := (&render.Table{Columns: render.SnaplistColumns(all)}).Sort(sortKey); err != nil {
		return err
	}
	h := d.host
	inv, err := h.Load(ctx, jail.Options{Create: h.UID == 0})
	if err != nil {
		return err
	}
	jails, err := inv.SnapTargets(opts.jail)
	if err != nil {
		return err
	}
	t, err := h.SnapList(ctx, inv, jails, opts.long, all)
	if err != nil {
		return err
	}
	if err := t.Sort(sortKey); err != nil {
		return err
	}
	return t.Write(w, opts.format)
}
