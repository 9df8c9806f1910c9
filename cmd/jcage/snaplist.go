package main

import (
	"cmp"
	"context"
	"io"
	"strconv"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/render"
	"github.com/jcage/jcage/internal/zfs"
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
	all := opts.jail == inventory.AllJails
	sortKey := cmp.Or(opts.sort, snaplistSort)
	// A bad sort key is refused before anything is read.
	if err := (&render.Table{Columns: render.SnaplistColumns(all)}).Sort(sortKey); err != nil {
		return err
	}
	h := d.host
	inv, err := h.Load(ctx, inventory.Options{Create: h.UID == 0})
	if err != nil {
		return err
	}
	jails, err := inv.SnapTargets(opts.jail)
	if err != nil {
		return err
	}
	rows, err := h.SnapRows(ctx, inv, jails, opts.long, all)
	if err != nil {
		return err
	}
	t := snaplistTable(rows, all)
	if err := t.Sort(sortKey); err != nil {
		return err
	}
	return t.Write(w, opts.format)
}

// snapCreatedLayout is how zfs(8) prints a snapshot's creation property,
// in the host's local time: snaplist's CREATED column.
const snapCreatedLayout = "Mon Jan _2 15:04 2006"

// snaplistTable is snaplist's table over SnapRows: creation times shown
// as zfs prints them, sizes as zfs get does; JSON gives RFC 3339 UTC
// times and numbers.
func snaplistTable(rows [][]string, withJail bool) *render.Table {
	t := &render.Table{Columns: render.SnaplistColumns(withJail), Rows: rows, JSONKey: "snapshots"}
	off := 0
	if withJail {
		off = 1
	}
	t.Columns[off+1].Display = snapCreatedText
	t.Columns[off+1].JSON = func(raw string, _ []string) any {
		if sec, err := strconv.ParseInt(raw, 10, 64); err == nil {
			return time.Unix(sec, 0).UTC().Format(time.RFC3339)
		}
		return nil
	}
	for _, c := range []*render.Column{&t.Columns[off+2], &t.Columns[off+3]} {
		c.Display = func(raw string) string { return zfs.HumanProp("used", raw) }
		c.Kind = render.Number
	}
	return t
}

// snapCreatedText shows a creation time (Unix seconds) as snaplist's
// CREATED column does.
func snapCreatedText(raw string) string {
	sec, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return "-"
	}
	return time.Unix(sec, 0).Local().Format(snapCreatedLayout)
}
