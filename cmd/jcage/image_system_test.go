package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"

	"github.com/jcage/jcage/internal/testworld/world"
)

// pythonSkipEnv skips the check that Python's zipfile (iocage's reader)
// reads jcage's archive, on a machine without python3.
const pythonSkipEnv = "JCAGE_SKIP_PYTHON"

// Export and import on real ZFS with the real binary: iocage's messages,
// member names and checksum file; an identical tree and config after
// export, destroy and import, in both formats; a tampered archive and a
// zip-slip member refused with nothing created.
func TestSystemExportImport(t *testing.T) {
	w := world.New(t)
	w.Must("activate", w.Pool.Name)
	w.LayRelease("14.3-RELEASE")
	pool := w.Pool.Name
	w.Must("create", "-r", "14.3-RELEASE", "-n", "web")
	w.ZFS("create", pool+"/iocage/jails/web/data")
	jailDir := filepath.Join(w.IOCRoot(), "jails/web")
	layFiles(t, jailDir)
	before := treeOf(t, jailDir)
	cfg, _ := os.ReadFile(filepath.Join(jailDir, "config.json"))
	datasets := w.Datasets()

	out := w.Must("export", "web")
	images := filepath.Join(w.IOCRoot(), "images")
	m, _ := filepath.Glob(filepath.Join(images, "web_*.zip"))
	if len(m) != 1 {
		t.Fatalf("images/: %v", m)
	}
	archive := m[0]
	base := strings.TrimSuffix(filepath.Base(archive), ".zip")
	want := fmt.Sprintf("Exporting dataset: %[1]s/iocage/jails/web\nExporting dataset: %[1]s/iocage/jails/web/data\n"+
		"Exporting dataset: %[1]s/iocage/jails/web/root\n\nPreparing compressed file: %[2]s.\n\nExported: %[2]s\n", pool, archive)
	if out != want {
		t.Fatalf("export said:\n%s\nwant:\n%s", out, want)
	}
	sum, _ := os.ReadFile(filepath.Join(images, base+".sha256"))
	if string(sum) != sha256File(t, archive) {
		t.Fatalf("%s.sha256 holds %q, the archive's sha256 is %s", base, sum, sha256File(t, archive))
	}
	prefix := strings.TrimPrefix(images, "/") + "/" + base
	if got := zipMembers(t, archive); got != prefix+"\n"+prefix+"_data\n"+prefix+"_root" {
		t.Fatalf("members:\n%s", got)
	}
	if got := w.Datasets(); got != datasets {
		t.Fatalf("export left datasets or snapshots:\n%s", got)
	}
	checkWithPython(t, archive)

	w.Must("destroy", "-f", "web")
	out = w.Must("import", "web")
	if out != "Importing dataset: web\nImporting dataset: web/data\nImporting dataset: web/root\n\nImported: web\n" {
		t.Fatalf("import said %q", out)
	}
	sameFiles(t, "after export, destroy and import", before, treeOf(t, jailDir))
	if got, _ := os.ReadFile(filepath.Join(jailDir, "config.json")); string(got) != string(cfg) {
		t.Fatalf("config.json:\n%s\nwant:\n%s", got, cfg)
	}
	if got := jailDatasets(w.Datasets()); got != jailDatasets(datasets) {
		t.Fatalf("jail datasets after import:\n%s\nwant:\n%s", got, jailDatasets(datasets))
	}
	if origin := w.ZFS("get", "-H", "-o", "value", "origin", pool+"/iocage/jails/web/root"); origin != "-\n" {
		t.Fatalf("imported root is a clone of %s", origin)
	}
	if r := w.Jcage("list", "-h"); !strings.Contains(r.Stdout, "\tweb\tdown\t") {
		t.Fatalf("list after import: %+v", r)
	}

	// The same through tar.xz.
	w.Must("export", "-c", "lzma", "web")
	checkWithPython(t, strings.TrimSuffix(archive, ".zip")+".tar.xz")
	w.Must("destroy", "-f", "web")
	w.Must("import", "-c", "lzma", "web")
	sameFiles(t, "after a tar.xz round trip", before, treeOf(t, jailDir))

	// A tampered archive, with a checksum file that no longer matches, and
	// an archive whose member climbs out of images/, with a good checksum.
	// Neither creates anything.
	evil := filepath.Join(images, "evil_"+strings.TrimPrefix(base, "web_"))
	b, err := os.ReadFile(archive)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0x40
	writeArchive(t, evil+".zip", b, string(sum))
	slip := filepath.Join(images, "slip_"+strings.TrimPrefix(base, "web_"))
	outside := filepath.Join(t.TempDir(), "escaped")
	writeArchive(t, slip+".zip", slipZip(t, filepath.Base(slip), outside), "")
	datasets = w.Datasets()
	for name, msg := range map[string]string{"evil": "does not match its checksum", "slip": "is not a local path"} {
		r := w.Jcage("import", name)
		if r.Code != 1 || !strings.Contains(r.Stderr, msg) || strings.Count(r.Stderr, "\n") != 1 || r.Stdout != "" {
			t.Fatalf("import %s: %+v", name, r)
		}
		if got := w.Datasets(); got != datasets {
			t.Fatalf("refused import %s changed the pool:\n%s", name, got)
		}
	}
	if _, err := os.Lstat(outside); !os.IsNotExist(err) {
		t.Fatalf("zip-slip member written outside: %v", err)
	}
}

