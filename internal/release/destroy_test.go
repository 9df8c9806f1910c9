package release

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jcage/jcage/internal/config"
	"github.com/jcage/jcage/internal/host"
	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/layout"
	"github.com/jcage/jcage/internal/zfs"
)

// cloneJail makes NAME (a jail, or a template) whose root is a clone of
// origin@NAME, with a minimal config.
func (e *env) cloneJail(name, origin string, template bool) {
	e.t.Helper()
	ctx := context.Background()
	ds, root := e.layout.Jail(name), e.layout.JailRoot(name)
	if template {
		ds, root = e.layout.Template(name), e.layout.TemplateRoot(name)
	}
	snap := layout.SnapName(origin, name)
	if err := e.zfs.Snapshot(ctx, snap, false); err != nil {
		e.t.Fatal(err)
	}
	if err := e.zfs.Create(ctx, ds, zfs.CreateOptions{}); err != nil {
		e.t.Fatal(err)
	}
	if err := e.zfs.Clone(ctx, snap, root, zfs.CreateOptions{}); err != nil {
		e.t.Fatal(err)
	}
	props := map[string]any{"CONFIG_VERSION": "34", "host_hostuuid": name, "release": "14.3-RELEASE", "type": "jail"}
	if template {
		props["template"] = 1
	}
	c, err := config.ConfigFromMap(props)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(e.dir(ds), "config.json"), c.Marshal(), 0o644); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) running(names ...string) {
	var js []string
	for i, n := range names {
		js = append(js, fmt.Sprintf(`{"jid":%d,"name":"%s","hostname":"%s","path":"/x","state":"ACTIVE"}`, i+1, inventory.JailName(n), n))
	}
	e.run.on("jls", func(host.Cmd) (string, error) {
		return `{"__version": "2", "jail-information": {"jail": [` + strings.Join(js, ",") + `]}}`, nil
	})
}

func (e *env) stateInventory() *inventory.Inventory {
	e.t.Helper()
	inv, err := e.host.Load(context.Background(), inventory.Options{Create: true, State: true})
	if err != nil {
		e.t.Fatal(err)
	}
	return inv
}

func TestDestroy(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	opts := testOptions(mirrorSrv.URL)
	opts.NoUpdate = true
	for _, rel := range []string{"14.3-RELEASE", "13.4-RELEASE"} {
		if err := e.fetch(ctx, rel, opts); err != nil {
			t.Fatal(err)
		}
	}
	l := e.layout
	e.cloneJail("web", l.ReleaseRoot("14.3-RELEASE"), false)
	e.cloneJail("tpl", l.ReleaseRoot("14.3-RELEASE"), true)
	e.cloneJail("child", l.TemplateRoot("tpl"), false)
	e.cloneJail("old", l.ReleaseRoot("13.4-RELEASE"), false)
	e.running("web")
	before := e.zfs.Names()

	err := Destroy(ctx, e.host.Host, e.stateInventory(), "14.3-RELEASE", DestroyOptions{})
	var de *inventory.DependentsError
	want := "14.3-RELEASE has dependent jails (who may also have dependents), use --recursive to destroy:\nweb\ntpl"
	if !errors.As(err, &de) || err.Error() != want || !errors.Is(err, zfs.ErrHasClones) {
		t.Fatalf("err %v, want %q", err, want)
	}
	err = Destroy(ctx, e.host.Host, e.stateInventory(), "14.3-RELEASE", DestroyOptions{Recursive: true, DestroyJail: e.destroyJail})
	if err == nil || err.Error() != "Jail web is still running, please stop the jail first or destroy it with -f" {
		t.Fatalf("running dependent: %v", err)
	}
	if err := Destroy(ctx, e.host.Host, e.stateInventory(), "15.0-RELEASE", DestroyOptions{}); err == nil || err.Error() != "RELEASE: 15.0-RELEASE not found!" {
		t.Fatalf("missing release: %v", err)
	}
	if !slices.Equal(e.zfs.Names(), before) {
		t.Fatal("a refused destroy changed datasets")
	}

	e.running()
	e.out.Reset()
	if err := Destroy(ctx, e.host.Host, e.stateInventory(), "14.3-RELEASE", DestroyOptions{Recursive: true, DestroyJail: e.destroyJail}); err != nil {
		t.Fatal(err)
	}
	for _, n := range e.zfs.Names() {
		for _, gone := range []string{l.Release("14.3-RELEASE"), l.Jail("web"), l.Jail("child"), l.Template("tpl")} {
			if layout.Child(gone, n) {
				t.Errorf("%s survived", n)
			}
		}
	}
	for _, kept := range []string{l.Download("14.3-RELEASE"), l.ReleaseRoot("13.4-RELEASE"), l.JailRoot("old")} {
		if !slices.Contains(e.zfs.Names(), kept) {
			t.Errorf("%s was destroyed", kept)
		}
	}
	out := e.out.String()
	if !strings.HasSuffix(out, "Destroying RELEASE dataset: 14.3-RELEASE\n") || strings.Index(out, "Destroying child") > strings.Index(out, "Destroying tpl") {
		t.Errorf("stdout %q", out)
	}

	// -d alone removes a download whose release is gone.
	if err := Destroy(ctx, e.host.Host, e.stateInventory(), "14.3-RELEASE", DestroyOptions{Download: true}); err != nil {
		t.Fatal(err)
	}
	if slices.Contains(e.zfs.Names(), l.Download("14.3-RELEASE")) {
		t.Error("download/14.3-RELEASE survived -d")
	}
	if err := Destroy(ctx, e.host.Host, e.stateInventory(), "14.3-RELEASE", DestroyOptions{Download: true}); err == nil {
		t.Error("destroying nothing succeeded")
	}
}
