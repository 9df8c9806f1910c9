package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jcage/jcage/internal/argv"
	"github.com/jcage/jcage/internal/atomicfile"
	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/jail"
	"github.com/jcage/jcage/internal/layout"
	"github.com/jcage/jcage/internal/maint"
	"github.com/jcage/jcage/internal/plugin"
	"github.com/jcage/jcage/internal/release"
	"github.com/jcage/jcage/internal/zfs"
)

// pluginSnapName is the snapshot a plugin update or upgrade takes:
// ioc_plugin_<kind>_<UTC %F> (IOCPlugin.__snapshot_jail__).
func pluginSnapName(kind string, t time.Time) string {
	return "ioc_plugin_" + kind + "_" + t.UTC().Format("2006-01-02")
}

// pluginJob is an update or upgrade of one pluginv2 jail.
type pluginJob struct {
	f    *pluginFetch
	name string
	snap string // snapshot name to roll back to
	ds   string
}

func newPluginJob(ctx context.Context, d deps, w io.Writer, inv *inventory.Inventory, j *inventory.Jail, kind string) (*pluginJob, error) {
	h := d.host
	branch := ""
	out, err := h.Run.Run(ctx, argv.FreebsdVersionUserland())
	if err != nil {
		return nil, fmt.Errorf("freebsd-version: %w", err)
	}
	branch = plugin.DefaultBranch(strings.TrimSpace(string(out)))
	repo := j.Prop("plugin_repository")
	if repo == "" || repo == "none" {
		repo = plugin.DefaultRepository
	}
	f := &pluginFetch{h: h, out: w, errw: d.stderr, in: d.stdin, iocroot: inv.Tree.Mountpoint, repo: repo, branch: branch}
	return &pluginJob{f: f, name: j.Name, snap: pluginSnapName(kind, time.Now()), ds: inv.SnapDataset(j)}, nil
}

// snapshot takes the job's snapshot; one taken earlier today is kept, as
// iocage keeps it.
func (p *pluginJob) snapshot(ctx context.Context) error {
	p.f.say("Snapshotting %s... ", p.name)
	err := p.f.h.ZFS.Snapshot(ctx, layout.SnapName(p.ds, p.snap), true)
	if err != nil && !errors.Is(err, zfs.ErrExists) {
		return err
	}
	return nil
}

// rollback stops the jail and takes it back to the job's snapshot.
func (p *pluginJob) rollback(ctx context.Context, cause error) error {
	ctx = context.WithoutCancel(ctx)
	h := p.f.h
	inv, err := h.Load(ctx, inventory.Options{Create: true, State: true})
	if err == nil {
		var j *inventory.Jail
		if j, err = inv.Find(p.name); err == nil {
			if j.Running() {
				err = h.Lifecycle.Stop(ctx, []string{p.name})
				if err == nil {
					inv, err = h.Load(ctx, inventory.Options{Create: true, State: true})
					if err == nil {
						j, err = inv.Find(p.name)
					}
				}
			}
			if err == nil {
				var plan *jail.RollbackPlan
				if plan, err = h.PlanRollback(ctx, inv, j, p.snap); err == nil {
					err = h.Rollback(ctx, inv, plan)
				}
			}
		}
	}
	target := layout.SnapName(p.ds, p.snap)
	if err != nil {
		return fmt.Errorf("%w; rolling back to %s failed: %v", cause, target, err)
	}
	return fmt.Errorf("%w; rolled back to %s", cause, target)
}

// manifest loads the plugin's manifest from the updated index, by
// plugin_name, else the index manifest whose name matches the one kept
// beside the jail (IOCPlugin._load_plugin_json, __find_plugin_json).
func (p *pluginJob) manifest(j *inventory.Jail) (*plugin.Manifest, error) {
	id := j.Prop("plugin_name")
	dir := plugin.CloneDir(p.f.iocroot, p.f.repo)
	if b, err := readIn(dir, id+".json"); err == nil {
		return plugin.ParseManifest(b)
	}
	kept, err := readIn(j.Dir, id+".json")
	if err != nil {
		return nil, fmt.Errorf("%s was not found!", filepath.Join(j.Dir, id+".json"))
	}
	km, err := plugin.ParseManifest(kept)
	if err != nil {
		return nil, err
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		if b, err := readIn(dir, e.Name()); err == nil {
			if m, err := plugin.ParseManifest(b); err == nil && m.Name == km.Name {
				return m, nil
			}
		}
	}
	return nil, fmt.Errorf("A plugin manifest matching %s could not be found!", km.Name)
}

