package image

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jcage/jcage/internal/config"
	"github.com/jcage/jcage/internal/host"
	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/jail"
	"github.com/jcage/jcage/internal/layout"
	"github.com/jcage/jcage/internal/zfs"
)

// xzRunner runs xz for real and answers everything else from rec.
type xzRunner struct{ rec *host.Recorder }

func (x xzRunner) Run(ctx context.Context, c host.Cmd) ([]byte, error) {
	if c.Name == "xz" {
		return host.Exec{}.Run(ctx, c)
	}
	return x.rec.Run(ctx, c)
}

// imageWorld is an activated fake pool (its streams carry files).
type imageWorld struct {
	t   *testing.T
	f   *zfs.Fake
	rec *host.Recorder
	h   *Host
	l   layout.Layout
	out bytes.Buffer
	dir string
}

var imageNow = time.Date(2023, 11, 23, 22, 45, 10, 0, time.UTC)

func newImageWorld(t *testing.T) *imageWorld {
	w := &imageWorld{t: t, dir: t.TempDir(), l: layout.Layout{Pool: "tank"}, rec: &host.Recorder{}}
	w.f = zfs.NewFake(w.dir, "tank")
	w.running()
	w.h = &Host{&jail.Host{Host: &inventory.Host{ZFS: w.f, Run: xzRunner{w.rec}, Out: &w.out, LockDir: t.TempDir(), Now: func() time.Time { return imageNow }}}}
	if err := w.h.Activate(context.Background(), "tank"); err != nil {
		t.Fatal(err)
	}
	w.load() // creates the tree's datasets
	return w
}

// running makes jls report these jails.
func (w *imageWorld) running(names ...string) {
	var js []string
	for i, n := range names {
		js = append(js, fmt.Sprintf(`{"jid":%d,"hostname":"%s","path":"/x","name":"%s","state":"ACTIVE"}`, i+1, n, inventory.JailName(n)))
	}
	w.rec.On([]string{"jls"}, `{"__version": "2", "jail-information": {"jail": [`+strings.Join(js, ",")+`]}}`, nil)
}

// jail lays out a jail with a root and a data child and a few files of
// different modes, a symlink and an empty directory.
func (w *imageWorld) jail(ds string, cfg map[string]any) {
	w.t.Helper()
	ctx := context.Background()
	for _, d := range []string{ds + "/root", ds + "/data"} {
		if err := w.f.Create(ctx, d, zfs.CreateOptions{Parents: true}); err != nil {
			w.t.Fatal(err)
		}
	}
	name := layout.Base(ds)
	base := map[string]any{"CONFIG_VERSION": "34", "host_hostuuid": name, "host_hostname": name, "release": "14.3-RELEASE", "type": "jail"}
	for k, v := range cfg {
		base[k] = v
	}
	c, err := config.ConfigFromMap(base)
	if err != nil {
		w.t.Fatal(err)
	}
	dir := w.f.MountPath(ds)
	root := w.f.MountPath(ds + "/root")
	files := map[string]string{
		filepath.Join(dir, "config.json"):             string(c.Marshal()),
		filepath.Join(dir, "fstab"):                   "",
		filepath.Join(root, "etc/rc.conf"):            "sshd_enable=\"YES\"\n",
		filepath.Join(root, "etc/master.passwd"):      "root:*:0:0::0:0:Charlie &:/root:/bin/sh\n",
		filepath.Join(root, "bin/sh"):                 "\x7fELF" + strings.Repeat("\x00\x01", 5000),
		filepath.Join(w.f.MountPath(ds+"/data"), "x"): "data",
	}
	for p, body := range files {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			w.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			w.t.Fatal(err)
		}
	}
	for p, mode := range map[string]fs.FileMode{filepath.Join(root, "etc/master.passwd"): 0o600, filepath.Join(root, "bin/sh"): 0o555} {
		if err := os.Chmod(p, mode); err != nil {
			w.t.Fatal(err)
		}
	}
	if err := os.Symlink("/bin/sh", filepath.Join(root, "bin/csh")); err != nil {
		w.t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "var/empty"), 0o555); err != nil {
		w.t.Fatal(err)
	}
}

func (w *imageWorld) load() *inventory.Inventory {
	w.t.Helper()
	inv, err := w.h.Load(context.Background(), inventory.Options{Create: true, State: true})
	if err != nil {
		w.t.Fatal(err)
	}
	return inv
}

func (w *imageWorld) images() string { return filepath.Join(w.dir, "tank/iocage/images") }

func (w *imageWorld) export(name string, opts ExportOptions) string {
	w.t.Helper()
	w.out.Reset()
	p, err := w.h.Export(context.Background(), w.load(), name, opts)
	if err != nil {
		w.t.Fatalf("export %s: %v", name, err)
	}
	return p
}

