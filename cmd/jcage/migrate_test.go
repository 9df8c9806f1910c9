package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jcage/jcage/internal/jail"
	"github.com/jcage/jcage/internal/layout"
	"github.com/jcage/jcage/internal/zfs"
)

// layLegacy lays out a basejail of iocage_legacy's development version on
// the fake: a tag and type=basejail in config.json, the jail's own files.
func (h *harness) layLegacy(uuid, tag string) string {
	h.t.Helper()
	h.addJail(uuid, map[string]any{"tag": tag, "type": "basejail", "cloned_release": "14.3-RELEASE"})
	root := h.zfs.MountPath(layout.Layout{Pool: "tank"}.JailRoot(uuid))
	for p, body := range map[string]string{"etc/rc.conf": `hostname="` + uuid + `"` + "\n", "usr/local/etc/app.conf": "listen 80\n"} {
		if err := os.MkdirAll(filepath.Join(root, filepath.Dir(p)), 0o755); err != nil {
			h.t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, p), []byte(body), 0o644); err != nil {
			h.t.Fatal(err)
		}
	}
	return root
}

// A migration that fails at any step leaves every dataset as it was; one
// that succeeds leaves the old jail in jails_old and the new one cloned
// from the release.
func TestMigrateUnwindsEachStep(t *testing.T) {
	h := newTreeHarness(t)
	l := layout.Layout{Pool: "tank"}
	if err := h.zfs.Create(context.Background(), l.ReleaseRoot("14.3-RELEASE"), zfs.CreateOptions{Parents: true}); err != nil {
		t.Fatal(err)
	}
	relRoot := h.zfs.MountPath(l.ReleaseRoot("14.3-RELEASE"))
	if err := os.MkdirAll(filepath.Join(relRoot, "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(relRoot, "etc/hosts"), []byte("127.0.0.1\tlocalhost\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	const u = "8ab3c1d2-0000-4000-8000-00000000000a"
	old := h.layLegacy(u, "web")
	names := h.zfs.Names()
	for _, step := range []struct{ op, name string }{
		{"create", l.JailsOld()}, {"rename", l.Jail(u)}, {"snapshot", ""}, {"clone", ""},
	} {
		h.zfs.FailOnce(step.op, step.name, errors.New("injected"))
		if code := do(h, runMigrate, migrateOptions{force: true}); code != 1 || !strings.Contains(h.stderr.String(), "injected") {
			t.Fatalf("%s failing: %d %q", step.op, code, h.stderr.String())
		}
		if got := h.zfs.Names(); !slices.Equal(got, names) {
			t.Fatalf("%s failing left:\n%s\nwant\n%s", step.op, strings.Join(got, "\n"), strings.Join(names, "\n"))
		}
		if b, err := os.ReadFile(filepath.Join(old, "usr/local/etc/app.conf")); err != nil || string(b) != "listen 80\n" {
			t.Fatalf("%s failing: the old root: %q %v", step.op, b, err)
		}
	}
	// An interrupt between two steps undoes them too.
	for _, op := range []string{"rename", "snapshot", "clone"} {
		ctx, cancel := context.WithCancel(context.Background())
		h.zfs.After(op, cancel)
		e := &env{stdin: strings.NewReader(""), stdout: &h.stdout, stderr: &h.stderr, run: h.run, zfs: h.zfs, runDir: h.runDir}
		d := e.deps()
		jh := d.host
		inv, err := d.load(ctx, jh, true, nil)
		if err != nil {
			t.Fatal(err)
		}
		plan, err := jh.PlanMigration(ctx, inv, jail.MigrateOptions{})
		if err == nil {
			err = jh.Migrate(ctx, inv, plan, jail.MigrateOptions{})
		}
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("interrupted after %s: %v", op, err)
		}
		if got := h.zfs.Names(); !slices.Equal(got, names) {
			t.Fatalf("interrupted after %s, left:\n%s\nwant\n%s", op, strings.Join(got, "\n"), strings.Join(names, "\n"))
		}
	}
	if left, _ := filepath.Glob(filepath.Join(h.runDir, "jcage-journal", "*.json")); len(left) > 0 {
		t.Fatalf("journals left: %v", left)
	}
	out := must(h, runMigrate, migrateOptions{force: true})
	if out != "Copying files for web, please wait...\n"+u+" (web) migrated to web!\n\n" {
		t.Fatalf("migrate output %q", out)
	}
	for _, n := range []string{l.JailOld(u), l.Jail("web"), l.JailRoot("web"), layout.SnapName(l.ReleaseRoot("14.3-RELEASE"), "web")} {
		if !slices.Contains(h.zfs.Names(), n) {
			t.Errorf("no %s after migrate", n)
		}
	}
	if got := h.read(l.Jail("web"), "root/usr/local/etc/app.conf"); got != "listen 80\n" {
		t.Errorf("app.conf %q", got)
	}
	if got := h.read(l.Jail("web"), "root/etc/rc.conf"); got != "hostname=\"web\"\n" {
		t.Errorf("rc.conf %q", got)
	}
	if got := strings.TrimSpace(must(h, runGet, getOptions{args: []string{"type", "web"}})); got != "jail" {
		t.Errorf("type %q", got)
	}
}
