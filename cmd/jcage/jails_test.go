package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/jail"
	"github.com/jcage/jcage/internal/layout"
	"github.com/jcage/jcage/internal/render"
	"github.com/jcage/jcage/internal/zfs"
)

const testRel = "14.3-RELEASE"

// addRelease lays out a fetched release with the files create touches.
func (h *harness) addRelease(rel string) {
	h.t.Helper()
	l := layout.Layout{Pool: "tank"}
	if err := h.zfs.Create(context.Background(), l.ReleaseRoot(rel), zfs.CreateOptions{Parents: true}); err != nil {
		h.t.Fatal(err)
	}
	root := h.zfs.MountPath(l.ReleaseRoot(rel))
	for path, body := range map[string]string{
		"bin/freebsd-version": "#!/bin/sh\nUSERLAND_VERSION=\"" + rel + "-p2\"\n",
		"etc/hosts":           "::1\t\t\tlocalhost localhost.my.domain\n127.0.0.1\t\tlocalhost localhost.my.domain\n",
		"bin/sh":              "elf",
		"usr/bin/true":        "elf",
	} {
		p := filepath.Join(root, path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			h.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			h.t.Fatal(err)
		}
	}
}

// create runs create, which has to succeed, and returns its output.
func (h *harness) create(req jail.CreateRequest) string {
	h.t.Helper()
	return must(h, runCreate, createOptions{req: req})
}

func (h *harness) read(ds, file string) string {
	h.t.Helper()
	b, err := os.ReadFile(filepath.Join(h.zfs.MountPath(ds), file))
	if err != nil {
		h.t.Fatal(err)
	}
	return string(b)
}

// bothReads runs a test with the full read of the tree and with the
// narrow one (the fake's mount table), as the real binary reads it.
func bothReads(t *testing.T, fn func(t *testing.T, narrow bool)) {
	for _, narrow := range []bool{false, true} {
		t.Run(map[bool]string{false: "full", true: "narrow"}[narrow], func(t *testing.T) { fn(t, narrow) })
	}
}

// newReleaseHarness is a tree with the test release, read as narrow says.
func newReleaseHarness(t *testing.T, narrow bool) *harness {
	h := newTreeHarness(t)
	h.narrow = narrow
	h.addRelease(testRel)
	return h
}

func TestCreateThin(t *testing.T) {
	bothReads(t, testCreateThin)
}

func testCreateThin(t *testing.T, narrow bool) {
	h := newReleaseHarness(t, narrow)
	before := h.zfs.Calls("")
	out := h.create(jail.CreateRequest{Release: testRel, Name: "www1", Props: []string{"ip4_addr=em0|10.0.0.5/24", "boot=off"}})
	if out != "www1 successfully created!\n" {
		t.Fatalf("stdout %q", out)
	}
	if n := h.zfs.Calls("") - before; n > 4 || (narrow && n != 3) {
		t.Fatalf("thin create made %d zfs calls, want at most 4 (3 when narrow)", n)
	}
	l := layout.Layout{Pool: "tank"}
	d, err := h.zfs.Get(context.Background(), l.JailRoot("www1"))
	if err != nil || d.Origin != l.ReleaseRoot(testRel)+"@www1" {
		t.Fatalf("root %+v %v", d, err)
	}
	cfg := h.read(l.Jail("www1"), "config.json")
	want := `{
    "boot": 0,
    "cloned_release": "14.3-RELEASE",
    "host_hostname": "www1",
    "host_hostuuid": "www1",
    "ip4_addr": "em0|10.0.0.5/24",
    "jail_zfs_dataset": "iocage/jails/www1/data",
    "release": "14.3-RELEASE-p2"
}`
	if cfg != want {
		t.Fatalf("config.json:\n%s\nwant:\n%s", cfg, want)
	}
	if fstab := h.read(l.Jail("www1"), "fstab"); fstab != "" {
		t.Fatalf("fstab %q", fstab)
	}
	hosts := h.read(l.JailRoot("www1"), "etc/hosts")
	if !strings.Contains(hosts, "127.0.0.1\t\tlocalhost localhost.my.domain www1\n") || !strings.HasSuffix(hosts, "10.0.0.5\twww1\n") {
		t.Fatalf("hosts %q", hosts)
	}
	if rc := h.read(l.JailRoot("www1"), "etc/rc.conf"); !strings.Contains(rc, `sendmail_enable="NO"`) {
		t.Fatalf("rc.conf %q", rc)
	}
	// The release keeps its own hosts file.
	if hosts := h.read(l.ReleaseRoot(testRel), "etc/hosts"); strings.Contains(hosts, "www1") {
		t.Fatalf("release hosts changed: %q", hosts)
	}
	if got := must(h, runList, listOptions{format: render.FormatTSV}); got != "None\twww1\tdown\t14.3-RELEASE\t10.0.0.5\n" {
		t.Fatalf("list %q", got)
	}
}