func (w *imageWorld) importErr(name string, opts ImportOptions) error {
	w.out.Reset()
	_, err := w.h.Import(context.Background(), w.load(), name, opts)
	return err
}

func (w *imageWorld) destroy(ds string) {
	w.t.Helper()
	if err := w.f.Destroy(context.Background(), ds, zfs.DestroyOptions{Recursive: true}); err != nil {
		w.t.Fatal(err)
	}
}

func (w *imageWorld) names() string { return strings.Join(w.f.Names(), "\n") }

// snapshotTree describes every file below dir: type, mode, content or
// link target.
func snapshotTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		desc := fi.Mode().String()
		switch {
		case fi.Mode()&os.ModeSymlink != 0:
			l, _ := os.Readlink(p)
			desc += " -> " + l
		case fi.Mode().IsRegular():
			b, _ := os.ReadFile(p)
			desc += fmt.Sprintf(" %x", sha256.Sum256(b))
		}
		out[rel] = desc
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameTree(t *testing.T, what string, a, b map[string]string) {
	t.Helper()
	var diff []string
	for k, v := range a {
		if b[k] != v {
			diff = append(diff, fmt.Sprintf("%s: %q != %q", k, v, b[k]))
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			diff = append(diff, k+": extra")
		}
	}
	sort.Strings(diff)
	if len(diff) > 0 {
		t.Fatalf("%s differs:\n%s", what, strings.Join(diff, "\n"))
	}
}

func fileSum(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

func TestImageMember(t *testing.T) {
	for _, tc := range []struct{ images, jailDS, ds, want string }{
		{"/tank/iocage/images", "tank/iocage/jails/web", "tank/iocage/jails/web", "tank/iocage/images/web_2023-11-23"},
		{"/tank/iocage/images", "tank/iocage/jails/web", "tank/iocage/jails/web/root", "tank/iocage/images/web_2023-11-23_root"},
		{"/tank/iocage/images", "tank/iocage/jails/web", "tank/iocage/jails/web/data/db", "tank/iocage/images/web_2023-11-23_data_db"},
		{"/tank/iocage/images", "tank/iocage/templates/web", "tank/iocage/templates/web/root", "tank/iocage/images/web_2023-11-23_root"},
		{"/iocage/images", "iocage/iocage/jails/web", "iocage/iocage/jails/web", "iocage/images/web_2023-11-23"},
		{"/mnt/tank/iocage/images/", "tank/iocage/jails/web", "tank/iocage/jails/web/root", "mnt/tank/iocage/images/web_2023-11-23_root"},
	} {
		if got := ImageMember(tc.images, ImageBase("web", imageNow), tc.jailDS, tc.ds); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.ds, got, tc.want)
		}
	}
	// The date is UTC: 23:30 in New York is already the next day.
	ny := time.Date(2023, 11, 23, 23, 30, 0, 0, time.FixedZone("EST", -5*3600))
	if got := ImageBase("web", ny); got != "web_2023-11-24" || layout.ExportSnapName(ny) != "ioc-export-2023-11-24" {
		t.Fatalf("UTC date: %s %s", got, layout.ExportSnapName(ny))
	}
}

func TestPlanMembers(t *testing.T) {
	const p = "tank/iocage/images/web_2023-11-23"
	for _, tc := range []struct {
		names []string
		want  string // "member=dataset ..." or "error: substring"
	}{
		{[]string{p, p + "_root"}, "0=web 1=web/root"},
		{[]string{p, p + "_data", p + "_data_db", p + "_root"}, "0=web 1=web/data 2=web/data/db 3=web/root"},
		{[]string{"web_2023-11-23", "web_2023-11-23_root"}, "0=web 1=web/root"},
		{[]string{"other/dir/web_2023-11-23_root", p}, "0=web/root 1=web"},
		// Underscores iocage can't read back: the deepest member that is
		// a prefix is the parent.
		{[]string{p, p + "_root", p + "_data", p + "_data_my_db"}, "0=web 1=web/root 2=web/data 3=web/data/my_db"},
		{[]string{p, p + "_my_data"}, "0=web 1=web/my_data"},
		{[]string{p + "_root"}, "error: no member holds the jail dataset"},
		{[]string{p, p}, "error: appears twice"},
		{[]string{p, "x/web_2023-11-23"}, "error: both claim the jail dataset"},
		{[]string{p, p + "_"}, "error: not a dataset stream"},
		{[]string{p, "tank/iocage/images/other_2023-11-23_root"}, "error: not a dataset stream"},
		{[]string{p, "tank/iocage/images/web_2023-11-22_root"}, "error: not a dataset stream"},
		{[]string{p, p + "_da ta"}, "error: does not name a dataset"},
		{[]string{p, p + "_a@b"}, "error: does not name a dataset"},
		{[]string{"../../etc/web_2023-11-23", p + "_root"}, "error: not a local path"},
		{[]string{p, "tank/../../web_2023-11-23_root"}, "error: not a local path"},
		{[]string{"/" + p}, "error: not a local path"},
		{[]string{p, `tank\iocage\web_2023-11-23_root`}, "error: not a local path"},
		{[]string{p, "tank//iocage/web_2023-11-23_root"}, "error: not a local path"},
		{[]string{p, "./web_2023-11-23_root"}, "error: not a local path"},
		{[]string{p, "tank/iocage/images/web_2023-11-23_root/"}, "error: not a local path"},
		{[]string{p, "a/\x00/web_2023-11-23_root"}, "error: not a local path"},
		{[]string{""}, "error: not a local path"},
	} {
		plans, err := planMembers("web", "2023-11-23", tc.names)
		var got string
		if err != nil {
			got = "error: " + err.Error()
		} else {
			var parts []string
			for _, pl := range plans {
				parts = append(parts, fmt.Sprintf("%d=%s", pl.index, pl.rel))
			}
			got = strings.Join(parts, " ")
		}
		if strings.HasPrefix(tc.want, "error: ") {
			if !strings.HasPrefix(got, "error: ") || !strings.Contains(got, strings.TrimPrefix(tc.want, "error: ")) {
				t.Errorf("%q: got %q, want %s", tc.names, got, tc.want)
			}
		} else if got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.names, got, tc.want)
		}
	}
}

