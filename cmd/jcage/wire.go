package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/jail"
	"github.com/jcage/jcage/internal/lifecycle"
	"github.com/jcage/jcage/internal/release"
)

// deps is what a verb works with beyond its options and its standard
// output: the host it reads and changes, with everything the host
// delegates wired in, and the terminal it asks questions on and warns
// to. Verbs get it from env.deps, and so do the tests, on their fakes.
type deps struct {
	host   *jail.Host
	stdin  io.Reader
	stderr io.Writer
	// debug (-D) and paths are the life cycle's: the command log, and
	// where the jail.conf files and NAT rules go.
	debug bool
	paths lifecycle.Paths
}

// deps builds a verb's dependencies from the process's environment. It
// is the one place a jail.Host is made, and it gives the host every
// part the host delegates.
func (e *env) deps() deps {
	d := deps{stdin: e.stdin, stderr: e.stderr, debug: e.debug, paths: lifecyclePaths(e)}
	h := &jail.Host{Host: &inventory.Host{ZFS: e.zfs, Run: e.run, Out: e.stdout, UID: e.uid, LockDir: e.runDir, Pool: e.pool}}
	h.Lifecycle = d.lifecycle(h, e.stderr)
	h.Fetcher = noFetch{}
	if e.autoFetch {
		h.Fetcher = releaseFetcher{h: h, errw: e.stderr}
	}
	h.Packages = packageInstaller{h: h, errw: e.stderr}
	h.Manifests = pluginManifests{}
	h.Mounts = e.mounts
	d.host = h
	return d
}

// lifecyclePaths keeps the jail.conf files (and iocage's NAT files) under
// the run directory the command was given, /var/run by default.
func lifecyclePaths(e *env) lifecycle.Paths {
	p := lifecycle.DefaultPaths()
	if e.runDir != "" {
		p.RunDir, p.NATDir = e.runDir, e.runDir
	}
	return p
}

// lifecycle is h's own start and stop as a jail.Lifecycle, with -D's log
// and this command's run directory; errw takes their messages.
func (d deps) lifecycle(h *jail.Host, errw io.Writer) jail.Lifecycle {
	return hostLifecycle{
		start: lifecycle.Of(h).StartFunc(lifecycle.StartOptions{Debug: d.debug, Err: errw, Paths: d.paths}),
		stop:  lifecycle.Of(h).StopFunc(lifecycle.StopOptions{Debug: d.debug, Err: errw, Paths: d.paths}),
	}
}

// What env.deps gives a Host.
var (
	_ jail.Lifecycle        = hostLifecycle{}
	_ jail.Fetcher          = releaseFetcher{}
	_ jail.Fetcher          = noFetch{}
	_ jail.PackageInstaller = packageInstaller{}
	_ jail.ManifestReader   = pluginManifests{}
	_ inventory.MountReader = mountTable{}
)

// hostLifecycle is a jail.Lifecycle made of a host's StartFunc and
// StopFunc.
type hostLifecycle struct {
	start, stop func(ctx context.Context, names []string) error
}

func (l hostLifecycle) Start(ctx context.Context, names []string) error { return l.start(ctx, names) }
func (l hostLifecycle) Stop(ctx context.Context, names []string) error  { return l.stop(ctx, names) }

// releaseFetcher fetches a release the host lacks with fetch's defaults,
// for create and the plugin commands.
type releaseFetcher struct {
	h    *jail.Host
	errw io.Writer
}

func (f releaseFetcher) Fetch(ctx context.Context, rel string) error {
	inv, err := f.h.Load(ctx, inventory.Options{Create: true})
	if err != nil {
		return err
	}
	meter := release.Meter(release.LineMeter{W: f.errw})
	if isTerminal(f.errw) {
		meter = release.BarMeter{W: f.errw}
	}
	rf, err := release.NewFetcher(ctx, f.h.Host, inv, release.Options{Getenv: os.Getenv, Err: f.errw, Meter: meter})
	if err != nil {
		return err
	}
	if rel, err = rf.Resolve(ctx, rel); err != nil {
		return err
	}
	return rf.Fetch(ctx, rel)
}

// noFetch is the Fetcher of a jcage that fetches nothing on its own (the
// in-process tests, which have no mirror): the release is named instead.
type noFetch struct{}

func (noFetch) Fetch(_ context.Context, rel string) error {
	return fmt.Errorf("Release %s is not fetched; run jcage fetch -r %s", rel, rel)
}

// packageInstaller is create -p's package step on h.
type packageInstaller struct {
	h    *jail.Host
	errw io.Writer
}

func (p packageInstaller) InstallPackages(ctx context.Context, name string, pkgs []string, proxy string) error {
	inv, err := p.h.Load(ctx, inventory.Options{State: true})
	if err != nil {
		return err
	}
	return p.h.InstallCreatePackages(ctx, inv, name, pkgs, jail.CreatePackagesOptions{Proxy: proxy, Err: p.errw})
}

// pluginManifests reads a pluginv2 jail's manifest for its start
// (pluginManifest).
type pluginManifests struct{}

func (pluginManifests) PluginStart(j *inventory.Jail) (*jail.PluginStart, error) {
	return pluginManifest(j)
}

// mountTable is the running system's mount table.
type mountTable struct{}

func (mountTable) ReadMountTable() (inventory.MountTable, error) { return inventory.ReadMountTable() }
