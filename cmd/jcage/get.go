package main

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/internal/jail"
)

const getJSONSchema = `get PROP JAIL: {"name", "property", "value"}; get -a: {"name", "properties": {KEY: VALUE}}; ` +
	`get -r PROP: an array of {"name", "value"}; get -r all: an array of {"name", "property", "value"}. Values are strings as get prints them.`

func init() { registerCommand(getCommand) }

func getCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "get",
		Usage:     "get a jail property",
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
			return inv.RecursiveAllTable().Write(e.stdout, format(c))
		}
		t, err := inv.RecursiveTable(args[0])
		if err != nil {
			return err
		}
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
			props := map[string]string{}
			for _, kv := range all {
				props[kv[0]] = kv[1]
			}
			return writeJSON(e, map[string]any{"name": j.Name, "properties": props})
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

func (e *env) printValue(asJSON bool, name, key, v string) error {
	if asJSON {
		return writeJSON(e, map[string]string{"name": name, "property": key, "value": v})
	}
	_, err := fmt.Fprintln(e.stdout, v)
	return err
}

func writeJSON(e *env, v any) error {
	enc := json.NewEncoder(e.stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