func TestReceiveOrder(t *testing.T) {
	mk := func(rels ...string) []imageMemberPlan {
		var out []imageMemberPlan
		for i, r := range rels {
			out = append(out, imageMemberPlan{index: i, rel: r})
		}
		return out
	}
	rels := func(ps []imageMemberPlan) string {
		var s []string
		for _, p := range ps {
			s = append(s, p.rel)
		}
		return strings.Join(s, " ")
	}
	if got, ok := receiveOrder(mk("w", "w/data", "w/data/x", "w/root"), false); !ok || rels(got) != "w w/data w/data/x w/root" {
		t.Fatalf("pre-order kept: %v %s", ok, rels(got))
	}
	if got, ok := receiveOrder(mk("w/root", "w/data/x", "w", "w/data"), true); !ok || rels(got) != "w w/root w/data w/data/x" {
		t.Fatalf("zip reordered by depth: %v %s", ok, rels(got))
	}
	if _, ok := receiveOrder(mk("w/root", "w"), false); ok {
		t.Fatal("a stream that can't seek accepted a child before its parent")
	}
}

func TestLocateImage(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"web_2023-11-23.zip", "web_2023-11-23.sha256", "db_2023-11-20.tar.xz", "db_2023-11-21.zip", "a.b_2023-11-23.zip", "axb_2023-11-23.zip", ".web_2023-11-24.zip.123"} {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "webdir.zip"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		opts ImportOptions
		want string
	}{
		{"web", ImportOptions{}, "web 2023-11-23 zip"},
		{"db", ImportOptions{Compression: FormatLZMA}, "db 2023-11-20 tar.xz"},
		{"db", ImportOptions{Compression: FormatZip}, "db 2023-11-21 zip"},
		{"db", ImportOptions{}, "Multiple images found for db:\n  db_2023-11-20.tar.xz\n  db_2023-11-21.zip\nPlease explicitly select image or define compression algorithm to use"},
		{"a.b", ImportOptions{}, "a.b 2023-11-23 zip"},
		{"nope", ImportOptions{}, "nope not found!"},
		{"web", ImportOptions{Compression: "gzip"}, `invalid compression "gzip": use zip or lzma`},
		{"ignored", ImportOptions{Path: filepath.Join(dir, "db_2023-11-20.tar.xz")}, "db 2023-11-20 tar.xz"},
		{"web", ImportOptions{Path: filepath.Join(dir, "missing")}, filepath.Join(dir, "missing") + " does not exist."},
		{"web", ImportOptions{Path: filepath.Join(dir, "web_2023-11-23.sha256")}, "not an export"},
	} {
		img, err := locateImage(dir, tc.name, tc.opts)
		got := ""
		if err != nil {
			got = err.Error()
		} else {
			got = img.uuid + " " + img.date + " " + map[bool]string{true: "zip", false: "tar.xz"}[img.zip]
			if img.dir != dir {
				t.Errorf("%s: dir %q", tc.name, img.dir)
			}
		}
		if got != tc.want && !(tc.want == "not an export" && strings.Contains(got, tc.want)) {
			t.Errorf("%s %+v: %q, want %q", tc.name, tc.opts, got, tc.want)
		}
	}
	for _, bad := range []string{"bad name_2023-11-23.zip", "nodate.zip", "web_.zip", "_2023-11-23.zip", "web_a@b.zip"} {
		p := filepath.Join(dir, bad)
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if img, err := locateImage(dir, "x", ImportOptions{Path: p}); err == nil {
			t.Errorf("%s accepted as %+v", bad, img)
		}
	}
}