func TestCreateBootStartsTheJail(t *testing.T) {
	h := newTreeHarness(t)
	h.addRelease(testRel)
	h.create(jail.CreateRequest{Release: testRel, Name: "www1", Props: []string{"boot=on"}})
	var started bool
	for _, c := range h.run.Calls() {
		if c.Name == "jail" && len(c.Args) > 0 && c.Args[len(c.Args)-1] == "-c" {
			started = true
		}
	}
	if !started {
		t.Fatalf("create boot=on ran no jail -c: %q", h.run.Lines())
	}
}

func TestCreateKinds(t *testing.T) {
	bothReads(t, testCreateKinds)
}

func testCreateKinds(t *testing.T, narrow bool) {
	h := newReleaseHarness(t, narrow)
	l := layout.Layout{Pool: "tank"}
	h.create(jail.CreateRequest{Release: testRel, Name: "thick", Thick: true})
	if d, _ := h.zfs.Get(context.Background(), l.JailRoot("thick")); d.Origin != "" {
		t.Fatalf("thick jail is a clone of %s", d.Origin)
	}
	if cfg := h.read(l.Jail("thick"), "config.json"); strings.Contains(cfg, "cloned_release") {
		t.Fatalf("thick config keeps cloned_release:\n%s", cfg)
	}
	for _, n := range h.zfs.Names() {
		if strings.HasSuffix(n, "@thick") {
			t.Fatalf("thick create left snapshot %s", n)
		}
	}
	h.create(jail.CreateRequest{Empty: true, Name: "empty"})
	if cfg := h.read(l.Jail("empty"), "config.json"); !strings.Contains(cfg, `"release": "EMPTY"`) {
		t.Fatalf("empty config:\n%s", cfg)
	}
	h.create(jail.CreateRequest{Release: testRel, Name: "big", ThickConfig: true})
	if cfg := h.read(l.Jail("big"), "config.json"); !strings.Contains(cfg, `"CONFIG_TYPE": "THICK"`) || !strings.Contains(cfg, `"allow_raw_sockets": 0`) {
		t.Fatalf("thick config lacks the defaults")
	}
	out := h.create(jail.CreateRequest{Release: testRel, Name: "web", Count: 3})
	if out != "web_1 successfully created!\nweb_2 successfully created!\nweb_3 successfully created!\n" {
		t.Fatalf("count: %q", out)
	}
	out = h.create(jail.CreateRequest{Release: testRel, Short: true})
	if name := strings.TrimSuffix(out, " successfully created!\n"); len(name) != 8 {
		t.Fatalf("short uuid name %q", out)
	}
	// A template, then a jail from it.
	h.create(jail.CreateRequest{Release: testRel, Name: "tpl"})
	must(h, runSet, setOptions{args: []string{"template=yes", "tpl"}})
	if got := must(h, runList, listOptions{view: inventory.ListView{Templates: true}, format: render.FormatTSV}); got != "None\ttpl\tdown\t14.3-RELEASE\t-\n" {
		t.Fatalf("list -t %q", got)
	}
	if d, _ := h.zfs.Get(context.Background(), l.Template("tpl"), "readonly"); d.Prop("readonly") != "on" {
		t.Fatalf("template readonly %q", d.Prop("readonly"))
	}
	h.create(jail.CreateRequest{Template: "tpl", Name: "fromtpl"})
	if cfg := h.read(l.Jail("fromtpl"), "config.json"); !strings.Contains(cfg, `"source_template": "tpl"`) {
		t.Fatalf("source_template missing:\n%s", cfg)
	}
	if got := must(h, runList, listOptions{view: inventory.ListView{Long: true}, format: render.FormatTSV}); !strings.Contains(got, "\tfromtpl\toff\tdown\tjail\t14.3-RELEASE-p2\t-\t-\ttpl\tno\n") {
		t.Fatalf("list -l shows no template for fromtpl:\n%s", got)
	}
	// The template can't go back while a jail cloned from it runs.
	h.running(map[string]int{"fromtpl": 4})
	if code := do(h, runSet, setOptions{args: []string{"template=no", "tpl"}}); code != 1 || !strings.Contains(h.stderr.String(), "fromtpl") {
		t.Fatalf("template=no with a running clone: %d %q", code, h.stderr.String())
	}
	h.running(nil)
	must(h, runSet, setOptions{args: []string{"template=no", "tpl"}})
	if d, _ := h.zfs.Get(context.Background(), l.Jail("tpl"), "readonly"); d.Prop("readonly") != "off" {
		t.Fatalf("jail readonly %q", d.Prop("readonly"))
	}
}

