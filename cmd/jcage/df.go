package main

import (
	"cmp"
	"context"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/internal/jail"
	"github.com/jcage/jcage/internal/render"
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
	inv, err := d.host.Load(ctx, jail.Options{Create: d.host.UID == 0})
	if err != nil {
		return err
	}
	t := inv.DfTable()
	if err := t.Sort(cmp.Or(opts.sort, dfSort)); err != nil {
		return err
	}
	return t.Write(w, opts.format)
}
