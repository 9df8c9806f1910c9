// Package zfstest is the conformance suite every zfs.Manager must pass: the
// in-memory fake on every run, and the real implementation against a
// zfs-fuse pool in the system tier. A rule the fake enforces that real ZFS
// does not (or the reverse) shows up here as a failure on one side.
package zfstest

import (
	"bytes"
	"context"
	"errors"
	"sort"
	"strings"
	"testing"

	"github.com/jcage/jcage/internal/layout"
	"github.com/jcage/jcage/internal/zfs"
)

// Factory returns a Manager and an existing, empty filesystem under which
// the suite may create anything.
type Factory func(t *testing.T) (m zfs.Manager, base string)

// Run runs every conformance test.
func Run(t *testing.T, newManager Factory) {
	tests := []struct {
		name string
		fn   func(t *testing.T, m zfs.Manager, base string)
	}{
		{"CreateNeedsParent", testCreateNeedsParent},
		{"ListAndProps", testListAndProps},
		{"ListNames", testListNames},
		{"SnapshotAndClone", testSnapshotAndClone},
		{"DestroyRules", testDestroyRules},
		{"DestroyBoundary", testDestroyBoundary},
		{"Rollback", testRollback},
		{"Rename", testRename},
		{"Promote", testPromote},
		{"SendReceive", testSendReceive},
		{"Pools", testPools},
		{"PoolRoots", testPoolRoots},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, base := newManager(t)
			tc.fn(t, m, base)
		})
	}
}

var ctx = context.Background()

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantErr(t *testing.T, err, sentinel error, what string) {
	t.Helper()
	if !errors.Is(err, sentinel) {
		t.Fatalf("%s: err = %v, want %v", what, err, sentinel)
	}
}

func names(t *testing.T, m zfs.Manager, root string, types ...string) []string {
	t.Helper()
	ds, err := m.List(ctx, root, zfs.ListOptions{Types: types, Recursive: true})
	must(t, err)
	var out []string
	for _, d := range ds {
		out = append(out, strings.TrimPrefix(d.Name, root))
	}
	sort.Strings(out)
	return out
}

func eq(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("%s:\n got %q\nwant %q", what, got, want)
	}
}

func testCreateNeedsParent(t *testing.T, m zfs.Manager, base string) {
	wantErr(t, m.Create(ctx, base+"/a/b", zfs.CreateOptions{}), zfs.ErrNoParent, "create without -p")
	must(t, m.Create(ctx, base+"/a/b", zfs.CreateOptions{Parents: true}))
	wantErr(t, m.Create(ctx, base+"/a/b", zfs.CreateOptions{}), zfs.ErrExists, "create existing")
	must(t, m.Create(ctx, base+"/a/b", zfs.CreateOptions{Parents: true}))
	must(t, m.Create(ctx, base+"/c", zfs.CreateOptions{Props: map[string]string{"compression": "lz4", "org.freebsd.ioc:test": "x y"}}))
	eq(t, "tree", names(t, m, base), []string{"", "/a", "/a/b", "/c"})
	d, err := m.Get(ctx, base+"/c", "org.freebsd.ioc:test")
	must(t, err)
	if d.Prop("org.freebsd.ioc:test") != "x y" || d.Type != zfs.Filesystem || !d.Mounted || d.Mountpoint == "" {
		t.Fatalf("get = %+v", d)
	}
	_, err = m.Get(ctx, base+"/missing")
	wantErr(t, err, zfs.ErrNotFound, "get missing")
}

