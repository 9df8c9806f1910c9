package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/jcage/jcage/internal/image"
	"github.com/jcage/jcage/internal/render"
	"github.com/jcage/jcage/internal/zfs"
)

func (h *harness) imagesDir() string { return h.zfs.MountPath("tank/iocage/images") }

// exported returns the one NAME_DATE.zip in images/.
func (h *harness) exported(t *testing.T) string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(h.imagesDir(), "*.zip"))
	if len(m) != 1 {
		t.Fatalf("images/ holds %v", m)
	}
	return m[0]
}

func TestExportImportCommands(t *testing.T) {
	h := newTreeHarness(t)
	h.addJail("web", map[string]any{"notes": "keep me"})
	root := h.zfs.MountPath("tank/iocage/jails/web/root")
	if err := os.MkdirAll(filepath.Join(root, "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "etc/rc.conf"), []byte("sshd_enable=\"YES\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, _ := os.ReadFile(filepath.Join(h.zfs.MountPath("tank/iocage/jails/web"), "config.json"))
	names := strings.Join(h.zfs.Names(), "\n")

	if code := do(h, runExport, exportOptions{jail: "web"}); code != 0 {
		t.Fatalf("export: %s", h.stderr.String())
	}
	archive := h.exported(t)
	want := "Exporting dataset: tank/iocage/jails/web\nExporting dataset: tank/iocage/jails/web/root\n\n" +
		"Preparing compressed file: " + archive + ".\n\nExported: " + archive + "\n"
	if h.stdout.String() != want || h.stderr.Len() != 0 {
		t.Fatalf("export said %q / %q", h.stdout.String(), h.stderr.String())
	}
	sum, err := os.ReadFile(strings.TrimSuffix(archive, ".zip") + ".sha256")
	if err != nil || len(sum) != 64 {
		t.Fatalf("sha256 file %q %v", sum, err)
	}
	if err := h.zfs.Destroy(context.Background(), "tank/iocage/jails/web", zfs.DestroyOptions{Recursive: true}); err != nil {
		t.Fatal(err)
	}
	if code := do(h, runImport, importOptions{name: "web"}); code != 0 {
		t.Fatalf("import: %s", h.stderr.String())
	}
	if h.stdout.String() != "Importing dataset: web\nImporting dataset: web/root\n\nImported: web\n" {
		t.Fatalf("import said %q", h.stdout.String())
	}
	if got, _ := os.ReadFile(filepath.Join(h.zfs.MountPath("tank/iocage/jails/web"), "config.json")); !bytes.Equal(got, cfg) {
		t.Fatalf("config.json:\n%s\nwant:\n%s", got, cfg)
	}
	if got, _ := os.ReadFile(filepath.Join(root, "etc/rc.conf")); string(got) != "sshd_enable=\"YES\"\n" {
		t.Fatalf("rc.conf %q", got)
	}
	if got := strings.Join(h.zfs.Names(), "\n"); got != names {
		t.Fatalf("datasets after the round trip:\n%s", got)
	}
	if code := do(h, runList, listOptions{format: render.FormatTSV}); code != 0 || !strings.Contains(h.stdout.String(), "\tweb\tdown\t") {
		t.Fatalf("list after import: %q %q", h.stdout.String(), h.stderr.String())
	}

	// -p names the archive itself, wherever it lives.
	moved := filepath.Join(t.TempDir(), filepath.Base(archive))
	if err := os.Rename(archive, moved); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(strings.TrimSuffix(archive, ".zip")+".sha256", strings.TrimSuffix(moved, ".zip")+".sha256"); err != nil {
		t.Fatal(err)
	}
	if err := h.zfs.Destroy(context.Background(), "tank/iocage/jails/web", zfs.DestroyOptions{Recursive: true}); err != nil {
		t.Fatal(err)
	}
	if code := do(h, runImport, importOptions{name: "web", opts: image.ImportOptions{Path: moved}}); code != 0 {
		t.Fatalf("import -p FILE: %s", h.stderr.String())
	}
}

func TestExportImportRefusals(t *testing.T) {
	h := newTreeHarness(t)
	h.addJail("web", nil)
	h.running(map[string]int{"web": 3})
	names := strings.Join(h.zfs.Names(), "\n")
	refused(h, "web is running, stop the jail before exporting!", runExport, exportOptions{jail: "web"})
	refused(h, `invalid compression "gzip": use zip or lzma`, runExport, exportOptions{jail: "web", compression: "gzip"})
	refused(h, "nope not found!", runImport, importOptions{name: "nope"})
	if got := strings.Join(h.zfs.Names(), "\n"); got != names {
		t.Fatalf("refusals changed ZFS:\n%s", got)
	}
	if ents, _ := os.ReadDir(h.imagesDir()); len(ents) != 0 {
		t.Fatalf("refusals wrote %v", ents)
	}

	if code := do(h, runExport, exportOptions{jail: "web", allowRunning: true}); code != 0 {
		t.Fatalf("export --allow-running: %s", h.stderr.String())
	}
	archive := h.exported(t)
	if err := h.zfs.Destroy(context.Background(), "tank/iocage/jails/web", zfs.DestroyOptions{Recursive: true}); err != nil {
		t.Fatal(err)
	}
	h.running(nil)
	names = strings.Join(h.zfs.Names(), "\n")
	b, _ := os.ReadFile(archive)
	b[len(b)/2] ^= 0xff
	if err := os.WriteFile(archive, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if code := do(h, runImport, importOptions{name: "web"}); code != 1 || !strings.Contains(h.stderr.String(), "does not match its checksum") ||
		!strings.Contains(h.stderr.String(), "--no-verify") || strings.Count(h.stderr.String(), "\n") != 1 {
		t.Fatalf("tampered: %d %q", code, h.stderr.String())
	}
	if got := strings.Join(h.zfs.Names(), "\n"); got != names || h.zfs.Calls("receive") != 0 {
		t.Fatalf("tampered import changed ZFS:\n%s", got)
	}
	b[len(b)/2] ^= 0xff
	if err := os.WriteFile(archive, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(strings.TrimSuffix(archive, ".zip") + ".sha256"); err != nil {
		t.Fatal(err)
	}
	if code := do(h, runImport, importOptions{name: "web"}); code != 1 || !strings.Contains(h.stderr.String(), "has no checksum file") || !strings.Contains(h.stderr.String(), "--no-verify") {
		t.Fatalf("no checksum: %d %q", code, h.stderr.String())
	}
	if code := do(h, runImport, importOptions{name: "web", opts: image.ImportOptions{NoVerify: true}}); code != 0 {
		t.Fatalf("import --no-verify: %s", h.stderr.String())
	}
	names = strings.Join(h.zfs.Names(), "\n")
	refused(h, "Jail: web already exists!", runImport, importOptions{name: "web", opts: image.ImportOptions{NoVerify: true}})
}

func TestParseExportImport(t *testing.T) {
	if got, err := parseLine(t, parseExport, "export", "-c", "lzma", "--allow-running", "web"); err != nil ||
		got != (exportOptions{jail: "web", compression: "lzma", allowRunning: true}) {
		t.Errorf("export: %+v %v", got, err)
	}
	if got, err := parseLine(t, parseExport, "export", "web"); err != nil || got.compression != image.FormatZip {
		t.Errorf("export's default compression: %+v %v", got, err)
	}
	want := importOptions{name: "web", opts: image.ImportOptions{Compression: "zip", Path: "/x", NoVerify: true, TrustHooks: true}}
	if got, err := parseLine(t, parseImport, "import", "-c", "zip", "-p", "/x", "--no-verify", "--trust-hooks", "web"); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("import: %+v %v", got, err)
	}
	for _, tc := range []struct {
		parse func(t *testing.T, args ...string) error
		args  []string
		msg   string
	}{
		{parsesWith(parseExport), []string{"export"}, "Usage: jcage export [-c zip|lzma] [--allow-running] JAIL"},
		{parsesWith(parseImport), []string{"import"}, "Usage: jcage import [-c zip|lzma] [-p PATH] [--no-verify] NAME"},
		{parsesWith(parseImport), []string{"import", "a", "b"}, "Usage: jcage import [-c zip|lzma] [-p PATH] [--no-verify] NAME"},
	} {
		if err := tc.parse(t, tc.args...); err == nil || err.Error() != tc.msg {
			t.Errorf("%q: %v, want %q", tc.args, err, tc.msg)
		}
	}
}
