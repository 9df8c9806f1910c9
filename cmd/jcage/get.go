package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/internal/config"
	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/jail"
	"github.com/jcage/jcage/internal/render"
)

const getJSONSchema = "see JSON OUTPUT in jcage(8)"

func init() { registerCommand("get", getCommand) }

func getCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "get",
		Usage:     "Get the specified property.",
		ArgsUsage: "PROP JAIL | -a JAIL | -r PROP | -s JAIL | -j JAIL | -p",
		Flags: []cli.Flag{
			headerFlag(),
			jsonFlag(getJSONSchema),
			&cli.BoolFlag{Name: "all", Aliases: []string{"a"}, Usage: "every property of the jail"},
			&cli.BoolFlag{Name: "recursive", Aliases: []string{"r"}, Usage: "the property for every jail"},
			&cli.BoolFlag{Name: "state", Aliases: []string{"s"}, Usage: "up or down"},
			&cli.BoolFlag{Name: "jid", Aliases: []string{"j"}, Usage: "the JID, or - when stopped"},
			&cli.BoolFlag{Name: "pool", Aliases: []string{"p"}, Usage: "the active pool"},
			&cli.BoolFlag{Name: "plugin", Aliases: []string{"P"}, Usage: "a plugin setting (settings.json, or the plugin's serviceget in the jail)"},
			&cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "with -P: start the jail if it is down"},
		},
		Action: action(e, parseGet, runGet),
	}
}

// getOptions is get's command line.
type getOptions struct {
	args      []string // PROP JAIL, JAIL (-a, -s, -j), PROP (-r) or KEY JAIL (-P)
	all       bool     // -a
	recursive bool     // -r
	state     bool     // -s
	jid       bool     // -j
	pool      bool     // -p
	plugin    bool     // -P
	force     bool     // -f, with -P
	format    render.Format
}

// parseGet reads get's command line and checks its arguments' count for
// the form the flags choose.
func parseGet(c *cli.Context) (getOptions, error) {
	opts := getOptions{args: c.Args().Slice(), all: c.Bool("all"), recursive: c.Bool("recursive"), state: c.Bool("state"),
		jid: c.Bool("jid"), pool: c.Bool("pool"), plugin: c.Bool("plugin"), force: c.Bool("force"), format: format(c)}
	n := len(opts.args)
	switch {
	case opts.pool:
	case opts.recursive:
		if n != 1 {
			return opts, errors.New("Usage: jcage get -r PROP")
		}
	case opts.all, opts.state, opts.jid:
		if n != 1 {
			return opts, errors.New("Usage: jcage get -a|-s|-j JAIL")
		}
	case n != 2:
		return opts, errors.New("Usage: jcage get PROP JAIL")
	}
	if opts.force && !opts.plugin {
		return opts, errors.New("--force (-f) is only applicable with --plugin (-P)!")
	}
	return opts, nil
}

// runGet prints a property of a jail (or of the defaults), every
// property of one, one property of every jail, a jail's state or JID,
// the active pool, or with -P a plugin's setting (runGetPlugin).
func runGet(ctx context.Context, opts getOptions, d deps, w io.Writer) error {
	if opts.plugin {
		return runGetPlugin(ctx, opts, d, w)
	}
	args := opts.args
	h := d.host
	inv, err := h.Load(ctx, inventory.Options{Create: h.UID == 0, State: !opts.pool})
	if err != nil {
		return err
	}
	asJSON := opts.format == render.FormatJSON
	switch {
	case opts.pool:
		return printValue(w, asJSON, "", "pool", inv.Tree.Pool)
	case opts.recursive:
		if len(args) != 1 {
			return errors.New("Usage: jcage get -r PROP")
		}
		if args[0] == "all" {
			t := &render.Table{Columns: []render.Column{
				{Header: "NAME", Key: "name", Compare: render.CompareName},
				{Header: "PROPERTY", Key: "property"},
				{Header: "VALUE", Key: "value"},
			}, Rows: inv.RecursiveAllRows(), JSONKey: "values"}
			t.Columns[2].JSON = func(v string, row []string) any { return config.JSONValue(row[1], v) }
			return t.Write(w, opts.format)
		}
		rows, err := inv.RecursiveRows(args[0])
		if err != nil {
			return err
		}
		t := &render.Table{Columns: render.GetRecursiveColumns(args[0]), Rows: rows}
		if err := t.Sort("name"); err != nil {
			return err
		}
		prop := args[0]
		t.JSONKey, t.JSONFields = "jails", []render.Field{{Key: "property", Value: prop}}
		t.Columns[1].JSON = func(v string, _ []string) any { return config.JSONValue(prop, v) }
		return t.Write(w, opts.format)
	}
	key, target := "", ""
	switch {
	case opts.all, opts.state, opts.jid:
		if len(args) != 1 {
			return errors.New("Usage: jcage get -a|-s|-j JAIL")
		}
		target = args[0]
		key = map[bool]string{true: "state", false: "jid"}[opts.state]
		if opts.all {
			key = "all"
		}
	case len(args) == 2:
		key, target = args[0], args[1]
	default:
		return errors.New("Usage: jcage get PROP JAIL")
	}
	if target == "default" {
		j := &inventory.Jail{Name: "default", Props: inv.Defaults}
		return printJailValue(ctx, w, h, j, key, asJSON)
	}
	j, err := inv.Find(target)
	if err != nil {
		return err
	}
	return printJailValue(ctx, w, h, j, key, asJSON)
}

func printJailValue(ctx context.Context, w io.Writer, h *jail.Host, j *inventory.Jail, key string, asJSON bool) error {
	if key == "all" {
		all, err := j.All()
		if err != nil {
			return err
		}
		if asJSON {
			props := map[string]any{}
			for _, kv := range all {
				props[kv[0]] = config.JSONValue(kv[0], kv[1])
			}
			return render.WriteDocument(w, render.Field{Key: "name", Value: j.Name}, render.Field{Key: "properties", Value: props})
		}
		for _, kv := range all {
			fmt.Fprintf(w, "%s:%s\n", kv[0], kv[1])
		}
		return nil
	}
	v, err := j.Value(key)
	if err != nil {
		return err
	}
	if key == "devfs_ruleset" && j.Running() {
		if v, err = h.LiveRuleset(ctx, j); err != nil {
			return err
		}
	}
	return printValue(w, asJSON, j.Name, key, v)
}

// printValue prints one value; its JSON is {"name", "property", "value"}
// with the value typed as the property is (config.JSONValue), and a null
// name for get -p.
func printValue(w io.Writer, asJSON bool, name, key, v string) error {
	if asJSON {
		var n any = name
		if name == "" {
			n = nil
		}
		return render.WriteDocument(w,
			render.Field{Key: "name", Value: n},
			render.Field{Key: "property", Value: key},
			render.Field{Key: "value", Value: config.JSONValue(key, v)})
	}
	_, err := fmt.Fprintln(w, v)
	return err
}