// A narrow create sees every jail the full read would have refused it
// for, and hands what it cannot settle to the full read.
func TestCreateNarrow(t *testing.T) {
	h := newTreeHarness(t)
	h.narrow = true
	h.addRelease(testRel)
	ctx := context.Background()
	l := layout.Layout{Pool: "tank"}
	h.create(jail.CreateRequest{Release: testRel, Name: "a.b"})
	h.create(jail.CreateRequest{Release: testRel, Name: "hidden"})
	if err := h.zfs.Unmount(ctx, l.Jail("hidden"), false); err != nil {
		t.Fatal(err)
	}
	h.create(jail.CreateRequest{Release: testRel, Name: "tpl"})
	must(h, runSet, setOptions{args: []string{"template=yes", "tpl"}})
	names := strings.Join(h.zfs.Names(), "\n")
	for _, tc := range []struct{ name, want string }{
		{"a.b", "Jail: a.b already exists!"},
		{"a_b", "Jail: a_b already exists!"},
		{"hidden", "Jail: hidden already exists!"}, // not in the mount table
		{"tpl", "Jail: tpl already exists!"},
	} {
		if code := do(h, runCreate, createOptions{req: jail.CreateRequest{Release: testRel, Name: tc.name}}); code != 1 || strings.TrimSpace(h.stderr.String()) != tc.want {
			t.Fatalf("create %s: %d %q, want %q", tc.name, code, h.stderr.String(), tc.want)
		}
	}
	if got := strings.Join(h.zfs.Names(), "\n"); got != names {
		t.Fatalf("refused creates changed datasets:\n%s\nwas\n%s", got, names)
	}
	// From a template: one narrow read, the recursive snapshot, the clone.
	before := h.zfs.Calls("")
	h.create(jail.CreateRequest{Template: "tpl", Name: "fromtpl"})
	if n := h.zfs.Calls("") - before; n != 3 {
		t.Fatalf("create -t made %d zfs calls, want 3", n)
	}
	// A release that is not there goes to the full read, which says so.
	if code := do(h, runCreate, createOptions{req: jail.CreateRequest{Release: "13.4-RELEASE", Name: "old"}}); code != 1 || !strings.Contains(h.stderr.String(), "13.4-RELEASE is not fetched") {
		t.Fatalf("missing release: %d %q", code, h.stderr.String())
	}
	// So does a tree that is not mounted.
	if err := h.zfs.Unmount(ctx, l.Jails(), false); err != nil {
		t.Fatal(err)
	}
	before = h.zfs.Calls("list")
	do(h, runCreate, createOptions{req: jail.CreateRequest{Release: testRel, Name: "late"}})
	if n := h.zfs.Calls("list") - before; n < 2 {
		t.Fatalf("an unmounted jails dataset did not fall back to the full read (%d lists)", n)
	}
}

// A release snapshot that is already there, with a clone of its own (as
// iocage's rename leaves a jail), is refused and never unwound away.
func TestCreateLeavesATakenSnapshotAlone(t *testing.T) {
	bothReads(t, testCreateLeavesATakenSnapshotAlone)
}

