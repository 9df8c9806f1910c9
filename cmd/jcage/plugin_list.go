package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/jcage/jcage/internal/argv"
	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/jail"
	"github.com/jcage/jcage/internal/plugin"
	"github.com/jcage/jcage/internal/release"
	"github.com/jcage/jcage/internal/render"
)

// listPlugins is list -P, -PR and -R: the plugin jails, the plugins of
// the index, or the releases the mirror offers.
func listPlugins(ctx context.Context, opts listOptions, d deps, w io.Writer) error {
	switch {
	case opts.plugins && opts.remote:
		return listPluginIndex(ctx, opts, d, w)
	case opts.remote:
		return listRemoteReleases(ctx, d, w)
	}
	h := d.host
	inv, err := h.Load(ctx, inventory.Options{Create: h.UID == 0, State: true})
	if err != nil {
		return err
	}
	t := pluginTable(ctx, h, inv)
	if err := t.Sort(cmp.Or(opts.sort, listSort)); err != nil {
		return err
	}
	return t.Write(w, opts.format)
}

// pluginTable is list -P: the long list's columns for plugin jails, with
// PORTAL and DOC_URL from each artifact's ui.json (ioc_list.py list_all).
func pluginTable(ctx context.Context, h *jail.Host, inv *inventory.Inventory) *render.Table {
	long := inv.ListRows(inventory.ListView{Long: true})
	t := &render.Table{Columns: render.ListPluginColumns(), JSONKey: "jails"}
	byName := map[string]*inventory.Jail{}
	for _, j := range inv.Jails {
		byName[j.Name] = j
	}
	for _, row := range long {
		j := byName[row[1]]
		if j == nil || j.Err != nil || (row[4] != "plugin" && row[4] != "pluginv2") {
			continue
		}
		portal, doc := pluginPortal(ctx, h, j)
		t.Add(append(append([]string(nil), row[:9]...), portal, doc)...)
	}
	return t
}

func pluginPortal(ctx context.Context, h *jail.Host, j *inventory.Jail) (string, string) {
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
func listPluginIndex(ctx context.Context, opts listOptions, d deps, w io.Writer) error {
	h := d.host
	if err := plugin.NeedGit(ctx, h.Run); err != nil {
		return err
	}
	pool, err := h.FindPool(ctx, h.UID == 0)
	if err != nil {
		return err
	}
	tree, err := h.OpenTree(ctx, pool, h.UID == 0)
	if err != nil {
		return err
	}
	branch := opts.branch
	if branch == "" {
		out, err := h.Run.Run(ctx, argv.FreebsdVersionUserland())
		if err != nil {
			return fmt.Errorf("freebsd-version: %w", err)
		}
		branch = plugin.DefaultBranch(strings.TrimSpace(string(out)))
	}
	if err := os.MkdirAll(filepath.Join(tree.Mountpoint, ".plugins"), 0o755); err != nil {
		return err
	}
	// The index's checkout talks on stderr: stdout is the table's.
	quiet := &pluginFetch{h: h, out: d.stderr, errw: d.stderr, in: d.stdin, iocroot: tree.Mountpoint, repo: opts.repo, branch: branch}
	ix, err := quiet.syncIndex(ctx)
	if err != nil {
		return err
	}
	t := &render.Table{Columns: render.PluginIndexColumns(), JSONKey: "plugins"}
	if !opts.view.Long {
		t.MaxWidth = render.PluginIndexWidth
	}
	for _, p := range ix {
		if opts.official && !p.Official {
			continue
		}
		t.Add(p.Name, p.Description, p.ID, p.Icon)
	}
	return t.Write(w, opts.format)
}

// listRemoteReleases is list -R: the releases the mirror offers, one per
// line.
func listRemoteReleases(ctx context.Context, d deps, w io.Writer) error {
	h := d.host
	inv, err := h.Load(ctx, inventory.Options{Create: h.UID == 0})
	if err != nil {
		return err
	}
	fe := release.Options{Getenv: os.Getenv, Err: d.stderr}
	f, err := release.NewFetcher(ctx, h.Host, inv, fe)
	if err != nil {
		return err
	}
	rels, err := f.Available(ctx)
	if err != nil {
		return err
	}
	for _, r := range rels {
		fmt.Fprintln(w, r)
	}
	return nil
}
