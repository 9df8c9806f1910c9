package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/internal/host"
	"github.com/jcage/jcage/internal/jail"
	"github.com/jcage/jcage/internal/plugin"
	"github.com/jcage/jcage/internal/release"
	"github.com/jcage/jcage/internal/render"
)

func init() { listPlugins = runListPlugins }

func runListPlugins(c *cli.Context, e *env) error {
	ctx := c.Context
	switch {
	case c.Bool("plugins") && c.Bool("remote"):
		return listPluginIndex(c, e)
	case c.Bool("remote"):
		return listRemoteReleases(c, e)
	}
	h := e.host()
	inv, err := h.Load(ctx, jail.Options{Create: e.uid == 0, State: true})
	if err != nil {
		return err
	}
	t := pluginTable(ctx, h, inv)
	if err := t.Sort(c.String("sort")); err != nil {
		return err
	}
	return t.Write(e.stdout, format(c))
}

// pluginTable is list -P: the long list's columns for plugin jails, with
// PORTAL and DOC_URL from each artifact's ui.json (ioc_list.py list_all).
func pluginTable(ctx context.Context, h *jail.Host, inv *jail.Inventory) *render.Table {
	long := inv.ListTable(jail.ListView{Long: true})
	t := &render.Table{Columns: render.ListPluginColumns(), JSONKey: "jails"}
	byName := map[string]*jail.Jail{}
	for _, j := range inv.Jails {
		byName[j.Name] = j
	}
	for _, row := range long.Rows {
		j := byName[row[1]]
		if j == nil || j.Err != nil || (row[4] != "plugin" && row[4] != "pluginv2") {
			continue
		}
		portal, doc := pluginPortal(ctx, h, j)
		t.Add(append(append([]string(nil), row[:9]...), portal, doc)...)
	}
	return t
}

func pluginPortal(ctx context.Context, h *jail.Host, j *jail.Jail) (string, string) {
	b, err := readIn(filepath.Join(j.Dir, "plugin"), "ui.json")
	if err != nil {
		return "-", "-"
	}
	ui, err := plugin.ParseUI(b)
	if err != nil || ui.AdminPortal == "" {
		return "-", "-"
	}
	portal := portalFor(j, ui)
	if len(ui.Placeholders) > 0 {
		if !j.Running() {
			portal = j.Name + " is not running!"
		} else {
			for ph, prop := range ui.Placeholders {
				v, err := pluginGet(ctx, h, j, strings.Split(prop, "."))
				if err != nil {
					portal = err.Error()
					break
				}
				portal = strings.ReplaceAll(portal, ph, v)
			}
		}
	}
	doc := "-"
	if ui.DocURL != nil {
		doc = *ui.DocURL
	}
	return portal, doc
}

// listPluginIndex is list -PR: the plugins of the index, sorted by id.
func listPluginIndex(c *cli.Context, e *env) error {
	ctx := c.Context
	h := e.host()
	pool, err := h.FindPool(ctx, e.uid == 0)
	if err != nil {
		return err
	}
	tree, err := h.OpenTree(ctx, pool, e.uid == 0)
	if err != nil {
		return err
	}
	branch := c.String("branch")
	if branch == "" {
		out, err := h.Run.Run(ctx, host.Cmd{Name: "freebsd-version", Args: []string{"-u"}})
		if err != nil {
			return fmt.Errorf("freebsd-version: %w", err)
		}
		branch = plugin.DefaultBranch(strings.TrimSpace(string(out)))
	}
	f := &pluginFetch{h: h, out: e.stdout, errw: e.stderr, in: e.stdin, iocroot: tree.Mountpoint, repo: c.String("git_repository"), branch: branch}
	if err := os.MkdirAll(filepath.Join(tree.Mountpoint, ".plugins"), 0o755); err != nil {
		return err
	}
	quiet := *f
	quiet.out = e.stderr
	ix, err := quiet.syncIndex(ctx)
	if err != nil {
		return err
	}
	t := &render.Table{Columns: render.PluginIndexColumns(), JSONKey: "plugins"}
	if !c.Bool("long") {
		t.MaxWidth = render.PluginIndexWidth
	}
	for _, p := range ix {
		if c.Bool("official") && !p.Official {
			continue
		}
		t.Add(p.Name, p.Description, p.ID, p.Icon)
	}
	return t.Write(e.stdout, format(c))
}

// listRemoteReleases is list -R: the releases the mirror offers, one per
// line.
func listRemoteReleases(c *cli.Context, e *env) error {
	ctx := c.Context
	h := e.host()
	inv, err := h.Load(ctx, jail.Options{Create: e.uid == 0})
	if err != nil {
		return err
	}
	fe := release.Options{Getenv: os.Getenv, Err: e.stderr}
	f, err := release.NewFetcher(ctx, h, inv, fe)
	if err != nil {
		return err
	}
	rels, err := f.Available(ctx)
	if err != nil {
		return err
	}
	for _, r := range rels {
		fmt.Fprintln(e.stdout, r)
	}
	return nil
}