// The whole round trip on the fake: iocage's messages, member names and
// checksum file; the archive appears whole and private; the export
// snapshot is gone; after a destroy, import gives back the same files and
// config with no snapshot left.
func TestExportImportRoundTrip(t *testing.T) {
	w := newImageWorld(t)
	w.jail("tank/iocage/jails/web", nil)
	w.jail("tank/iocage/jails/other", nil)
	jailDir := w.f.MountPath("tank/iocage/jails/web")
	before := snapshotTree(t, jailDir)
	names := w.names()

	archive := w.export("web", ExportOptions{})
	images := w.images()
	if archive != filepath.Join(images, "web_2023-11-23.zip") {
		t.Fatalf("archive %s", archive)
	}
	wantOut := "Exporting dataset: tank/iocage/jails/web\n" +
		"Exporting dataset: tank/iocage/jails/web/data\n" +
		"Exporting dataset: tank/iocage/jails/web/root\n" +
		"\nPreparing compressed file: " + archive + ".\n" +
		"\nExported: " + archive + "\n"
	if w.out.String() != wantOut {
		t.Fatalf("export said:\n%s\nwant:\n%s", w.out.String(), wantOut)
	}
	sum, err := os.ReadFile(filepath.Join(images, "web_2023-11-23.sha256"))
	if err != nil || string(sum) != fileSum(t, archive) {
		t.Fatalf("sha256 file %q (%v), archive %s", sum, err, fileSum(t, archive))
	}
	if got := dirNames(t, images); strings.Join(got, " ") != "web_2023-11-23.sha256 web_2023-11-23.zip" {
		t.Fatalf("images/ holds %v", got)
	}
	if fi, _ := os.Stat(archive); fi.Mode().Perm() != 0o600 {
		t.Fatalf("archive mode %v", fi.Mode())
	}
	if w.names() != names {
		t.Fatalf("export left datasets or snapshots:\n%s", w.names())
	}
	zr, err := zip.OpenReader(archive)
	if err != nil {
		t.Fatal(err)
	}
	prefix := strings.TrimPrefix(images, "/") + "/web_2023-11-23"
	var members []string
	for _, f := range zr.File {
		members = append(members, f.Name)
		if f.Method != zip.Deflate || f.Mode().Perm() != 0o644 {
			t.Errorf("%s: method %d mode %v", f.Name, f.Method, f.Mode())
		}
	}
	zr.Close()
	if got, want := strings.Join(members, "\n"), prefix+"\n"+prefix+"_data\n"+prefix+"_root"; got != want {
		t.Fatalf("members:\n%s\nwant:\n%s", got, want)
	}
	if n := w.f.Calls("send"); n != 3 {
		t.Fatalf("%d sends for 3 datasets", n)
	}

	w.destroy("tank/iocage/jails/web")
	if err := w.importErr("web", ImportOptions{}); err != nil {
		t.Fatalf("import: %v\n%s", err, w.out.String())
	}
	if want := "Importing dataset: web\nImporting dataset: web/data\nImporting dataset: web/root\n\nImported: web\n"; w.out.String() != want {
		t.Fatalf("import said %q", w.out.String())
	}
	sameTree(t, "imported jail", before, snapshotTree(t, jailDir))
	if w.names() != names {
		t.Fatalf("datasets after import:\n%s\nwant:\n%s", w.names(), names)
	}
	// A second import finds the jail in place and changes nothing.
	sends, recvs := w.f.Calls("send"), w.f.Calls("receive")
	if err := w.importErr("web", ImportOptions{}); err == nil || err.Error() != "Jail: web already exists!" {
		t.Fatalf("import over a jail: %v", err)
	}
	if w.f.Calls("receive") != recvs || w.f.Calls("send") != sends {
		t.Fatal("refused import touched ZFS")
	}
}

