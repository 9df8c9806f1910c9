package main

import (
	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/internal/render"
)

// headerFlag is iocage's -h/-H/--header: passing it turns the header off
// and prints tab-separated rows for scripts.
func headerFlag() cli.Flag {
	return &cli.BoolFlag{Name: "header", Aliases: []string{"h", "H"}, Usage: "no header: tab-separated rows for scripts"}
}

// jsonFlag selects the JSON rendering.
func jsonFlag(schema string) cli.Flag {
	return &cli.BoolFlag{Name: "json", Usage: "print JSON: " + schema}
}

func sortFlag(def string) cli.Flag {
	return &cli.StringFlag{Name: "sort", Aliases: []string{"s"}, Value: def, Usage: "sort by this column"}
}

// format picks the rendering the flags ask for.
func format(c *cli.Context) render.Format {
	switch {
	case c.Bool("json"):
		return render.FormatJSON
	case c.Bool("header"):
		return render.FormatTSV
	}
	return render.FormatTable
}