func major(rel string) int {
	n, _ := strconv.Atoi(strings.SplitN(rel, ".", 2)[0])
	return n
}

// runPluginUpdate is the plugin part of `update` for a pluginv2 jail
// (IOCPlugin.update): snapshot, index, artifact and pre_update.sh, every
// package removed and reinstalled from the plugin's repository, the
// overlay again and post_update.sh. Any failure rolls the jail back.
func runPluginUpdate(ctx context.Context, d deps, w io.Writer, inv *inventory.Inventory, j *inventory.Jail) error {
	p, err := newPluginJob(ctx, d, w, inv, j, "update")
	if err != nil {
		return err
	}
	if err := p.snapshot(ctx); err != nil {
		return err
	}
	if err := p.update(ctx, false); err != nil {
		return p.rollback(ctx, err)
	}
	return nil
}

func (p *pluginJob) update(ctx context.Context, upgrade bool) error {
	f, h := p.f, p.f.h
	f.say("Updating plugin INDEX... ")
	if _, err := f.syncIndex(ctx); err != nil {
		return step("update the index", err)
	}
	inv, err := h.Load(ctx, inventory.Options{Create: true, State: true})
	if err != nil {
		return err
	}
	j, err := inv.Find(p.name)
	if err != nil {
		return err
	}
	m, err := p.manifest(j)
	if err != nil {
		return step("load the manifest", err)
	}
	if !upgrade && major(j.Prop("release")) < major(m.Release) {
		h.ZFS.Destroy(context.WithoutCancel(ctx), layout.SnapName(p.ds, p.snap), zfs.DestroyOptions{Recursive: true})
		return errors.New("Major ABI change detected, please run 'upgrade' instead.")
	}
	if !j.Running() {
		if j, err = f.start(ctx, p.name); err != nil {
			return step("start the jail", err)
		}
	}
	root := j.RootPath()
	if m.Artifact != "" {
		f.say("Updating plugin artifact... ")
		if err := f.pullArtifact(ctx, m.Artifact, j.Dir, root); err != nil {
			return step("fetch the artifact", err)
		}
		if err := p.hook(ctx, j, "pre_update.sh"); err != nil {
			return step("pre_update.sh", err)
		}
	}
	f.say("Removing old pkgs... ")
	if err := f.pkg(ctx, j, nil, argv.PkgDeleteAllArgs()); err != nil {
		return step("remove the packages", fmt.Errorf("PKG error, update failed! %w", err))
	}
	f.say("Installing new pkgs... ")
	// The jail's own network settings: the plan only needs to see one.
	var netProps []string
	for _, k := range []string{"ip4_addr", "ip6_addr", "dhcp", "nat", "ip_hostname"} {
		if v := j.Prop(k); v != "" {
			netProps = append(netProps, k+"="+v)
		}
	}
	plan, err := plugin.PlanInstall(m, plugin.InstallRequest{Plugin: j.Prop("plugin_name"), Repository: f.repo, Name: j.Name,
		Props: netProps})
	if err != nil {
		return step("plan the packages", err)
	}
	env := []string{"ASSUME_ALWAYS_YES=yes"}
	if err := plugin.WriteRepoFiles(root, plan); err != nil {
		return step("write the pkg repository files", err)
	}
	for _, pk := range [][]string{{"pkg"}, plan.Packages} {
		if err := f.pkg(ctx, j, env, argv.PkgInstallArgs(pk)); err != nil {
			return step("install packages", fmt.Errorf("PKG error, update failed! %w", err))
		}
	}
	if m.Artifact != "" {
		if err := f.pullArtifact(ctx, m.Artifact, j.Dir, root); err != nil {
			return step("fetch the artifact", err)
		}
		if err := p.hook(ctx, j, "post_update.sh"); err != nil {
			return step("post_update.sh", err)
		}
	}
	// The update snapshot goes once the update stands (__remove_snapshot__).
	if !upgrade {
		if err := h.ZFS.Destroy(context.WithoutCancel(ctx), layout.SnapName(p.ds, p.snap), zfs.DestroyOptions{Recursive: true}); err != nil && !errors.Is(err, zfs.ErrNotFound) {
			fmt.Fprintf(f.errw, "WARNING: %s was not removed: %v\n", layout.SnapName(p.ds, p.snap), err)
		}
	}
	return nil
}

