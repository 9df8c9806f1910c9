package main

import (
	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/internal/jail"
)

const dfJSONSchema = "see JSON OUTPUT in jcage(8)"

func init() { registerCommand("df", dfCommand) }

func dfCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "df",
		Usage: "Show the disk space jails use.",
		Flags: []cli.Flag{
			headerFlag(),
			jsonFlag(dfJSONSchema),
			&cli.BoolFlag{Name: "long", Aliases: []string{"l"}, Usage: "accepted for compatibility; names are always shown in full"},
			sortFlag("name"),
		},
		Action: func(c *cli.Context) error {
			inv, err := e.host().Load(c.Context, jail.Options{Create: e.uid == 0})
			if err != nil {
				return err
			}
			t := inv.DfTable()
			if err := t.Sort(c.String("sort")); err != nil {
				return err
			}
			return t.Write(e.stdout, format(c))
		},
	}
}
