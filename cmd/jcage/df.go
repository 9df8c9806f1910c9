package main

import (
	"cmp"
	"context"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/render"
	"github.com/jcage/jcage/internal/zfs"
)

const dfJSONSchema = "see JSON OUTPUT in jcage(8)"

// dfSort is df's default -s.
const dfSort = "name"

func init() { registerCommand("df", dfCommand) }

func dfCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "df",
		Usage: "Show the disk space jails use.",
		Flags: []cli.Flag{
			headerFlag(),
			jsonFlag(dfJSONSchema),
			&cli.BoolFlag{Name: "long", Aliases: []string{"l"}, Usage: "accepted for compatibility; names are always shown in full"},
			sortFlag(dfSort),
		},
		Action: action(e, parseDf, runDf),
	}
}

// dfOptions is df's command line.
type dfOptions struct {
	sort   string // -s; empty is dfSort
	format render.Format
}

func parseDf(c *cli.Context) (dfOptions, error) {
	return dfOptions{sort: c.String("sort"), format: format(c)}, nil
}

// runDf prints each jail's space from one read of the tree.
func runDf(ctx context.Context, opts dfOptions, d deps, w io.Writer) error {
	inv, err := d.host.Load(ctx, inventory.Options{Create: d.host.UID == 0})
	if err != nil {
		return err
	}
	t := dfTable(inv.DfRows())
	if err := t.Sort(cmp.Or(opts.sort, dfSort)); err != nil {
		return err
	}
	return t.Write(w, opts.format)
}

// dfTable is `df`: iocage's columns over rows that hold what zfs reports
// exactly (bytes, the ratio); the table shows them as zfs get does, JSON
// as numbers, null for no quota or reservation.
func dfTable(rows [][]string) *render.Table {
	t := &render.Table{Columns: render.DfColumns(), Rows: rows, JSONKey: "jails"}
	for i, prop := range []string{"compressratio", "reservation", "quota", "used", "available"} {
		c := &t.Columns[i+1]
		c.Display = func(raw string) string { return zfs.HumanProp(prop, raw) }
		c.JSON = func(raw string, _ []string) any { return dfJSON(prop, raw) }
	}
	return t
}

func dfJSON(prop, raw string) any {
	if (prop == "quota" || prop == "reservation") && (raw == "0" || raw == "none") || raw == "" || raw == "-" {
		return nil
	}
	if n, err := strconv.ParseFloat(raw, 64); err == nil {
		return n
	}
	// A size as typed (quota=10G) when zfs did not answer in bytes.
	if i := strings.IndexByte("KMGTPE", raw[len(raw)-1]); i >= 0 {
		if n, err := strconv.ParseFloat(raw[:len(raw)-1], 64); err == nil {
			return math.Round(n * math.Pow(1024, float64(i+1)))
		}
	}
	return raw
}