func testListAndProps(t *testing.T, m zfs.Manager, base string) {
	for _, n := range []string{"/j", "/j/one", "/j/one/root", "/j/two"} {
		must(t, m.Create(ctx, base+n, zfs.CreateOptions{}))
	}
	must(t, m.SetProps(ctx, base+"/j/one", map[string]string{"org.freebsd.ioc:a": "1", "org.freebsd.ioc:b": "two"}))
	must(t, m.Snapshot(ctx, base+"/j/one@s1", false))
	ds, err := m.List(ctx, base+"/j", zfs.ListOptions{Depth: 1, Props: []string{"org.freebsd.ioc:a", "org.freebsd.ioc:b", "exec"}})
	must(t, err)
	got := map[string]zfs.Dataset{}
	for _, d := range ds {
		got[strings.TrimPrefix(d.Name, base)] = d
	}
	if len(got) != 3 || got["/j/one"].Prop("org.freebsd.ioc:b") != "two" || got["/j/two"].Prop("org.freebsd.ioc:a") != "-" {
		t.Fatalf("depth-1 list = %+v", ds)
	}
	if got["/j/one"].Prop("exec") != "on" {
		t.Fatalf("exec = %q", got["/j/one"].Prop("exec"))
	}
	eq(t, "snapshots", names(t, m, base+"/j", zfs.Snapshot), []string{"/one@s1"})
	eq(t, "all", names(t, m, base+"/j", zfs.Filesystem, zfs.Snapshot), []string{"", "/one", "/one/root", "/one@s1", "/two"})
	_, err = m.List(ctx, base+"/nope", zfs.ListOptions{})
	wantErr(t, err, zfs.ErrNotFound, "list missing root")
	must(t, m.Inherit(ctx, base+"/j/one", "org.freebsd.ioc:a"))
	d, err := m.Get(ctx, base+"/j/one", "org.freebsd.ioc:a")
	must(t, err)
	if d.Prop("org.freebsd.ioc:a") != "-" {
		t.Fatalf("after inherit: %q", d.Prop("org.freebsd.ioc:a"))
	}
}

func testListNames(t *testing.T, m zfs.Manager, base string) {
	for _, n := range []string{"/a", "/a/root", "/b"} {
		must(t, m.Create(ctx, base+n, zfs.CreateOptions{}))
	}
	must(t, m.SetProps(ctx, base+"/b", map[string]string{"org.freebsd.ioc:x": "yes"}))
	must(t, m.Snapshot(ctx, base+"/a@s", false))
	ds, err := m.ListNames(ctx, []string{base + "/b", base + "/nope", base + "/a", base + "/a/nope/deeper"}, []string{"org.freebsd.ioc:x"})
	must(t, err)
	var got []string
	for _, d := range ds {
		got = append(got, strings.TrimPrefix(d.Name, base)+"="+d.Prop("org.freebsd.ioc:x"))
	}
	eq(t, "listed", got, []string{"/a=-", "/b=yes"})
	ds, err = m.ListNames(ctx, []string{base + "/nope"}, nil)
	if err != nil || len(ds) != 0 {
		t.Fatalf("only missing: %v %v", ds, err)
	}
	if ds, err := m.ListNames(ctx, nil, nil); err != nil || len(ds) != 0 {
		t.Fatalf("no names: %v %v", ds, err)
	}
}

func testSnapshotAndClone(t *testing.T, m zfs.Manager, base string) {
	must(t, m.Create(ctx, base+"/rel/root", zfs.CreateOptions{Parents: true}))
	must(t, m.Snapshot(ctx, base+"/rel@web", true))
	wantErr(t, m.Snapshot(ctx, base+"/rel@web", true), zfs.ErrExists, "duplicate snapshot")
	eq(t, "recursive snapshot", names(t, m, base+"/rel", zfs.Snapshot), []string{"/root@web", "@web"})
	wantErr(t, m.Clone(ctx, base+"/rel/root@web", base+"/jails/web/root", zfs.CreateOptions{}), zfs.ErrNoParent, "clone without -p")
	must(t, m.Clone(ctx, base+"/rel/root@web", base+"/jails/web/root", zfs.CreateOptions{Parents: true}))
	d, err := m.Get(ctx, base+"/jails/web/root")
	must(t, err)
	if d.Origin != base+"/rel/root@web" {
		t.Fatalf("origin = %q", d.Origin)
	}
	_, err = m.Get(ctx, base+"/rel/root@nope")
	wantErr(t, err, zfs.ErrNotFound, "get missing snapshot")
	// A snapshot's clones property names its clones wherever they are
	// (zfsprops(7)); "-" when there are none.
	must(t, m.Clone(ctx, base+"/rel/root@web", base+"/elsewhere", zfs.CreateOptions{}))
	snaps, err := m.List(ctx, base+"/rel", zfs.ListOptions{Types: []string{zfs.Snapshot}, Recursive: true, Props: []string{"clones"}})
	must(t, err)
	got := map[string]string{}
	for _, s := range snaps {
		got[strings.TrimPrefix(s.Name, base)] = s.Prop("clones")
	}
	want := map[string]string{"/rel/root@web": base + "/elsewhere," + base + "/jails/web/root", "/rel@web": "-"}
	if c := strings.Split(got["/rel/root@web"], ","); len(c) == 2 && c[0] > c[1] {
		got["/rel/root@web"] = c[1] + "," + c[0] // the order zfs keeps them in is its own
	}
	if len(got) != 2 || got["/rel/root@web"] != want["/rel/root@web"] || got["/rel@web"] != want["/rel@web"] {
		t.Fatalf("clones = %q, want %q", got, want)
	}
}