// hook runs one of the artifact's update scripts inside the jail, as
// __run_hook_script__ does: rc.shutdown, the script from /tmp with sh,
// then the jail's rc again.
func (p *pluginJob) hook(ctx context.Context, j *inventory.Jail, name string) error {
	src := filepath.Join(j.Dir, "plugin", name)
	if st, err := os.Lstat(src); err != nil || !st.Mode().IsRegular() {
		return nil
	}
	p.f.say("Running %s... ", name)
	if err := plugin.PlaceScript(src, j.RootPath(), "/tmp/"+name); err != nil {
		return err
	}
	h := p.f.h
	for _, argv := range [][]string{{"/bin/sh", "/etc/rc.shutdown"}, {"sh", "/tmp/" + name}, {"/bin/sh", "/etc/rc.shutdown"}, {"/bin/sh", "/etc/rc"}} {
		c := plugin.JexecCmd(j.Name, argv, "")
		if _, err := h.Run.Run(ctx, c); err != nil {
			if argv[0] == "sh" {
				return err
			}
		}
	}
	return nil
}

// runPluginUpgrade is `upgrade` of a pluginv2 jail (IOCPlugin.upgrade):
// the manifest's release from the updated index, the base jail switched
// to it, then a plugin update; any failure rolls back to the upgrade
// snapshot.
func runPluginUpgrade(ctx context.Context, d deps, w io.Writer, inv *inventory.Inventory, j *inventory.Jail) error {
	p, err := newPluginJob(ctx, d, w, inv, j, "upgrade")
	if err != nil {
		return err
	}
	if err := p.snapshot(ctx); err != nil {
		return err
	}
	if err := p.upgrade(ctx, j); err != nil {
		return p.rollback(ctx, err)
	}
	return nil
}

func (p *pluginJob) upgrade(ctx context.Context, j *inventory.Jail) error {
	f, h := p.f, p.f.h
	f.say("Updating plugin INDEX... ")
	if _, err := f.syncIndex(ctx); err != nil {
		return step("update the index", err)
	}
	m, err := p.manifest(j)
	if err != nil {
		return step("load the manifest", err)
	}
	copyJSON, err := m.JailCopy()
	if err == nil {
		err = atomicfile.Write(filepath.Join(j.Dir, j.Prop("plugin_name")+".json"), copyJSON, 0o644)
	}
	if err != nil {
		return step("write the manifest", err)
	}
	inv, err := h.Load(ctx, inventory.Options{Create: true, State: true})
	if err != nil {
		return err
	}
	if !slices.Contains(inv.Releases, m.Release) {
		f.say("New plugin RELEASE missing, fetching now... ")
		if err := h.Fetcher.Fetch(ctx, m.Release); err != nil {
			return step("fetch "+m.Release, err)
		}
		if inv, err = h.Load(ctx, inventory.Options{Create: true, State: true}); err != nil {
			return err
		}
	}
	if j, err = inv.Find(p.name); err != nil {
		return err
	}
	f.say("Running upgrade... ")
	if baseRel := strings.SplitN(j.Prop("release"), "-p", 2)[0]; baseRel != m.Release {
		if err := maint.Of(h).Upgrade(ctx, inv, j, m.Release, maint.UpgradeOptions{
			Upgrader: &release.Upgrader{Run: h.Run, Out: f.out, Err: f.errw},
			Err:      f.errw,
			Plugin:   true,
		}); err != nil {
			return step("upgrade the base jail", err)
		}
	}
	return p.update(ctx, true)
}
