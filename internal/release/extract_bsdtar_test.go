package release

import (
	"archive/tar"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/jcage/jcage/internal/argv"
)

// FreeBSD's extraction flags (argv.TarExtract "freebsd") run against the real
// bsdtar (Debian's libarchive-tools, which the test world installs) on a
// tree with what a release holds: setuid and setgid programs, hard links,
// absolute and relative symbolic links, a sticky directory, numeric
// owners and file flags (schg is Linux's immutable flag, nodump its own).
func TestFreeBSDTarArgsWithBsdtar(t *testing.T) {
	bsdtar, err := exec.LookPath("bsdtar")
	if err != nil {
		t.Fatal("bsdtar not found: install libarchive-tools (internal/testworld/world-up.sh does)")
	}
	if os.Geteuid() != 0 {
		t.Fatal("restoring owners and file flags needs root")
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	add := func(h *tar.Header, body string) {
		t.Helper()
		h.Size = int64(len(body))
		if h.Typeflag != tar.TypeReg {
			h.Size = 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Size > 0 {
			tw.Write([]byte(body))
		}
	}
	dir := func(name string, mode int64) {
		add(&tar.Header{Typeflag: tar.TypeDir, Name: name, Mode: mode}, "")
	}
	flags := func(f string) map[string]string { return map[string]string{"SCHILY.fflags": f} }
	dir("./", 0o755)
	for _, d := range []string{"./bin/", "./usr/", "./usr/bin/", "./usr/libexec/", "./etc/", "./libexec/"} {
		dir(d, 0o755)
	}
	dir("./tmp/", 0o1777)
	add(&tar.Header{Typeflag: tar.TypeReg, Name: "./bin/test", Mode: 0o555}, "\x7fELF test")
	add(&tar.Header{Typeflag: tar.TypeLink, Name: "./bin/[", Linkname: "./bin/test", Mode: 0o555}, "")
	add(&tar.Header{Typeflag: tar.TypeReg, Name: "./usr/bin/su", Mode: 0o4555, PAXRecords: flags("schg")}, "\x7fELF su")
	add(&tar.Header{Typeflag: tar.TypeReg, Name: "./usr/bin/wall", Mode: 0o2555, Gid: 4}, "\x7fELF wall")
	add(&tar.Header{Typeflag: tar.TypeReg, Name: "./libexec/ld-elf.so.1", Mode: 0o555, PAXRecords: flags("nodump")}, "\x7fELF ld")
	add(&tar.Header{Typeflag: tar.TypeSymlink, Name: "./usr/libexec/ld-elf.so.1", Linkname: "/libexec/ld-elf.so.1", Mode: 0o777}, "")
	add(&tar.Header{Typeflag: tar.TypeSymlink, Name: "./etc/os-release", Linkname: "../var/run/os-release", Mode: 0o777}, "")
	add(&tar.Header{Typeflag: tar.TypeReg, Name: "./etc/owned", Mode: 0o640, Uid: 1001, Gid: 1001}, "x")
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}

	root := t.TempDir()
	// The immutable flag must come off before the directory can go.
	t.Cleanup(func() { exec.Command("chattr", "-R", "-i", root).Run() })
	args := argv.TarExtract("freebsd", root, true).Args
	cmd := exec.Command(bsdtar, args...)
	cmd.Stdin = &buf
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("bsdtar %s: %v\n%s", strings.Join(args, " "), err, out)
	}

	mode := func(p string) (os.FileMode, *syscall.Stat_t) {
		t.Helper()
		fi, err := os.Lstat(filepath.Join(root, p))
		if err != nil {
			t.Fatal(err)
		}
		return fi.Mode(), fi.Sys().(*syscall.Stat_t)
	}
	if m, _ := mode("usr/bin/su"); m&os.ModeSetuid == 0 || m.Perm() != 0o555 {
		t.Errorf("su: %v, want setuid r-xr-xr-x", m)
	}
	if m, st := mode("usr/bin/wall"); m&os.ModeSetgid == 0 || st.Gid != 4 {
		t.Errorf("wall: %v gid %d, want setgid gid 4", m, st.Gid)
	}
	if m, _ := mode("tmp"); m&os.ModeSticky == 0 || m.Perm() != 0o777 {
		t.Errorf("tmp: %v, want drwxrwxrwt", m)
	}
	if _, st := mode("etc/owned"); st.Uid != 1001 || st.Gid != 1001 {
		t.Errorf("owned: %d:%d, want 1001:1001 by number", st.Uid, st.Gid)
	}
	_, a := mode("bin/test")
	_, b := mode("bin/[")
	if a.Ino != b.Ino || a.Nlink != 2 {
		t.Errorf("bin/[ is not a hard link of bin/test (inodes %d %d, links %d)", a.Ino, b.Ino, a.Nlink)
	}
	for link, want := range map[string]string{"usr/libexec/ld-elf.so.1": "/libexec/ld-elf.so.1", "etc/os-release": "../var/run/os-release"} {
		if got, err := os.Readlink(filepath.Join(root, link)); err != nil || got != want {
			t.Errorf("%s -> %q (%v), want %q", link, got, err, want)
		}
	}
	out, err := exec.Command("lsattr", "-d", filepath.Join(root, "usr/bin/su"), filepath.Join(root, "libexec/ld-elf.so.1")).CombinedOutput()
	if err != nil {
		t.Fatalf("lsattr: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 2 || !strings.Contains(strings.Fields(lines[0])[0], "i") || !strings.Contains(strings.Fields(lines[1])[0], "d") {
		t.Errorf("file flags not restored (schg as immutable, nodump as d):\n%s", out)
	}
}