func testDestroyRules(t *testing.T, m zfs.Manager, base string) {
	must(t, m.Create(ctx, base+"/rel/root", zfs.CreateOptions{Parents: true}))
	must(t, m.Snapshot(ctx, base+"/rel/root@j1", false))
	must(t, m.Clone(ctx, base+"/rel/root@j1", base+"/j1", zfs.CreateOptions{}))
	wantErr(t, m.Destroy(ctx, base+"/rel/root@j1", zfs.DestroyOptions{}), zfs.ErrHasClones, "destroy cloned snapshot")
	wantErr(t, m.Destroy(ctx, base+"/rel", zfs.DestroyOptions{}), zfs.ErrHasChildren, "destroy parent")
	wantErr(t, m.Destroy(ctx, base+"/rel", zfs.DestroyOptions{Recursive: true}), zfs.ErrHasClones, "destroy -r with clones")
	eq(t, "nothing destroyed", names(t, m, base, zfs.Filesystem, zfs.Snapshot), []string{"", "/j1", "/rel", "/rel/root", "/rel/root@j1"})
	must(t, m.Destroy(ctx, base+"/rel/root@j1", zfs.DestroyOptions{Clones: true}))
	eq(t, "after -R", names(t, m, base, zfs.Filesystem, zfs.Snapshot), []string{"", "/rel", "/rel/root"})
	must(t, m.Destroy(ctx, base+"/rel", zfs.DestroyOptions{Recursive: true}))
	eq(t, "after -r", names(t, m, base, zfs.Filesystem, zfs.Snapshot), []string{""})
	wantErr(t, m.Destroy(ctx, base+"/rel", zfs.DestroyOptions{}), zfs.ErrNotFound, "destroy missing")
	wantErr(t, m.Destroy(ctx, layout.PoolOf(base), zfs.DestroyOptions{}), zfs.ErrPoolRoot, "destroy pool root")
}

func testDestroyBoundary(t *testing.T, m zfs.Manager, base string) {
	for _, n := range []string{"/foo/root", "/foobar/root", "/foo-bar/root"} {
		must(t, m.Create(ctx, base+n, zfs.CreateOptions{Parents: true}))
	}
	must(t, m.Snapshot(ctx, base+"/foobar@s", true))
	must(t, m.Destroy(ctx, base+"/foo", zfs.DestroyOptions{Recursive: true}))
	eq(t, "neighbours intact", names(t, m, base, zfs.Filesystem, zfs.Snapshot),
		[]string{"", "/foo-bar", "/foo-bar/root", "/foobar", "/foobar/root", "/foobar/root@s", "/foobar@s"})
	must(t, m.Destroy(ctx, base+"/foobar@s", zfs.DestroyOptions{Recursive: true}))
	eq(t, "recursive snapshot destroy", names(t, m, base+"/foobar", zfs.Snapshot), nil)
}

func testRollback(t *testing.T, m zfs.Manager, base string) {
	must(t, m.Create(ctx, base+"/j", zfs.CreateOptions{}))
	must(t, m.Snapshot(ctx, base+"/j@a", false))
	must(t, m.Snapshot(ctx, base+"/j@b", false))
	must(t, m.Rollback(ctx, base+"/j@b", false))
	wantErr(t, m.Rollback(ctx, base+"/j@a", false), zfs.ErrNewerSnapshots, "rollback past newer")
	eq(t, "kept", names(t, m, base+"/j", zfs.Snapshot), []string{"@a", "@b"})
	must(t, m.Rollback(ctx, base+"/j@a", true))
	eq(t, "newer destroyed", names(t, m, base+"/j", zfs.Snapshot), []string{"@a"})
	wantErr(t, m.Rollback(ctx, base+"/j@zz", false), zfs.ErrNotFound, "rollback to missing")
}