// A template exports from templates/ and its snapshot is removed there;
// it comes back as a jail.
func TestExportImportTemplate(t *testing.T) {
	w := newImageWorld(t)
	ds := "tank/iocage/templates/tpl"
	w.jail(ds, map[string]any{"type": "template", "template": 1})
	if err := w.f.SetProps(context.Background(), ds, map[string]string{"readonly": "on"}); err != nil {
		t.Fatal(err)
	}
	names := w.names()
	w.export("tpl", ExportOptions{})
	if !strings.HasPrefix(w.out.String(), "Exporting dataset: "+ds+"\n") || w.names() != names {
		t.Fatalf("template export: %q\n%s", w.out.String(), w.names())
	}
	w.destroy(ds)
	if err := w.importErr("tpl", ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	inv := w.load()
	j, err := inv.Find("tpl")
	if err != nil || j.Template || j.Dataset.Name != "tank/iocage/jails/tpl" {
		t.Fatalf("imported template: %+v %v", j, err)
	}
	if typ, _ := j.Config.Get("type"); typ != "jail" || j.Config.Template() {
		t.Fatalf("config type %q template %v", typ, j.Config.Template())
	}
	if d, _ := w.f.Get(context.Background(), "tank/iocage/jails/tpl", "readonly"); d.Prop("readonly") != "off" {
		t.Fatalf("readonly %s", d.Prop("readonly"))
	}
}

func TestExportRefusesRunningJail(t *testing.T) {
	w := newImageWorld(t)
	w.jail("tank/iocage/jails/web", nil)
	w.running("web")
	names := w.names()
	_, err := w.h.Export(context.Background(), w.load(), "web", ExportOptions{})
	if err == nil || err.Error() != "web is running, stop the jail before exporting!" {
		t.Fatalf("running export: %v", err)
	}
	if w.names() != names || len(dirNames(t, w.images())) != 0 || w.f.Calls("snapshot") != 0 {
		t.Fatalf("refused export changed something: %s %v", w.names(), dirNames(t, w.images()))
	}
	w.export("web", ExportOptions{AllowRunning: true})
	if w.names() != names || len(dirNames(t, w.images())) != 2 {
		t.Fatalf("export of a running jail: %s %v", w.names(), dirNames(t, w.images()))
	}
	if _, err := w.h.Export(context.Background(), w.load(), "web", ExportOptions{Compression: "gzip"}); err == nil {
		t.Fatal("bad compression accepted")
	}
}

// A failing send, or Ctrl-C during one, leaves no archive, no temporary
// file and no snapshot; a leftover export snapshot is reported clearly.
func TestExportFailureCleansUp(t *testing.T) {
	w := newImageWorld(t)
	w.jail("tank/iocage/jails/web", nil)
	names := w.names()
	for _, snap := range []string{"tank/iocage/jails/web@ioc-export-2023-11-23", "tank/iocage/jails/web/root@ioc-export-2023-11-23"} {
		w.f.FailOnce("send", snap, errors.New("boom"))
		if _, err := w.h.Export(context.Background(), w.load(), "web", ExportOptions{}); err == nil || !strings.Contains(err.Error(), "boom") {
			t.Fatalf("%s: %v", snap, err)
		}
		if w.names() != names || len(dirNames(t, w.images())) != 0 {
			t.Fatalf("failed export left %s %v", w.names(), dirNames(t, w.images()))
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stop := contextStopper{Fake: w.f, after: "tank/iocage/jails/web/data@ioc-export-2023-11-23", cancel: cancel}
	h := Host{w.h.Host.Copy()}
	h.ZFS = stop
	if _, err := h.Export(ctx, w.load(), "web", ExportOptions{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted export: %v", err)
	}
	if w.names() != names || len(dirNames(t, w.images())) != 0 {
		t.Fatalf("interrupted export left %s %v", w.names(), dirNames(t, w.images()))
	}
	if err := w.f.Snapshot(context.Background(), "tank/iocage/jails/web@ioc-export-2023-11-23", true); err != nil {
		t.Fatal(err)
	}
	_, err := w.h.Export(context.Background(), w.load(), "web", ExportOptions{})
	if err == nil || !strings.Contains(err.Error(), "jcage snapremove -n ioc-export-2023-11-23 web") {
		t.Fatalf("leftover snapshot: %v", err)
	}
}

// contextStopper cancels the context once a given snapshot has been sent,
// as Ctrl-C would between two streams.
type contextStopper struct {
	*zfs.Fake
	after  string
	cancel func()
}

func (c contextStopper) Send(ctx context.Context, snap string, w io.Writer) error {
	err := c.Fake.Send(ctx, snap, w)
	if snap == c.after {
		c.cancel()
	}
	return err
}

func (c contextStopper) Receive(ctx context.Context, name string, r io.Reader, opts zfs.ReceiveOptions) error {
	err := c.Fake.Receive(ctx, name, r, opts)
	if name == c.after {
		c.cancel()
	}
	return err
}

// refusedImport checks that an import was refused with an error holding
// want, and that nothing changed: no dataset, no receive, no file.
func refusedImport(t *testing.T, w *imageWorld, opts ImportOptions, want string) {
	t.Helper()
	names, recvs, files := w.names(), w.f.Calls("receive"), snapshotTree(t, w.dir)
	err := w.importErr("web", opts)
	if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
		t.Fatalf("import: %v, want a one-line error with %q", err, want)
	}
	if w.names() != names || w.f.Calls("receive") != recvs {
		t.Fatalf("refused import changed ZFS:\n%s", w.names())
	}
	sameTree(t, "files after a refused import", files, snapshotTree(t, w.dir))
}

func TestImportVerifiesChecksum(t *testing.T) {
	w := newImageWorld(t)
	w.jail("tank/iocage/jails/web", nil)
	archive := w.export("web", ExportOptions{})
	w.destroy("tank/iocage/jails/web")
	good, err := os.ReadFile(archive)
	if err != nil {
		t.Fatal(err)
	}
	// One flipped bit in the middle of the compressed data.
	bad := append([]byte(nil), good...)
	bad[len(bad)/3] ^= 0x10
	if err := os.WriteFile(archive, bad, 0o600); err != nil {
		t.Fatal(err)
	}
	refusedImport(t, w, ImportOptions{}, "does not match its checksum")
	refusedImport(t, w, ImportOptions{}, NoVerifyFlag)
	sumFile := filepath.Join(w.images(), "web_2023-11-23.sha256")
	sum, _ := os.ReadFile(sumFile)
	if err := os.WriteFile(sumFile, []byte("nonsense"), 0o644); err != nil {
		t.Fatal(err)
	}
	refusedImport(t, w, ImportOptions{}, "does not hold a sha256")
	if err := os.Remove(sumFile); err != nil {
		t.Fatal(err)
	}
	refusedImport(t, w, ImportOptions{}, "has no checksum file")

	// Unverified, the damage is still found (by zip's CRC or the stream)
	// and everything received so far is destroyed.
	names := w.names()
	if err := w.importErr("web", ImportOptions{NoVerify: true}); err == nil {
		t.Fatal("damaged archive imported")
	}
	if w.names() != names {
		t.Fatalf("failed import left:\n%s", w.names())
	}
	// The good archive imports without its checksum when asked to, and
	// with it again once it is back (trailing newline tolerated).
	if err := os.WriteFile(archive, good, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := w.importErr("web", ImportOptions{NoVerify: true}); err != nil {
		t.Fatal(err)
	}
	w.destroy("tank/iocage/jails/web")
	if err := os.WriteFile(sumFile, append(sum, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := w.importErr("web", ImportOptions{}); err != nil {
		t.Fatal(err)
	}
}

// writeIocageZip writes the zip as iocage's Python writes it: member
// names are the stream files' absolute paths without the leading '/',
// deflated with the sizes in the local headers (no data descriptor),
// and a .sha256 of the hex digest without a newline.
func writeIocageZip(t *testing.T, dir, base string, members []string, streams [][]byte) string {
	t.Helper()
	p := filepath.Join(dir, base+".zip")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for i, name := range members {
		var comp bytes.Buffer
		fw, _ := flate.NewWriter(&comp, 6)
		fw.Write(streams[i])
		fw.Close()
		hdr := &zip.FileHeader{Name: name, Method: zip.Deflate, Modified: imageNow,
			CRC32: crc32.ChecksumIEEE(streams[i]), CompressedSize64: uint64(comp.Len()), UncompressedSize64: uint64(len(streams[i]))}
		hdr.SetMode(0o644)
		w, err := zw.CreateRaw(hdr)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(comp.Bytes()); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, base+".sha256"), []byte(fileSum(t, p)), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// An archive laid out exactly as iocage writes it imports, here made on
// another host whose IOCROOT is /tank/iocage.
func TestImportIocageZip(t *testing.T) {
	src := newImageWorld(t)
	src.jail("tank/iocage/jails/web", nil)
	ctx := context.Background()
	var streams [][]byte
	for _, ds := range []string{"tank/iocage/jails/web", "tank/iocage/jails/web/root"} {
		if err := src.f.Snapshot(ctx, ds+"@ioc-export-2023-11-23", false); err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := src.f.Send(ctx, ds+"@ioc-export-2023-11-23", &b); err != nil {
			t.Fatal(err)
		}
		streams = append(streams, b.Bytes())
	}
	// iocage's export sends the data child too; an older one without it
	// must import all the same, so this archive leaves it out.
	w := newImageWorld(t)
	writeIocageZip(t, w.images(), "web_2023-11-23",
		[]string{"tank/iocage/images/web_2023-11-23", "tank/iocage/images/web_2023-11-23_root"}, streams)
	if err := w.importErr("web", ImportOptions{}); err != nil {
		t.Fatalf("iocage zip: %v", err)
	}
	if want := "Importing dataset: web\nImporting dataset: web/root\n\nImported: web\n"; w.out.String() != want {
		t.Fatalf("import said %q", w.out.String())
	}
	srcTree := snapshotTree(t, src.f.MountPath("tank/iocage/jails/web"))
	delete(srcTree, "data")
	delete(srcTree, "data/x")
	sameTree(t, "jail from iocage's zip", srcTree, snapshotTree(t, w.f.MountPath("tank/iocage/jails/web")))
	for _, n := range w.f.Names() {
		if strings.Contains(n, "@") {
			t.Fatalf("snapshot left: %s", n)
		}
	}
}

func TestImportRefusesZipSlip(t *testing.T) {
	w := newImageWorld(t)
	stream := []byte("{}\n")
	for _, members := range [][]string{
		{"tank/iocage/images/web_2023-11-23", "../../../../etc/web_2023-11-23_root"},
		{"/tank/iocage/images/web_2023-11-23"},
		{"tank/iocage/images/web_2023-11-23", "tank/iocage/images/../../../web_2023-11-23_root"},
		{"tank/iocage/images/web_2023-11-23", `..\..\web_2023-11-23_root`},
		{"tank/iocage/images/web_2023-11-23", "tank/iocage/images/evil"},
	} {
		streams := make([][]byte, len(members))
		for i := range streams {
			streams[i] = stream
		}
		writeIocageZip(t, w.images(), "web_2023-11-23", members, streams)
		refusedImport(t, w, ImportOptions{}, "refusing")
	}
}

// Each receive failing in turn, and Ctrl-C after one, unwind the import
// completely; so does a failure removing the export snapshot.
func TestImportUnwinds(t *testing.T) {
	w := newImageWorld(t)
	w.jail("tank/iocage/jails/web", nil)
	w.export("web", ExportOptions{})
	w.destroy("tank/iocage/jails/web")
	names := w.names()
	check := func(what string, err error) {
		t.Helper()
		if err == nil {
			t.Fatalf("%s: import succeeded", what)
		}
		if w.names() != names {
			t.Fatalf("%s left:\n%s", what, w.names())
		}
		if _, serr := os.Stat(w.f.MountPath("tank/iocage/jails") + "/web"); !errors.Is(serr, os.ErrNotExist) {
			t.Fatalf("%s left the jail directory: %v", what, serr)
		}
	}
	for _, target := range []string{"tank/iocage/jails/web", "tank/iocage/jails/web/data", "tank/iocage/jails/web/root"} {
		w.f.FailOnce("receive", target, errors.New("cannot receive: checksum mismatch"))
		check(target, w.importErr("web", ImportOptions{}))
	}
	w.f.FailOnce("destroy", "tank/iocage/jails/web@ioc-export-2023-11-23", errors.New("busy"))
	check("snapshot removal", w.importErr("web", ImportOptions{}))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h := Host{w.h.Host.Copy()}
	h.ZFS = contextStopper{Fake: w.f, after: "tank/iocage/jails/web/data", cancel: cancel}
	_, err := h.Import(ctx, w.load(), "web", ImportOptions{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted import: %v", err)
	}
	check("Ctrl-C", err)
	if err := w.importErr("web", ImportOptions{}); err != nil {
		t.Fatalf("import after the failures: %v", err)
	}
}

func needXZ(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("xz"); err != nil {
		t.Fatalf("export -c lzma needs the xz program, which is not in PATH: %v", err)
	}
}

func TestExportImportLZMA(t *testing.T) {
	needXZ(t)
	w := newImageWorld(t)
	w.jail("tank/iocage/jails/web", nil)
	jailDir := w.f.MountPath("tank/iocage/jails/web")
	before := snapshotTree(t, jailDir)
	names := w.names()
	archive := w.export("web", ExportOptions{Compression: FormatLZMA})
	if archive != filepath.Join(w.images(), "web_2023-11-23.tar.xz") || !strings.Contains(w.out.String(), "\nPreparing compressed file: "+archive+".\n") {
		t.Fatalf("archive %s, said %q", archive, w.out.String())
	}
	sum, _ := os.ReadFile(filepath.Join(w.images(), "web_2023-11-23.sha256"))
	if string(sum) != fileSum(t, archive) || w.names() != names {
		t.Fatalf("sha256 %q; datasets %s", sum, w.names())
	}
	// Each stream is sent once to size it and once into the archive.
	if n := w.f.Calls("send"); n != 6 {
		t.Fatalf("%d sends", n)
	}
	out, err := exec.Command("sh", "-c", "xz -dc < '"+archive+"' | tar -tvf -").CombinedOutput()
	if err != nil {
		t.Fatalf("tar -t: %v %s", err, out)
	}
	prefix := strings.TrimPrefix(w.images(), "/") + "/web_2023-11-23"
	for _, m := range []string{prefix + "\n", prefix + "_data\n", prefix + "_root\n"} {
		if !strings.Contains(string(out), " "+m) {
			t.Fatalf("tar lists:\n%s\nwithout %s", out, m)
		}
	}
	w.destroy("tank/iocage/jails/web")
	if err := w.importErr("web", ImportOptions{Compression: FormatLZMA}); err != nil {
		t.Fatalf("import: %v", err)
	}
	sameTree(t, "jail imported from tar.xz", before, snapshotTree(t, jailDir))
	if w.names() != names {
		t.Fatalf("datasets after import:\n%s", w.names())
	}

	w.destroy("tank/iocage/jails/web")
	good, _ := os.ReadFile(archive)
	bad := append([]byte(nil), good...)
	bad[len(bad)/2] ^= 1
	if err := os.WriteFile(archive, bad, 0o600); err != nil {
		t.Fatal(err)
	}
	refusedImport(t, w, ImportOptions{}, "does not match its checksum")
	names = w.names()
	if err := w.importErr("web", ImportOptions{NoVerify: true}); err == nil || w.names() != names {
		t.Fatalf("damaged tar.xz unverified: %v\n%s", err, w.names())
	}
}

// bigZFS sends size zero bytes for one snapshot and checks them on
// receive, so a member over 4 GiB crosses the archive without a disk.
type bigZFS struct {
	*zfs.Fake
	snap, target string
	size         int64
	got          *int64
}

var zeros = make([]byte, 1<<20)

func (b bigZFS) Send(ctx context.Context, snap string, w io.Writer) error {
	if snap != b.snap {
		return b.Fake.Send(ctx, snap, w)
	}
	for left := b.size; left > 0; {
		n := int64(len(zeros))
		if left < n {
			n = left
		}
		if _, err := w.Write(zeros[:n]); err != nil {
			return err
		}
		left -= n
	}
	return nil
}

func (b bigZFS) Receive(ctx context.Context, name string, r io.Reader, opts zfs.ReceiveOptions) error {
	if name != b.target {
		return b.Fake.Receive(ctx, name, r, opts)
	}
	buf := make([]byte, len(zeros))
	for {
		n, err := io.ReadFull(r, buf)
		if !bytes.Equal(buf[:n], zeros[:n]) {
			return errors.New("stream corrupted")
		}
		*b.got += int64(n)
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return err
		}
	}
	return b.Fake.Create(ctx, name, zfs.CreateOptions{})
}

// A stream of 4 GiB and more makes a zip64 member that reads back whole.
func TestExportZip64(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 4 GiB through deflate twice; skipped with -short")
	}
	w := newImageWorld(t)
	w.jail("tank/iocage/jails/web", nil)
	var got int64
	size := int64(4<<30 + 12345)
	big := bigZFS{Fake: w.f, snap: "tank/iocage/jails/web/data@ioc-export-2023-11-23", target: "tank/iocage/jails/web/data", size: size, got: &got}
	w.h.ZFS = big
	archive := w.export("web", ExportOptions{})
	zr, err := zip.OpenReader(archive)
	if err != nil {
		t.Fatal(err)
	}
	var data *zip.File
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, "_data") {
			data = f
		}
	}
	if data == nil || data.UncompressedSize64 != uint64(size) || data.UncompressedSize != 0xffffffff || data.ReaderVersion != 45 {
		t.Fatalf("zip64 member: %+v", data)
	}
	zr.Close()
	w.destroy("tank/iocage/jails/web")
	if err := w.importErr("web", ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	if got != size {
		t.Fatalf("received %d bytes of %d", got, size)
	}
}

// Progress sees every byte of every stream, with sizes.
func TestImageProgress(t *testing.T) {
	w := newImageWorld(t)
	w.jail("tank/iocage/jails/web", nil)
	var log []string
	var total int64
	prog := func(desc string, size int64) io.WriteCloser {
		log = append(log, fmt.Sprintf("%s %v", desc, size > 0))
		return &progressProbe{n: &total}
	}
	w.export("web", ExportOptions{Progress: prog})
	// Each stream's total is zfs send -nvP's estimate (zfs.SendSizer).
	if strings.Join(log, ",") != "tank/iocage/jails/web true,tank/iocage/jails/web/data true,tank/iocage/jails/web/root true" || total == 0 {
		t.Fatalf("export progress %v %d", log, total)
	}
	sent := total
	log, total = nil, 0
	w.destroy("tank/iocage/jails/web")
	if err := w.importErr("web", ImportOptions{Progress: prog}); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(filepath.Join(w.images(), "web_2023-11-23.zip"))
	if strings.Join(log, ",") != "Verifying web_2023-11-23.zip true,web true,web/data true,web/root true" || total != sent+fi.Size() {
		t.Fatalf("import progress %v %d (sent %d + %d)", log, total, sent, fi.Size())
	}
}

type progressProbe struct{ n *int64 }

func (p *progressProbe) Write(b []byte) (int, error) { *p.n += int64(len(b)); return len(b), nil }
func (p *progressProbe) Close() error                { return nil }

func TestXZCmds(t *testing.T) {
	if got := XZCompressCmd(nil, nil).Argv(); strings.Join(got, " ") != "xz -z -c" {
		t.Fatalf("compress %q", got)
	}
	if got := XZDecompressCmd(nil, nil).Argv(); strings.Join(got, " ") != "xz -d -c" {
		t.Fatalf("decompress %q", got)
	}
}
