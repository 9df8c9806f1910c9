package inventory

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jcage/jcage/internal/layout"
	"github.com/jcage/jcage/internal/zfs"
)

// listSpy records every dataset a List call returns: all that a command
// read from ZFS in bulk.
type listSpy struct {
	zfs.Manager
	lists int
	read  []string
}

func (s *listSpy) List(ctx context.Context, root string, opts zfs.ListOptions) ([]zfs.Dataset, error) {
	ds, err := s.Manager.List(ctx, root, opts)
	s.lists++
	for _, d := range ds {
		s.read = append(s.read, d.Name)
	}
	return ds, err
}

// A host whose pools hold many datasets that are not jcage's: the
// inventory reads the pool roots and the iocage tree, and nothing else,
// in two zfs calls, whether the pool is found by its marker or pinned.
func TestScanReadsOnlyTheTree(t *testing.T) {
	ctx := context.Background()
	f := zfs.NewFake(t.TempDir(), "other", "tank")
	h := &Host{ZFS: f, UID: 0, LockDir: t.TempDir()}
	if err := h.Activate(ctx, "tank"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.OpenTree(ctx, "tank", true); err != nil {
		t.Fatal(err)
	}
	l := layout.Layout{Pool: "tank"}
	for _, n := range []string{"www", "db"} {
		if err := f.Create(ctx, l.JailRoot(n), zfs.CreateOptions{Parents: true}); err != nil {
			t.Fatal(err)
		}
		cfg := `{"CONFIG_VERSION": "34", "host_hostuuid": "` + n + `", "release": "14.3-RELEASE"}`
		if err := os.WriteFile(filepath.Join(f.MountPath(l.Jail(n)), "config.json"), []byte(cfg), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Unrelated trees as deep as a jail root and deeper, on the same
	// pool and on another.
	for _, n := range []string{"tank/poudriere/jails/p1/root", "tank/vm/b1/disk0/snap/x", "tank/i", "other/usr/home/u/x", "other/iocagex/jails/y"} {
		if err := f.Create(ctx, n, zfs.CreateOptions{Parents: true}); err != nil {
			t.Fatal(err)
		}
	}
	for _, pinned := range []string{"", "tank"} {
		spy := &listSpy{Manager: f}
		h := &Host{ZFS: spy, UID: 1000, Pool: pinned}
		calls := f.Calls("")
		inv, err := h.Load(ctx, Options{})
		if err != nil {
			t.Fatalf("pool %q: %v", pinned, err)
		}
		if n := f.Calls("") - calls; n != 2 || spy.lists != 2 {
			t.Errorf("pool %q: %d zfs calls (%d lists), want 2", pinned, n, spy.lists)
		}
		var names []string
		for _, j := range inv.Jails {
			names = append(names, j.Name)
		}
		if !slices.Equal(names, []string{"db", "www"}) {
			t.Errorf("pool %q: jails %q", pinned, names)
		}
		for _, n := range spy.read {
			if strings.Contains(n, "/") && !layout.Child(l.Root(), n) {
				t.Errorf("pool %q: read %s, which is not jcage's", pinned, n)
			}
		}
	}
}

// A pool activated the legacy way or on first use gets its tree read
// after it is chosen.
func TestScanReadsTheTreeOfAPoolChosenLate(t *testing.T) {
	ctx := context.Background()
	f := zfs.NewFake(t.TempDir(), "tank")
	h := &Host{ZFS: f, UID: 0, LockDir: t.TempDir()}
	if err := h.Activate(ctx, "tank"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.OpenTree(ctx, "tank", true); err != nil {
		t.Fatal(err)
	}
	if err := f.SetProps(ctx, "tank", map[string]string{ActiveProp: "-"}); err != nil {
		t.Fatal(err)
	}
	if err := f.Create(ctx, "tank/iocage/jails/www/root", zfs.CreateOptions{Parents: true}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(f.MountPath("tank/iocage/jails/www"), "config.json"), []byte(`{"CONFIG_VERSION": "34", "host_hostuuid": "www", "release": "14.3-RELEASE"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	inv, err := h.Load(ctx, Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Jails) != 1 || inv.Jails[0].Name != "www" {
		t.Fatalf("jails %+v", inv.Jails)
	}
	if d, _ := f.Get(ctx, "tank", ActiveProp); d.Prop(ActiveProp) != "yes" {
		t.Fatalf("first use did not activate tank: %q", d.Prop(ActiveProp))
	}
}