func testCreateLeavesATakenSnapshotAlone(t *testing.T, narrow bool) {
	h := newReleaseHarness(t, narrow)
	ctx := context.Background()
	l := layout.Layout{Pool: "tank"}
	snap := l.ReleaseRoot(testRel) + "@a"
	if err := h.zfs.Snapshot(ctx, snap, false); err != nil {
		t.Fatal(err)
	}
	if err := h.zfs.Clone(ctx, snap, "tank/other", zfs.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	h.create(jail.CreateRequest{Release: testRel, Name: "b"})
	must(h, runSnapshot, snapshotOptions{jail: "b", name: "c"})
	if err := h.zfs.Clone(ctx, l.Jail("b")+"@c", "tank/other2", zfs.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	before := strings.Join(h.zfs.Names(), "\n")
	if code := do(h, runCreate, createOptions{req: jail.CreateRequest{Release: testRel, Name: "a"}}); code != 1 || !strings.HasPrefix(h.stderr.String(), "Snapshot: "+snap+" exists!") {
		t.Fatalf("create a: %d %q", code, h.stderr.String())
	}
	if code := do(h, runClone, cloneOptions{req: jail.CloneRequest{Source: "b", Name: "c"}}); code != 1 {
		t.Fatalf("clone b -n c: %d %q", code, h.stderr.String())
	}
	if after := strings.Join(h.zfs.Names(), "\n"); after != before {
		t.Fatalf("a refused create changed datasets:\n%s\nwas:\n%s", after, before)
	}
}

func TestCreateRefusals(t *testing.T) {
	h := newTreeHarness(t)
	h.addRelease(testRel)
	h.create(jail.CreateRequest{Release: testRel, Name: "www1"})
	h.create(jail.CreateRequest{Release: testRel, Name: "www_2"})
	before := strings.Join(h.zfs.Names(), ",")
	for _, tc := range []struct {
		req jail.CreateRequest
		msg string
	}{
		{jail.CreateRequest{Release: testRel, Name: "bad name"}, "Invalid character in bad name, please remove it.\n"},
		{jail.CreateRequest{Release: testRel, Name: "../x"}, "Invalid character in ../x, please remove it.\n"},
		{jail.CreateRequest{Release: testRel, Name: "a/b"}, "Invalid character in a/b, please remove it.\n"},
		{jail.CreateRequest{Release: testRel, Name: "default"}, "You cannot name a jail default, that is a reserved name.\n"},
		{jail.CreateRequest{Release: testRel, Name: "www1"}, "Jail: www1 already exists!\n"},
		{jail.CreateRequest{Release: testRel, Name: "www.2"}, "Jail: www.2 already exists!\n"},
		{jail.CreateRequest{Name: "x"}, "Must supply either --template (-t) or --release (-r)!\n"},
		{jail.CreateRequest{Release: testRel, Name: "x", Props: []string{"boot=maybe"}}, ""},
		{jail.CreateRequest{Release: testRel, Name: "x", Props: []string{"bogus=1"}}, "bogus is not a valid property!\n"},
		{jail.CreateRequest{Release: "13.0-RELEASE", Name: "x"}, "Release 13.0-RELEASE is not fetched; run jcage fetch -r 13.0-RELEASE\n"},
	} {
		code := do(h, runCreate, createOptions{req: tc.req})
		if code != 1 || (tc.msg != "" && h.stderr.String() != tc.msg) || strings.Count(h.stderr.String(), "\n") > 2 {
			t.Errorf("%+v: code %d stderr %q", tc.req, code, h.stderr.String())
		}
		if now := strings.Join(h.zfs.Names(), ","); now != before {
			t.Fatalf("%+v changed ZFS:\n%s\n%s", tc.req, before, now)
		}
	}
}

func TestParseCreate(t *testing.T) {
	opts, err := parseLine(t, parseCreate, "create", "-r", testRel, "-n", "www1", "-c", "1,000", "-TCb", "-S", "http://proxy:3128",
		"-p", "pkgs.json", "-u", "u1", "ip4_addr=em0|10.0.0.5/24", "boot=on")
	want := jail.CreateRequest{Name: "www1", UUID: "u1", Count: 1000, Release: testRel, Thick: true, Basejail: true, ThickConfig: true,
		Props: []string{"ip4_addr=em0|10.0.0.5/24", "boot=on"}, Proxy: "http://proxy:3128"}
	if err != nil || !reflect.DeepEqual(opts.req, want) || opts.pkglist != "pkgs.json" {
		t.Fatalf("%+v %v", opts, err)
	}
	if opts, err = parseLine(t, parseCreate, "create", "-t", "tpl", "-s", "-B"); err != nil || opts.req.Template != "tpl" || !opts.req.Short ||
		!opts.req.CloneBasejail || opts.req.Count != 1 || opts.req.Name != "" {
		t.Fatalf("%+v %v", opts, err)
	}
	if opts, err = parseLine(t, parseCreate, "create", "-e"); err != nil || !opts.req.Empty {
		t.Fatalf("-e: %+v %v", opts, err)
	}
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"create", "-r", testRel, "-n", "bad name"}, "Invalid character in bad name, please remove it."},
		{[]string{"create", "-r", testRel, "-n", "../x"}, "Invalid character in ../x, please remove it."},
		{[]string{"create", "-r", testRel, "-n", "default"}, "You cannot name a jail default, that is a reserved name."},
		{[]string{"create", "-r", testRel, "-n", ""}, ""},
		{[]string{"create", "-r", testRel, "-c", "0"}, `invalid count "0"`},
		{[]string{"create", "-r", testRel, "-c", "x"}, `invalid count "x"`},
	} {
		if _, err := parseLine(t, parseCreate, tc.args...); err == nil || (tc.msg != "" && err.Error() != tc.msg) {
			t.Errorf("%q: %v", tc.args, err)
		}
	}
}

