package main

import (
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

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
		Action: func(c *cli.Context) error { return runGet(c, e) },
	}
}

// getPlugin, when set, answers get -P.
var getPlugin func(c *cli.Context, e *env) error

func runGet(c *cli.Context, e *env) error {
	if c.Bool("force") && !c.Bool("plugin") {
		return errors.New("--force (-f) is only applicable with --plugin (-P)!")
	}
	if c.Bool("plugin") {
		if getPlugin == nil {
			return errors.New("get: -P is not supported by this build")
		}
		return getPlugin(c, e)
	}
	args := c.Args().Slice()
	h := e.host()
	inv, err := h.Load(c.Context, jail.Options{Create: e.uid == 0, State: !c.Bool("pool")})
	if err != nil {
		return err
	}
	asJSON := c.Bool("json")
	switch {
	case c.Bool("pool"):
		return e.printValue(asJSON, "", "pool", inv.Tree.Pool)
	case c.Bool("recursive"):
		if len(args) != 1 {
			return errors.New("Usage: jcage get -r PROP")
		}
		if args[0] == "all" {
			t := inv.RecursiveAllTable()
			t.JSONKey = "values"
			t.Columns[2].JSON = func(v string, row []string) any { return jail.JSONValue(row[1], v) }
			return t.Write(e.stdout, format(c))
		}
		t, err := inv.RecursiveTable(args[0])
		if err != nil {
			return err
		}
		prop := args[0]
		t.JSONKey, t.JSONFields = "jails", []render.Field{{Key: "property", Value: prop}}
		t.Columns[1].JSON = func(v string, _ []string) any { return jail.JSONValue(prop, v) }
		return t.Write(e.stdout, format(c))
	}
	key, target := "", ""
	switch {
	case c.Bool("all"), c.Bool("state"), c.Bool("jid"):
		if len(args) != 1 {
			return errors.New("Usage: jcage get -a|-s|-j JAIL")
		}
		target = args[0]
		key = map[bool]string{true: "state", false: "jid"}[c.Bool("state")]
		if c.Bool("all") {
			key = "all"
		}
	case len(args) == 2:
		key, target = args[0], args[1]
	default:
		return errors.New("Usage: jcage get PROP JAIL")
	}
	if target == "default" {
		j := &jail.Jail{Name: "default", Props: inv.Defaults}
		return e.printJailValue(c, h, j, key, asJSON)
	}
	j, err := inv.Find(target)
	if err != nil {
		return err
	}
	return e.printJailValue(c, h, j, key, asJSON)
}

func (e *env) printJailValue(c *cli.Context, h *jail.Host, j *jail.Jail, key string, asJSON bool) error {
	if key == "all" {
		all, err := j.All()
		if err != nil {
			return err
		}
		if asJSON {
			props := map[string]any{}
			for _, kv := range all {
				props[kv[0]] = jail.JSONValue(kv[0], kv[1])
			}
			return render.WriteDocument(e.stdout, render.Field{Key: "name", Value: j.Name}, render.Field{Key: "properties", Value: props})
		}
		for _, kv := range all {
			fmt.Fprintf(e.stdout, "%s:%s\n", kv[0], kv[1])
		}
		return nil
	}
	v, err := j.Value(key)
	if err != nil {
		return err
	}
	if key == "devfs_ruleset" && j.Running() {
		if v, err = h.LiveRuleset(c.Context, j); err != nil {
			return err
		}
	}
	return e.printValue(asJSON, j.Name, key, v)
}

// printValue prints one value; its JSON is {"name", "property", "value"}
// with the value typed as the property is (jail.JSONValue), and a null
// name for get -p.
func (e *env) printValue(asJSON bool, name, key, v string) error {
	if asJSON {
		var n any = name
		if name == "" {
			n = nil
		}
		return render.WriteDocument(e.stdout,
			render.Field{Key: "name", Value: n},
			render.Field{Key: "property", Value: key},
			render.Field{Key: "value", Value: jail.JSONValue(key, v)})
	}
	_, err := fmt.Fprintln(e.stdout, v)
	return err
}
