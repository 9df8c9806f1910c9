package main

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/jcage/jcage/internal/host"
	"github.com/jcage/jcage/internal/layout"
	"github.com/jcage/jcage/internal/release"
	"github.com/jcage/jcage/internal/render"
	"github.com/jcage/jcage/internal/testworld/mirror"
)

// The release mirror of this package's tests: built once into a cache
// directory (rebuilt only when its settings change) and served on
// 127.0.0.1 for the rest of the test process.
var (
	fetchMirrorOnce sync.Once
	fetchMirror     *mirror.Running
	fetchMirrorDir  string
	fetchMirrorErr  error
)

func testMirror(t *testing.T) *mirror.Running {
	t.Helper()
	fetchMirrorOnce.Do(func() {
		fetchMirrorDir = filepath.Join(os.TempDir(), "jcage-cmd-test-mirror")
		_, fetchMirrorErr = mirror.BuildMirror(fetchMirrorDir, mirror.MirrorSpec{
			Releases: []string{"13.4-RELEASE", "14.1-RELEASE", "14.2-RELEASE", "14.3-RELEASE"},
			Machines: []string{"amd64", "arm64"},
			Missing:  true,
		})
		if fetchMirrorErr == nil {
			fetchMirror, fetchMirrorErr = mirror.Start("127.0.0.1:0", fetchMirrorDir)
		}
	})
	if fetchMirrorErr != nil {
		t.Fatalf("release mirror: %v", fetchMirrorErr)
	}
	return fetchMirror
}

// extractingRunner runs xz and tar for real, so that sets are extracted
// into the fake's directories, and everything else through the recorder.
type extractingRunner struct{ rec *host.Recorder }

func (r extractingRunner) Run(ctx context.Context, c host.Cmd) ([]byte, error) {
	if c.Name == "xz" || c.Name == "tar" {
		return host.Exec{}.Run(ctx, c)
	}
	return r.rec.Run(ctx, c)
}

// newFetchHarness is a tree whose commands extract the sets they fetch.
func newFetchHarness(t *testing.T) *harness {
	h := newTreeHarness(t)
	h.runner = extractingRunner{h.run}
	return h
}

func TestFetchCommand(t *testing.T) {
	m := testMirror(t)
	h := newFetchHarness(t)
	if code := do(h, runFetch, fetchOptions{release: "14.3-release", mirror: release.Options{Server: m.URL}}); code != 0 {
		t.Fatalf("fetch: %d %s", code, h.stderr.String())
	}
	if !strings.HasPrefix(h.stdout.String(), "Fetching: 14.3-RELEASE\n") {
		t.Errorf("stdout %q", h.stdout.String())
	}
	for _, s := range []string{"base.txz", "lib32.txz", "src.txz"} {
		if !strings.Contains(h.stderr.String(), s+": ") {
			t.Errorf("no line for %s on stderr: %q", s, h.stderr.String())
		}
	}
	if strings.Contains(h.stderr.String(), "\r") {
		t.Errorf("a bar was drawn off a terminal: %q", h.stderr.String())
	}
	var fu []string
	for _, l := range h.run.Lines() {
		if strings.Contains(l, "freebsd-update") {
			fu = append(fu, l)
		}
	}
	if len(fu) != 2 || !strings.HasSuffix(fu[0], " --not-running-from-cron fetch") || !strings.HasSuffix(fu[1], ".conf install") {
		t.Errorf("freebsd-update calls %v", fu)
	}
	// -NU, flags after the release as iocage allows, -F repeated.
	if code := do(h, runFetch, fetchOptions{release: "13.4-RELEASE", mirror: release.Options{Server: m.URL, NoUpdate: true, Files: []string{"MANIFEST", "base.txz"}}}); code != 0 {
		t.Fatalf("fetch -NU -F: %d %s", code, h.stderr.String())
	}
	if do(h, runList, listOptions{releases: true}) != 0 || h.stdout.String() != "+---------------+\n| Bases fetched |\n+===============+\n| 13.4-RELEASE  |\n+---------------+\n| 14.3-RELEASE  |\n+---------------+\n" {
		t.Errorf("list -r:\n%s", h.stdout.String())
	}
	if do(h, runList, listOptions{releases: true, format: render.FormatTSV}) != 0 || h.stdout.String() != "13.4-RELEASE\n14.3-RELEASE\n" {
		t.Errorf("list -r -h: %q", h.stdout.String())
	}
	if do(h, runList, listOptions{releases: true, format: render.FormatJSON}) != 0 || h.stdout.String() != "{\n  \"schema_version\": 1,\n  \"releases\": [\n    {\n      \"release\": \"13.4-RELEASE\"\n    },\n    {\n      \"release\": \"14.3-RELEASE\"\n    }\n  ]\n}\n" {
		t.Errorf("list -r --json: %q", h.stdout.String())
	}
	dl := h.zfs.MountPath(layout.Layout{Pool: "tank"}.Download("13.4-RELEASE"))
	if ents, _ := os.ReadDir(dl); len(ents) != 2 {
		t.Errorf("-F MANIFEST -F base.txz kept %v", ents)
	}
}