// Every ZFS step of create, clone, rename and template can fail or be
// interrupted; each leaves the datasets exactly as they were.
// configs returns every dataset's config.json, with its readonly state.
func (h *harness) configs() string {
	var b strings.Builder
	for _, n := range h.zfs.Names() {
		if strings.Contains(n, "@") {
			continue
		}
		d, err := h.zfs.Get(context.Background(), n, "readonly")
		if err != nil {
			continue
		}
		cfg, err := os.ReadFile(filepath.Join(h.zfs.MountPath(n), "config.json"))
		if err != nil {
			continue
		}
		fmt.Fprintf(&b, "%s readonly=%s\n%s\n", n, d.Prop("readonly"), cfg)
	}
	return b.String()
}

func TestJailMutationsUnwind(t *testing.T) {
	type step struct{ op, name string }
	type mutation struct {
		what  string
		setup func(h *harness)
		run   func(h *harness) int
		steps []step
	}
	create := func(req jail.CreateRequest) func(h *harness) int {
		return func(h *harness) int { return do(h, runCreate, createOptions{req: req}) }
	}
	cases := []mutation{
		{"thin create", nil, create(jail.CreateRequest{Release: testRel, Name: "j"}),
			[]step{{"snapshot", ""}, {"clone", ""}}},
		{"thick create", nil, create(jail.CreateRequest{Release: testRel, Name: "j", Thick: true}),
			[]step{{"snapshot", ""}, {"create", ""}, {"receive", ""}, {"destroy", "tank/iocage/jails/j/root@j"}, {"destroy", "tank/iocage/releases/14.3-RELEASE/root@j"}}},
		{"template create", func(h *harness) {
			h.create(jail.CreateRequest{Release: testRel, Name: "tpl"})
			must(h, runSet, setOptions{args: []string{"template=yes", "tpl"}})
		},
			create(jail.CreateRequest{Template: "tpl", Name: "j"}), []step{{"snapshot", ""}, {"clone", ""}}},
		{"clone", func(h *harness) { h.create(jail.CreateRequest{Release: testRel, Name: "src"}) },
			func(h *harness) int {
				return do(h, runClone, cloneOptions{req: jail.CloneRequest{Source: "src", Name: "j"}})
			},
			[]step{{"snapshot", ""}, {"clone", "tank/iocage/jails/j"}, {"clone", "tank/iocage/jails/j/root"}}},
		{"rename", func(h *harness) { h.create(jail.CreateRequest{Release: testRel, Name: "old"}) },
			func(h *harness) int { return do(h, runRename, renameOptions{jail: "old", newName: "new"}) },
			[]step{{"rename", "tank/iocage/releases/14.3-RELEASE/root@old"}, {"rename", "tank/iocage/jails/old"}}},
		{"template", func(h *harness) { h.create(jail.CreateRequest{Release: testRel, Name: "t"}) },
			func(h *harness) int { return do(h, runSet, setOptions{args: []string{"template=yes", "t"}}) },
			[]step{{"rename", ""}, {"set", "tank/iocage/templates/t"}}},
	}
	// The same creates read narrowly (and a thin one speculatively), with
	// the narrow read failing too.
	type run struct {
		mutation
		narrow bool
	}
	var runs []run
	for _, tc := range cases {
		runs = append(runs, run{tc, false})
	}
	for _, tc := range cases[:3] {
		tc.what += " (narrow)"
		tc.steps = append([]step{{"list", ""}}, tc.steps...)
		runs = append(runs, run{tc, true})
	}
	for _, tc := range runs {
		for _, st := range tc.steps {
			for _, mode := range []string{"fail", "interrupt"} {
				t.Run(tc.what+"/"+st.op+"/"+mode, func(t *testing.T) {
					h := newTreeHarness(t)
					h.narrow = tc.narrow
					h.addRelease(testRel)
					if tc.setup != nil {
						tc.setup(h)
					}
					before := strings.Join(h.zfs.Names(), ",")
					beforeCfg := h.configs()
					if mode == "fail" {
						h.zfs.FailOnce(st.op, st.name, errors.New("injected failure"))
					} else {
						h.zfs.FailOnce(st.op, st.name, context.Canceled)
					}
					if code := tc.run(h); code == 0 {
						t.Fatalf("%s succeeded despite the %s at %s", tc.what, mode, st.op)
					}
					h.zfs.ClearFailures()
					if now := strings.Join(h.zfs.Names(), ","); now != before {
						t.Fatalf("left behind after %s at %s %s:\nbefore %s\nafter  %s", mode, st.op, st.name, before, now)
					}
					if now := h.configs(); now != beforeCfg {
						t.Fatalf("configs changed by the %s at %s %s:\nbefore %s\nafter  %s", mode, st.op, st.name, beforeCfg, now)
					}
				})
			}
		}
	}
}

