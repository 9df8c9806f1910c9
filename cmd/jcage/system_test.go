package main

import (
	"strings"
	"testing"

	"github.com/jcage/jcage/internal/testworld/pool"
	"github.com/jcage/jcage/internal/testworld/world"
)

// The real binary on zfs-fuse: activate sets the marker, creates the tree
// with iocage's properties and marks every other pool "no".
func TestSystemActivate(t *testing.T) {
	w := world.New(t)
	other := pool.New(t)
	w.ZFS("set", "org.freebsd.ioc:active=yes", other.Name)

	r := w.JcageAs(65534, "activate", w.Pool.Name)
	if r.Code != 1 || r.Stderr != "You need to have root privileges to run activate\n" {
		t.Fatalf("non-root activate: %+v", r)
	}
	if got := w.ZFS("get", "-H", "-o", "value", "org.freebsd.ioc:active", w.Pool.Name); got != "-\n" {
		t.Fatalf("non-root activate changed the pool: %q", got)
	}

	out := w.Must("activate", w.Pool.Name)
	if out != "ZFS pool '"+w.Pool.Name+"' successfully activated.\n" {
		t.Fatalf("stdout %q", out)
	}
	for pool, want := range map[string]string{w.Pool.Name: "yes\n", other.Name: "no\n"} {
		if got := w.ZFS("get", "-H", "-o", "value", "org.freebsd.ioc:active", pool); got != want {
			t.Fatalf("active marker of %s: %q, want %q", pool, got, want)
		}
	}
	tree := w.ZFS("list", "-H", "-o", "name,mountpoint", "-r", w.Pool.Name+"/iocage")
	for _, d := range []string{"", "/download", "/images", "/jails", "/log", "/releases", "/templates"} {
		line := w.Pool.Name + "/iocage" + d + "\t" + w.Pool.Mountpoint + "/iocage" + d
		if !strings.Contains(tree, line+"\n") {
			t.Fatalf("tree lacks %q:\n%s", line, tree)
		}
	}
	props := w.ZFS("get", "-H", "-o", "value", "aclinherit,aclmode,exec", w.Pool.Name+"/iocage/jails")
	if props != "passthrough\npassthrough\non\n" {
		t.Fatalf("tree properties %q", props)
	}
	// A second activate is idempotent.
	w.Must("activate", w.Pool.Name)
}