func TestFetchCommandRefusals(t *testing.T) {
	m := testMirror(t)
	h := newFetchHarness(t)
	before := h.zfs.Names()
	mirror := release.Options{Server: m.URL}
	for _, c := range []struct {
		opts fetchOptions
		want string
	}{
		{fetchOptions{mirror: mirror, release: "banana"}, "Please supply a valid entry.\n"},
		{fetchOptions{mirror: mirror}, "No release given: pass one with -r RELEASE (or -r latest); the mirror offers: 13.4-RELEASE 14.1-RELEASE 14.2-RELEASE 14.3-RELEASE\n"},
		{fetchOptions{mirror: release.Options{Server: m.URL, Auth: "kerberos"}, release: "14.3-RELEASE"}, "--auth must be basic or digest, not \"kerberos\"\n"},
		{fetchOptions{mirror: release.Options{Server: m.URL, NoUpdate: true}, release: "14.0-RELEASE"}, "14.0-RELEASE was not found!\n"},
		{fetchOptions{mirror: release.Options{Server: release.DefaultServer, Local: true}, release: "14.3-RELEASE"}, "Please supply the directory holding the release with -d when using -f\n"},
		{fetchOptions{plugins: true, plugin: pluginFetchOptions{plugin: "hello", name: "bad name!", named: true, count: 1}}, "Invalid character in bad name!, please remove it.\n"},
		{fetchOptions{mirror: mirror, release: "14.3-RELEASE", props: []string{"ip4_addr=x"}}, "fetch: unexpected argument \"ip4_addr=x\" (properties are for plugins)\n"},
	} {
		if code := do(h, runFetch, c.opts); code != 1 || h.stderr.String() != c.want {
			t.Errorf("%+v: code %d stderr %q, want %q", c.opts, code, h.stderr.String(), c.want)
		}
	}
	if after := h.zfs.Names(); strings.Join(after, ",") != strings.Join(before, ",") {
		t.Errorf("refused fetches changed datasets: %v", after)
	}
}

// On a terminal, no -r shows iocage's menu.
func TestFetchMenu(t *testing.T) {
	m := testMirror(t)
	defer func(f func(any) bool) { isTerminal = f }(isTerminal)
	tty := true
	isTerminal = func(s any) bool { return tty && s != nil }
	h := newFetchHarness(t)
	h.stdin = "0\n"
	code := do(h, runFetch, fetchOptions{mirror: release.Options{Server: m.URL, NoUpdate: true}})
	if code != 0 {
		t.Fatalf("menu fetch: %d %s", code, h.stderr.String())
	}
	want := "[0] 13.4-RELEASE\n[1] 14.1-RELEASE\n[2] 14.2-RELEASE\n[3] 14.3-RELEASE\nType the number of the desired RELEASE\n" +
		"Press [Enter] to fetch the default selection: (Not a RELEASE)\nType EXIT to quit: Fetching: 13.4-RELEASE\n"
	if h.stdout.String() != want {
		t.Errorf("stdout:\n%q\nwant\n%q", h.stdout.String(), want)
	}
	if !strings.Contains(h.stderr.String(), "\r") {
		t.Errorf("no bar on a terminal: %q", h.stderr.String())
	}
	h.stdin = "EXIT\n"
	if code := do(h, runFetch, fetchOptions{mirror: release.Options{Server: m.URL}}); code != 0 || strings.Contains(h.stdout.String(), "Fetching") {
		t.Errorf("EXIT: %d %q", code, h.stdout.String())
	}
	h.stdin = "7\n"
	if code := do(h, runFetch, fetchOptions{mirror: release.Options{Server: m.URL}}); code != 1 || h.stderr.String() != "Please supply a valid entry.\n" {
		t.Errorf("bad choice: %d %q", code, h.stderr.String())
	}
}