func TestDestroyBoundaryAndDependents(t *testing.T) {
	h := newTreeHarness(t)
	h.addRelease(testRel)
	for _, n := range []string{"foo", "foobar", "foo-bar"} {
		h.create(jail.CreateRequest{Release: testRel, Name: n})
	}
	must(h, runDestroy, destroyOptions{names: []string{"foo"}, force: true})
	names := strings.Join(h.zfs.Names(), "\n")
	if strings.Contains(names, "jails/foo\n") || !strings.Contains(names, "tank/iocage/jails/foobar/root") || !strings.Contains(names, "tank/iocage/jails/foo-bar/root") {
		t.Fatalf("after destroy foo:\n%s", names)
	}
	if strings.Contains(names, "@foo\n") || !strings.Contains(names, "root@foobar") {
		t.Fatalf("origin snapshots wrong after destroy foo:\n%s", names)
	}
	// A jail others were cloned from is kept unless -R.
	must(h, runClone, cloneOptions{req: jail.CloneRequest{Source: "foobar", Name: "child"}})
	if code := do(h, runDestroy, destroyOptions{names: []string{"foobar"}, force: true}); code != 1 || !strings.HasPrefix(h.stderr.String(), "foobar has dependent jails (who may also have dependents), use --recursive to destroy:\nchild") {
		t.Fatalf("dependents: %d %q", code, h.stderr.String())
	}
	must(h, runDestroy, destroyOptions{names: []string{"foobar"}, force: true, recursive: true})
	if got := must(h, runList, listOptions{format: render.FormatTSV}); got != "None\tfoo-bar\tdown\t14.3-RELEASE\t-\n" {
		t.Fatalf("after destroy -R: %q", got)
	}
	// The prompt: no answers no, y destroys.
	h.stdin = "n\n"
	must(h, runDestroy, destroyOptions{names: []string{"foo-bar"}})
	if !strings.Contains(h.stdout.String(), "This will destroy jail foo-bar\nAre you sure? [y/N]: ") {
		t.Fatalf("prompt %q", h.stdout.String())
	}
	h.stdin = "y\n"
	must(h, runDestroy, destroyOptions{names: []string{"foo-bar"}})
	h.stdin = ""
	if got := must(h, runList, listOptions{format: render.FormatTSV}); got != "" {
		t.Fatalf("after destroy: %q", got)
	}
	// Running jails need -f.
	h.create(jail.CreateRequest{Release: testRel, Name: "up"})
	h.running(map[string]int{"up": 9})
	h.stdin = "y\n"
	if code := do(h, runDestroy, destroyOptions{names: []string{"up"}}); code != 1 || h.stderr.String() != "Jail up is still running, please stop the jail first or destroy it with -f\n" {
		t.Fatalf("destroy running without -f: %d %q", code, h.stderr.String())
	}
	h.stdin = ""
	must(h, runDestroy, destroyOptions{names: []string{"up"}, force: true})
}

func TestParseDestroy(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want destroyOptions
	}{
		{[]string{"destroy", "a", "b"}, destroyOptions{names: []string{"a", "b"}}},
		{[]string{"destroy", "-fR", "a"}, destroyOptions{names: []string{"a"}, force: true, recursive: true}},
		// jcage -f forces a release's destroy, not a jail's.
		{[]string{"-f", "destroy", "a"}, destroyOptions{names: []string{"a"}}},
		{[]string{"-f", "destroy", "-r", "14.3-RELEASE"}, destroyOptions{names: []string{"14.3-RELEASE"}, force: true, releases: true}},
		{[]string{"destroy", "-r", "-d", "14.3-RELEASE"}, destroyOptions{names: []string{"14.3-RELEASE"}, releases: true, download: true}},
	} {
		if got, err := parseLine(t, parseDestroy, tc.args...); err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q: %+v %v, want %+v", tc.args, got, err, tc.want)
		}
	}
	if _, err := parseLine(t, parseDestroy, "destroy", "-f"); err == nil || err.Error() != "Usage: jcage destroy [-f] [-R] JAIL... | destroy -r [-d] RELEASE..." {
		t.Errorf("no jail: %v", err)
	}
}

