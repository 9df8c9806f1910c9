package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/jail"
	"github.com/jcage/jcage/internal/plugin"
)

// pluginSettings reads the artifact's settings.json beside the jail.
func pluginSettings(j *inventory.Jail) (*plugin.Settings, error) {
	b, err := readIn(filepath.Join(j.Dir, "plugin"), "settings.json")
	if err != nil {
		return nil, fmt.Errorf("No settings.json exists in %s!", filepath.Join(j.Dir, "plugin"))
	}
	return plugin.ParseSettings(b)
}

// inJail runs argv inside the jail (jexec), never on the host, and
// returns its output.
func inJail(ctx context.Context, h *jail.Host, j *inventory.Jail, argv []string) (string, error) {
	out, err := h.Run.Run(ctx, plugin.JexecCmd(j.Name, argv, ""))
	if err != nil {
		return "", fmt.Errorf("%s failed in %s: %s", strings.Join(argv, " "), j.Name, lastLine(out, err))
	}
	return strings.TrimRight(string(out), "\n"), nil
}

func lastLine(out []byte, err error) string {
	if s := strings.TrimSpace(string(out)); s != "" {
		return lastLines(s, 1)
	}
	return err.Error()
}

// pluginGet is IOCJson.json_plugin_get_value: a dotted key is read from
// settings.json; a plain key asks the plugin's serviceget in the jail;
// "all" is the whole settings.json.
func pluginGet(ctx context.Context, h *jail.Host, j *inventory.Jail, path []string) (string, error) {
	s, err := pluginSettings(j)
	if err != nil {
		return "", err
	}
	show := func(v any) string {
		if m, ok := v.(map[string]any); ok {
			var b bytes.Buffer
			enc := json.NewEncoder(&b)
			enc.SetIndent("", "    ")
			enc.Encode(m)
			return strings.TrimRight(b.String(), "\n")
		}
		return fmt.Sprint(v)
	}
	if path[0] == "all" {
		return show(s.Raw()), nil
	}
	p := path
	if slices.Contains(path, "options") {
		p = path[1:]
	}
	if len(p) > 1 {
		v, err := s.Nested(path)
		if err != nil {
			return "", fmt.Errorf("Key: \"%s\" does not exist!", strings.Join(path, "."))
		}
		return show(v), nil
	}
	if s.ServiceGet == "" {
		return "", errors.New("settings.json has no serviceget")
	}
	return inJail(ctx, h, j, plugin.Argv(s.ServiceGet, p...))
}

// runningPlugin finds a plugin jail and makes sure it runs (force starts it).
func runningPlugin(ctx context.Context, h *jail.Host, name string, force bool) (*inventory.Jail, error) {
	inv, err := h.Load(ctx, inventory.Options{Create: h.UID == 0, State: true})
	if err != nil {
		return nil, err
	}
	j, err := inv.Find(name)
	if err != nil {
		return nil, err
	}
	if !j.Running() {
		if !force {
			return nil, fmt.Errorf("%s is not running! Please supply --force (-f) or start the jail", j.Name)
		}
		if err := h.Lifecycle.Start(ctx, []string{j.Name}); err != nil {
			return nil, err
		}
		if inv, err = h.Load(ctx, inventory.Options{Create: true, State: true}); err != nil {
			return nil, err
		}
		if j, err = inv.Find(name); err != nil {
			return nil, err
		}
	}
	return j, nil
}

// runGetPlugin is get -P KEY JAIL.
func runGetPlugin(ctx context.Context, opts getOptions, d deps, w io.Writer) error {
	args := opts.args
	if len(args) != 2 {
		return errors.New("Usage: jcage get -P KEY JAIL")
	}
	h := d.host
	if h.UID != 0 {
		return errors.New("You need to be root to read a plugin property")
	}
	j, err := runningPlugin(ctx, h, args[1], opts.force)
	if err != nil {
		return err
	}
	v, err := pluginGet(ctx, h, j, strings.Split(args[0], "."))
	if err != nil {
		return err
	}
	fmt.Fprintln(w, v)
	return nil
}

// runSetPlugin is set -P KEY=VALUE... JAIL: each option settings.json
// offers, and does not mark readonly, is set with the plugin's serviceset
// in the jail; the service restarts when an option asks for it.
func runSetPlugin(ctx context.Context, opts setOptions, d deps, w io.Writer) error {
	args := opts.args
	if len(args) < 2 {
		return errors.New("Usage: jcage set -P KEY=VALUE [KEY=VALUE...] JAIL")
	}
	h := d.host
	j, err := runningPlugin(ctx, h, args[len(args)-1], true)
	if err != nil {
		return err
	}
	s, err := pluginSettings(j)
	if err != nil {
		return err
	}
	type assign struct{ k, v string }
	var todo []assign
	restart := false
	for _, a := range args[:len(args)-1] {
		k, v, ok := strings.Cut(a, "=")
		if !ok {
			return fmt.Errorf("Invalid property %q: use KEY=VALUE", a)
		}
		opt, ok := s.Options[k]
		switch {
		case !ok:
			return fmt.Errorf("%s is not a valid property!", k)
		case opt.ReadOnly:
			return fmt.Errorf("%s is readonly!", k)
		}
		restart = restart || opt.RequireRestart
		todo = append(todo, assign{k, v})
	}
	if s.ServiceSet == "" {
		return errors.New("settings.json has no serviceset")
	}
	for _, a := range todo {
		if _, err := inJail(ctx, h, j, plugin.Argv(s.ServiceSet, a.k, a.v)); err != nil {
			return err
		}
		fmt.Fprintf(w, "Property: %s has been updated to %s\n", a.k, a.v)
	}
	if restart && s.ServiceRestart != "" {
		if _, err := inJail(ctx, h, j, strings.Fields(s.ServiceRestart)); err != nil {
			return err
		}
	}
	return nil
}