func TestParseFetch(t *testing.T) {
	got, err := parseLine(t, parseFetch, "fetch", "-r", "13.4-RELEASE", "-s", "http://m", "-NU", "-F", "MANIFEST", "-F", "base.txz", "-h", "-E",
		"-d", "pub/releases", "-a", "basic", "-u", "me", "-p", "pw", "-S", "http://proxy", "-NV")
	want := fetchOptions{release: "13.4-RELEASE", mirror: release.Options{Server: "http://m", RootDir: "pub/releases", Files: []string{"MANIFEST", "base.txz"},
		NoUpdate: true, Auth: "basic", User: "me", Password: "pw", Proxy: "http://proxy", Insecure: true}}
	if err != nil || !reflect.DeepEqual(got.mirror, want.mirror) || got.release != want.release || got.plugins || len(got.props) != 0 {
		t.Errorf("fetch: %+v %v", got, err)
	}
	if got, err = parseLine(t, parseFetch, "fetch"); err != nil || got.mirror.Server != release.DefaultServer || got.mirror.User != "anonymous" ||
		got.mirror.Password != "anonymous@" || got.plugin.count != 1 {
		t.Errorf("fetch's defaults: %+v %v", got, err)
	}
	if got, err = parseLine(t, parseFetch, "fetch", "-f", "-d", "/home/mwl/releases/", "-r", "12.0"); err != nil || !got.mirror.Local || got.release != "12.0" {
		t.Errorf("fetch -f: %+v %v", got, err)
	}
	got, err = parseLine(t, parseFetch, "fetch", "-P", "plex", "-n", "media", "-c", "2", "-k", "--accept", "-C", "-O", "--branch", "14.3-RELEASE", "ip4_addr=em0|10.0.0.9/24")
	wantPlugin := pluginFetchOptions{plugin: "plex", count: 2, name: "media", named: true, repo: "https://github.com/freenas/iocage-ix-plugins.git",
		branch: "14.3-RELEASE", accept: true, keep: true, thick: true, official: true}
	if err != nil || !got.plugins || !reflect.DeepEqual(got.plugin, wantPlugin) || strings.Join(got.props, " ") != "ip4_addr=em0|10.0.0.9/24" {
		t.Errorf("fetch -P: %+v %v", got, err)
	}
	if got, err = parseLine(t, parseFetch, "fetch", "--plugins", "--accept", "--noaccept"); err != nil || !got.plugins || got.plugin.accept || got.plugin.named {
		t.Errorf("fetch --plugins: %+v %v", got, err)
	}
}

func TestDestroyReleaseCommand(t *testing.T) {
	m := testMirror(t)
	h := newFetchHarness(t)
	for _, rel := range []string{"13.4-RELEASE", "14.3-RELEASE"} {
		if code := do(h, runFetch, fetchOptions{release: rel, mirror: release.Options{Server: m.URL, NoUpdate: true}}); code != 0 {
			t.Fatalf("fetch %s: %s", rel, h.stderr.String())
		}
	}
	l := layout.Layout{Pool: "tank"}
	h.stdin = "n\n"
	if code := do(h, runDestroy, destroyOptions{names: []string{"14.3-RELEASE"}, releases: true}); code != 0 || h.stdout.String() != "This will destroy RELEASE: 14.3-RELEASE\nAre you sure? [y/N]: " {
		t.Fatalf("declined: %d %q %q", code, h.stdout.String(), h.stderr.String())
	}
	if _, err := h.zfs.Get(context.Background(), l.Release("14.3-RELEASE")); err != nil {
		t.Fatal("declined destroy destroyed")
	}
	h.stdin = "y\n"
	if code := do(h, runDestroy, destroyOptions{names: []string{"14.3-RELEASE"}, releases: true}); code != 0 || !strings.HasSuffix(h.stdout.String(), "Are you sure? [y/N]: Destroying RELEASE dataset: 14.3-RELEASE\n") {
		t.Fatalf("confirmed: %d %q %q", code, h.stdout.String(), h.stderr.String())
	}
	if code := do(h, runDestroy, destroyOptions{names: []string{"13.4-RELEASE"}, releases: true, force: true, download: true}); code != 0 || h.stdout.String() != "Destroying RELEASE dataset: 13.4-RELEASE\n" {
		t.Fatalf("-f -d: %d %q %q", code, h.stdout.String(), h.stderr.String())
	}
	for _, n := range h.zfs.Names() {
		if layout.Child(l.Release("14.3-RELEASE"), n) || layout.Child(l.Release("13.4-RELEASE"), n) || layout.Child(l.Download("13.4-RELEASE"), n) {
			t.Errorf("%s survived", n)
		}
	}
	if _, err := h.zfs.Get(context.Background(), l.Download("14.3-RELEASE")); err != nil {
		t.Error("download/14.3-RELEASE went without -d")
	}
	if code := do(h, runDestroy, destroyOptions{names: []string{"12.0-RELEASE"}, releases: true, force: true}); code != 1 || h.stderr.String() != "RELEASE: 12.0-RELEASE not found!\n" {
		t.Errorf("missing: %d %q", code, h.stderr.String())
	}
}