// layFiles puts files the round trip must keep in the jail: modes, a
// setuid binary, a symlink, an empty directory, owners, and 2 MiB that do
// not compress.
func layFiles(t *testing.T, dir string) {
	t.Helper()
	random := make([]byte, 2<<20)
	if _, err := rand.Read(random); err != nil {
		t.Fatal(err)
	}
	for p, f := range map[string]struct {
		body string
		mode os.FileMode
	}{
		"root/etc/rc.conf":       {"sshd_enable=\"YES\"\n", 0o644},
		"root/etc/master.passwd": {"root:*:0:0::0:0:Charlie &:/root:/bin/sh\n", 0o600},
		"root/usr/bin/su":        {"\x7fELF su", 0o4555},
		"root/var/db/blob":       {string(random), 0o640},
		"data/db/table":          {"rows", 0o600},
	} {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(f.body), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(full, f.mode); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chown(filepath.Join(dir, "data/db/table"), 70, 70); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../../bin/sh", filepath.Join(dir, "root/usr/bin/sh")); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "root/var/empty"), 0o555); err != nil {
		t.Fatal(err)
	}
}

// treeOf describes every entry below dir: mode, owner, and content or
// link target.
func treeOf(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		st := fi.Sys().(*syscall.Stat_t)
		desc := fmt.Sprintf("%v %d:%d", fi.Mode(), st.Uid, st.Gid)
		switch {
		case fi.Mode()&os.ModeSymlink != 0:
			l, _ := os.Readlink(p)
			desc += " -> " + l
		case fi.Mode().IsRegular():
			desc += " " + sha256File(t, p) + " " + fi.ModTime().UTC().String()
		}
		out[rel] = desc
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameFiles(t *testing.T, what string, want, got map[string]string) {
	t.Helper()
	var diff []string
	for k, v := range want {
		if got[k] != v {
			diff = append(diff, fmt.Sprintf("%s: %q, want %q", k, got[k], v))
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			diff = append(diff, k+": unexpected")
		}
	}
	sort.Strings(diff)
	if len(diff) > 0 {
		t.Fatalf("files %s:\n%s", what, strings.Join(diff, "\n"))
	}
}

func sha256File(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func zipMembers(t *testing.T, p string) string {
	t.Helper()
	zr, err := zip.OpenReader(p)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	return strings.Join(names, "\n")
}

// jailDatasets keeps the lines about POOL/iocage/jails/web.
func jailDatasets(list string) string {
	var out []string
	for _, l := range strings.Split(list, "\n") {
		if strings.Contains(l, "/iocage/jails/web") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// writeArchive writes an archive and its checksum file; sum "" means the
// archive's true sha256.
func writeArchive(t *testing.T, p string, b []byte, sum string) {
	t.Helper()
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if sum == "" {
		sum = sha256File(t, p)
	}
	if err := os.WriteFile(strings.TrimSuffix(p, ".zip")+".sha256", []byte(sum), 0o644); err != nil {
		t.Fatal(err)
	}
}

// slipZip is an archive whose root member climbs out to outside.
func slipZip(t *testing.T, base, outside string) []byte {
	t.Helper()
	var buf strings.Builder
	zw := zip.NewWriter(&buf)
	for _, name := range []string{"iocage/images/" + base, "../../../../../../.." + outside + "/" + base + "_root"} {
		fw, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write([]byte("not a stream"))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return []byte(buf.String())
}

// checkWithPython reads the archive as iocage's import does (zipfile or
// tarfile, each member read in chunks) and compares every member with
// what Go reads.
func checkWithPython(t *testing.T, archive string) {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		if os.Getenv(pythonSkipEnv) == "1" {
			return
		}
		t.Fatalf("python3 is needed to check that iocage's zipfile and tarfile read the archive; set %s=1 to skip", pythonSkipEnv)
	}
	script := `import hashlib, sys, tarfile, zipfile
def digest(m):
    h = hashlib.sha256()
    data = m.read(10 * 1024 * 1024)
    while data:
        h.update(data)
        data = m.read(10 * 1024 * 1024)
    return h.hexdigest()
if sys.argv[1].endswith('.zip'):
    with zipfile.ZipFile(sys.argv[1], 'r') as f:
        for name in f.namelist():
            with f.open(name) as m:
                print(name, digest(m))
else:
    with tarfile.open(sys.argv[1], 'r:xz') as f:
        for member in f.getmembers():
            with f.extractfile(member) as m:
                print(member.name, digest(m))
`
	out, err := exec.Command(py, "-c", script, archive).CombinedOutput()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	var want strings.Builder
	member := func(name string, r io.Reader) {
		h := sha256.New()
		if _, err := io.Copy(h, r); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&want, "%s %x\n", name, h.Sum(nil))
	}
	if strings.HasSuffix(archive, ".zip") {
		zr, err := zip.OpenReader(archive)
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		for _, f := range zr.File {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			member(f.Name, rc)
			rc.Close()
		}
	} else {
		xz := exec.Command("xz", "-dc", archive)
		raw, err := xz.Output()
		if err != nil {
			t.Fatal(err)
		}
		tr := tar.NewReader(bytes.NewReader(raw))
		for {
			hdr, err := tr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			member(hdr.Name, tr)
		}
	}
	if string(out) != want.String() {
		t.Fatalf("python reads:\n%s\nGo reads:\n%s", out, want.String())
	}
}