func testRename(t *testing.T, m zfs.Manager, base string) {
	must(t, m.Create(ctx, base+"/jails/old/root", zfs.CreateOptions{Parents: true}))
	must(t, m.Snapshot(ctx, base+"/jails/old@s", true))
	must(t, m.Create(ctx, base+"/jails/taken", zfs.CreateOptions{}))
	wantErr(t, m.Rename(ctx, base+"/jails/old", base+"/jails/taken", zfs.RenameOptions{}), zfs.ErrExists, "rename onto existing")
	wantErr(t, m.Rename(ctx, base+"/jails/old", base+"/templates/old", zfs.RenameOptions{}), zfs.ErrNoParent, "rename without -p")
	must(t, m.Rename(ctx, base+"/jails/old", base+"/templates/new", zfs.RenameOptions{Parents: true}))
	eq(t, "renamed", names(t, m, base+"/templates", zfs.Filesystem, zfs.Snapshot),
		[]string{"", "/new", "/new/root", "/new/root@s", "/new@s"})
	must(t, m.Rename(ctx, base+"/templates/new", base+"/jails/back", zfs.RenameOptions{Force: true}))
	eq(t, "renamed back", names(t, m, base+"/jails/back"), []string{"", "/root"})
}

func testPromote(t *testing.T, m zfs.Manager, base string) {
	must(t, m.Create(ctx, base+"/src", zfs.CreateOptions{}))
	must(t, m.Snapshot(ctx, base+"/src@s", false))
	must(t, m.Clone(ctx, base+"/src@s", base+"/dst", zfs.CreateOptions{}))
	must(t, m.Promote(ctx, base+"/dst"))
	d, err := m.Get(ctx, base+"/src")
	must(t, err)
	if d.Origin != base+"/dst@s" {
		t.Fatalf("origin after promote = %q", d.Origin)
	}
	if err := m.Promote(ctx, base+"/dst"); err == nil {
		t.Fatal("promote of a non-clone succeeded")
	}
	// The former origin can now go without touching the promoted clone.
	must(t, m.Destroy(ctx, base+"/src", zfs.DestroyOptions{}))
}

func testSendReceive(t *testing.T, m zfs.Manager, base string) {
	must(t, m.Create(ctx, base+"/a", zfs.CreateOptions{Props: map[string]string{"org.freebsd.ioc:k": "v"}}))
	must(t, m.Snapshot(ctx, base+"/a@x", false))
	var buf bytes.Buffer
	must(t, m.Send(ctx, base+"/a@x", &buf))
	if buf.Len() == 0 {
		t.Fatal("empty stream")
	}
	must(t, m.Receive(ctx, base+"/b", bytes.NewReader(buf.Bytes()), zfs.ReceiveOptions{}))
	eq(t, "received", names(t, m, base+"/b", zfs.Filesystem, zfs.Snapshot), []string{"", "@x"})
	wantErr(t, m.Receive(ctx, base+"/b", bytes.NewReader(buf.Bytes()), zfs.ReceiveOptions{}), zfs.ErrExists, "receive onto existing")
}

func testPools(t *testing.T, m zfs.Manager, base string) {
	pools, err := m.Pools(ctx)
	must(t, err)
	for _, p := range pools {
		if p.Name == layout.PoolOf(base) {
			if p.Health != "ONLINE" {
				t.Fatalf("health = %q", p.Health)
			}
			return
		}
	}
	t.Fatalf("pool %s not in %+v", layout.PoolOf(base), pools)
}

// An empty root without depth lists the pools' root datasets and nothing
// below them: what the active marker is read from.
func testPoolRoots(t *testing.T, m zfs.Manager, base string) {
	must(t, m.Create(ctx, base+"/below", zfs.CreateOptions{}))
	ds, err := m.List(ctx, "", zfs.ListOptions{Props: []string{"org.freebsd.ioc:active"}})
	must(t, err)
	found := false
	for _, d := range ds {
		if strings.Contains(d.Name, "/") {
			t.Fatalf("pool roots list %s", d.Name)
		}
		if d.Name == layout.PoolOf(base) {
			found = true
			if d.Props == nil {
				t.Fatalf("root %s without its props", d.Name)
			}
		}
	}
	if !found {
		t.Fatalf("pool %s not among the roots %+v", layout.PoolOf(base), ds)
	}
}