func TestCloneAndRename(t *testing.T) {
	h := newTreeHarness(t)
	h.addRelease(testRel)
	l := layout.Layout{Pool: "tank"}
	h.create(jail.CreateRequest{Release: testRel, Name: "src", Props: []string{"ip4_addr=em0|10.0.0.9/24"}})
	out := must(h, runClone, cloneOptions{req: jail.CloneRequest{Source: "src", Name: "dst", Props: []string{"ip4_addr=em0|10.0.0.10/24"}}})
	if out != "dst successfully cloned!\n" {
		t.Fatalf("clone %q", out)
	}
	cfg := h.read(l.Jail("dst"), "config.json")
	if !strings.Contains(cfg, `"host_hostuuid": "dst"`) || !strings.Contains(cfg, `"jail_zfs_dataset": "iocage/jails/dst/data"`) || !strings.Contains(cfg, "10.0.0.10") {
		t.Fatalf("clone config:\n%s", cfg)
	}
	if hosts := h.read(l.JailRoot("dst"), "etc/hosts"); strings.Contains(hosts, "src") {
		t.Fatalf("clone hosts still names src: %q", hosts)
	}
	h.running(map[string]int{"src": 2})
	if code := do(h, runClone, cloneOptions{req: jail.CloneRequest{Source: "src", Name: "x"}}); code != 1 || h.stderr.String() != "src is running.\nPlease stop it first!\n" {
		t.Fatalf("clone of running: %q", h.stderr.String())
	}
	h.running(nil)
	out = must(h, runRename, renameOptions{jail: "dst", newName: "moved"})
	if out != "Jail: dst renamed to moved\n" {
		t.Fatalf("rename %q", out)
	}
	cfg = h.read(l.Jail("moved"), "config.json")
	if !strings.Contains(cfg, `"host_hostuuid": "moved"`) || !strings.Contains(cfg, `"host_hostname": "moved"`) || !strings.Contains(cfg, "iocage/jails/moved/data") {
		t.Fatalf("renamed config:\n%s", cfg)
	}
	if got := must(h, runList, listOptions{format: render.FormatTSV}); got != "None\tmoved\tdown\t14.3-RELEASE\t10.0.0.10\nNone\tsrc\tdown\t14.3-RELEASE\t10.0.0.9\n" {
		t.Fatalf("list %q", got)
	}
}

func TestParseCloneAndRename(t *testing.T) {
	opts, err := parseLine(t, parseClone, "clone", "src", "-n", "dst", "-u", "u1", "-c", "2", "-T", "-N", "ip4_addr=em0|10.0.0.10/24")
	want := jail.CloneRequest{Source: "src", Name: "dst", UUID: "u1", Count: 2, Thick: true, NewMAC: true, Props: []string{"ip4_addr=em0|10.0.0.10/24"}}
	if err != nil || !reflect.DeepEqual(opts.req, want) {
		t.Fatalf("clone: %+v %v", opts, err)
	}
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"clone"}, "Usage: jcage clone SOURCE [-n NAME] [PROP=VALUE ...]"},
		{[]string{"clone", "src", "-c", "0"}, `invalid count "0"`},
	} {
		if _, err := parseLine(t, parseClone, tc.args...); err == nil || err.Error() != tc.msg {
			t.Errorf("%q: %v", tc.args, err)
		}
	}
	if r, err := parseLine(t, parseRename, "rename", "a", "b"); err != nil || r.jail != "a" || r.newName != "b" {
		t.Fatalf("rename: %+v %v", r, err)
	}
	for _, args := range [][]string{{"rename", "a"}, {"rename", "a", "b", "c"}} {
		if _, err := parseLine(t, parseRename, args...); err == nil || err.Error() != "Usage: jcage rename JAIL NEW_NAME" {
			t.Errorf("%q: %v", args, err)
		}
	}
}

func TestClean(t *testing.T) {
	h := newTreeHarness(t)
	h.addRelease(testRel)
	h.create(jail.CreateRequest{Release: testRel, Name: "a"})
	h.create(jail.CreateRequest{Release: testRel, Name: "b"})
	h.stdin = "n\n"
	must(h, runClean, cleanOptions{scope: jail.CleanScope{Jails: true}})
	if !strings.Contains(h.stdout.String(), "This will destroy ALL jails") || len(strings.Split(strings.TrimSpace(must(h, runList, listOptions{format: render.FormatTSV})), "\n")) != 2 {
		t.Fatalf("clean -j without yes: %q", h.stdout.String())
	}
	h.stdin = ""
	must(h, runClean, cleanOptions{scope: jail.CleanScope{Jails: true}, force: true})
	for _, n := range h.zfs.Names() {
		if strings.Contains(n, "@") || strings.Contains(n, "jails/") {
			t.Fatalf("clean -j left %s", n)
		}
	}
	// The next command puts the tree back.
	if got := must(h, runList, listOptions{format: render.FormatTSV}); got != "" {
		t.Fatalf("list after clean: %q", got)
	}
	must(h, runClean, cleanOptions{scope: jail.CleanScope{All: true}, force: true})
	for _, n := range h.zfs.Names() {
		if n != "tank" {
			t.Fatalf("clean -a left %s", n)
		}
	}
}

