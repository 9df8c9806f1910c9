package main

import (
	"encoding/json"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/internal/render"
)

// headerFlag is iocage's -h/-H/--header: passing it turns the header off
// and prints tab-separated rows for scripts.
func headerFlag() cli.Flag {
	return &cli.BoolFlag{Name: "header", Aliases: []string{"h", "H"}, Usage: "no header: tab-separated rows for scripts"}
}

// jsonFlag selects the JSON rendering; every command's document is
// described in one place, jcage(8)'s JSON OUTPUT.
func jsonFlag(_ string) cli.Flag {
	return &cli.BoolFlag{Name: "json", Usage: "Print JSON (schema_version 1, see JSON OUTPUT in jcage(8))."}
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

// jsonRows reads the rows of a --json table document: the array under
// key, after checking schema_version.
func jsonRows(b []byte, key string) ([]map[string]any, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	var v int
	if err := json.Unmarshal(doc["schema_version"], &v); err != nil || v != render.SchemaVersion {
		return nil, fmt.Errorf("schema_version %s", doc["schema_version"])
	}
	var rows []map[string]any
	err := json.Unmarshal(doc[key], &rows)
	return rows, err
}