func TestParseClean(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want cleanOptions
	}{
		{[]string{"clean", "-f", "-j"}, cleanOptions{scope: jail.CleanScope{Jails: true}, force: true}},
		{[]string{"clean", "-a"}, cleanOptions{scope: jail.CleanScope{All: true}}},
		{[]string{"clean", "-rtid"}, cleanOptions{scope: jail.CleanScope{Releases: true, Templates: true, Images: true, Debug: true}}},
		{[]string{"clean", "-b"}, cleanOptions{scope: jail.CleanScope{Releases: true}}},
	} {
		if got, err := parseLine(t, parseClean, tc.args...); err != nil || got != tc.want {
			t.Errorf("%q: %+v %v, want %+v", tc.args, got, err, tc.want)
		}
	}
}

func TestCreateBasejail(t *testing.T) {
	h := newTreeHarness(t)
	h.addRelease(testRel)
	l := layout.Layout{Pool: "tank"}
	h.create(jail.CreateRequest{Release: testRel, Name: "bj", Basejail: true})
	fst := h.read(l.Jail("bj"), "fstab")
	lines := strings.Split(strings.TrimSuffix(fst, "\n"), "\n")
	if len(lines) != 14 {
		t.Fatalf("base jail fstab has %d lines:\n%s", len(lines), fst)
	}
	rel := h.zfs.MountPath(l.ReleaseRoot(testRel))
	root := h.zfs.MountPath(l.JailRoot("bj"))
	if lines[0] != rel+"/bin\t"+root+"/bin\tnullfs\tro\t0\t0" {
		t.Fatalf("first line %q", lines[0])
	}
	if !strings.HasPrefix(lines[13], rel+"/usr/lib32\t"+root+"/usr/lib32\tnullfs\tro\t0\t0 # Added by iocage on ") {
		t.Fatalf("last line %q", lines[13])
	}
	if entries, _ := os.ReadDir(filepath.Join(root, "bin")); len(entries) != 0 {
		t.Fatalf("bin not emptied: %v", entries)
	}
	if d, _ := h.zfs.Get(context.Background(), l.JailRoot("bj")); d.Origin != "" {
		t.Fatalf("-b is a thick copy, got a clone of %s", d.Origin)
	}
	if cfg := h.read(l.Jail("bj"), "config.json"); !strings.Contains(cfg, `"basejail": 1`) {
		t.Fatalf("config:\n%s", cfg)
	}
	h.create(jail.CreateRequest{Release: testRel, Name: "cbj", CloneBasejail: true})
	if d, _ := h.zfs.Get(context.Background(), l.JailRoot("cbj")); d.Origin == "" {
		t.Fatal("-B should clone the release")
	}
	if got := must(h, runList, listOptions{view: inventory.ListView{Basejails: true}, format: render.FormatTSV}); got != "None\tbj\tdown\t14.3-RELEASE\t-\nNone\tcbj\tdown\t14.3-RELEASE\t-\n" {
		t.Fatalf("list -B %q", got)
	}
}

// A template's dataset is readonly; set lifts that around its write only.
func TestSetOnTemplateTogglesReadonly(t *testing.T) {
	h := newTreeHarness(t)
	h.addRelease(testRel)
	h.create(jail.CreateRequest{Release: testRel, Name: "tpl"})
	must(h, runSet, setOptions{args: []string{"template=yes", "tpl"}})
	before := h.zfs.Calls("set")
	must(h, runSet, setOptions{args: []string{"notes=golden", "tpl"}})
	if n := h.zfs.Calls("set") - before; n != 2 {
		t.Fatalf("%d zfs set calls, want readonly=off and readonly=on", n)
	}
	d, _ := h.zfs.Get(context.Background(), "tank/iocage/templates/tpl", "readonly")
	if d.Prop("readonly") != "on" {
		t.Fatalf("readonly after set: %q", d.Prop("readonly"))
	}
	if got := must(h, runGet, getOptions{args: []string{"notes", "tpl"}}); got != "golden\n" {
		t.Fatalf("get %q", got)
	}
}

// Destroying a clone also removes the snapshot of its source made for it.
func TestDestroyCloneRemovesItsOrigin(t *testing.T) {
	h := newTreeHarness(t)
	h.addRelease(testRel)
	h.create(jail.CreateRequest{Release: testRel, Name: "src"})
	must(h, runClone, cloneOptions{req: jail.CloneRequest{Source: "src", Name: "copy"}})
	must(h, runDestroy, destroyOptions{names: []string{"copy"}, force: true})
	for _, n := range h.zfs.Names() {
		if strings.HasSuffix(n, "@copy") {
			t.Fatalf("destroy left %s", n)
		}
	}
}
