package confine

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// hostile lays out a jail root whose etc is a symlink to a host directory
// and whose var/run/hosts is a symlink to a host file.
func hostile(t *testing.T) (root, host string) {
	t.Helper()
	dir := t.TempDir()
	root, host = filepath.Join(dir, "root"), filepath.Join(dir, "host")
	for _, d := range []string{root, host, filepath.Join(root, "var", "run"), filepath.Join(root, "usr")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(host, "hosts"), []byte("host's\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	must(t, os.Symlink(host, filepath.Join(root, "etc")))
	must(t, os.Symlink(filepath.Join(host, "hosts"), filepath.Join(root, "var", "run", "hosts")))
	must(t, os.Symlink("usr", filepath.Join(root, "inside"))) // stays inside, still refused
	return root, host
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func hostUnchanged(t *testing.T, host string) {
	t.Helper()
	ents, err := os.ReadDir(host)
	must(t, err)
	if len(ents) != 1 {
		t.Errorf("host directory now holds %d entries", len(ents))
	}
	if b, _ := os.ReadFile(filepath.Join(host, "hosts")); string(b) != "host's\n" {
		t.Errorf("host file changed: %q", b)
	}
}

func TestWriteRefusesSymlinkedParent(t *testing.T) {
	root, host := hostile(t)
	for _, rel := range []string{"etc/hosts", "etc/rc.conf", "/etc/new/file", "inside/x"} {
		err := WriteFile(root, rel, []byte("x"), 0o644)
		if !errors.Is(err, ErrSymlink) {
			t.Errorf("WriteFile %s: %v, want ErrSymlink", rel, err)
		}
	}
	hostUnchanged(t, host)
}

func TestWriteReplacesSymlinkAtTarget(t *testing.T) {
	root, host := hostile(t)
	must(t, WriteFile(root, "var/run/hosts", []byte("jail's\n"), 0o600))
	hostUnchanged(t, host)
	fi, err := os.Lstat(filepath.Join(root, "var/run/hosts"))
	must(t, err)
	if !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want a regular 0600 file", fi.Mode())
	}
	ents, _ := os.ReadDir(filepath.Join(root, "var/run"))
	if len(ents) != 1 {
		t.Errorf("temporary file left: %v", ents)
	}
}

func TestReadRefusesSymlinks(t *testing.T) {
	root, _ := hostile(t)
	for _, rel := range []string{"etc/hosts", "var/run/hosts"} {
		if _, err := ReadFile(root, rel); !errors.Is(err, ErrSymlink) {
			t.Errorf("ReadFile %s: %v, want ErrSymlink", rel, err)
		}
	}
	must(t, os.WriteFile(filepath.Join(root, "usr", "f"), []byte("ok"), 0o644))
	if b, err := ReadFile(root, "/usr/f"); err != nil || string(b) != "ok" {
		t.Errorf("ReadFile usr/f = %q, %v", b, err)
	}
}

func TestDotDotRefused(t *testing.T) {
	root, host := hostile(t)
	for _, rel := range []string{"../host/hosts", "usr/../../host/x", ".."} {
		if err := WriteFile(root, rel, []byte("x"), 0o644); !errors.Is(err, ErrOutside) {
			t.Errorf("WriteFile %s: %v, want ErrOutside", rel, err)
		}
		if _, err := CheckPath(root, rel, true); !errors.Is(err, ErrOutside) {
			t.Errorf("CheckPath %s: %v, want ErrOutside", rel, err)
		}
	}
	hostUnchanged(t, host)
}

func TestCheckPath(t *testing.T) {
	root, host := hostile(t)
	if _, err := CheckPath(root, "etc", false); !errors.Is(err, ErrSymlink) {
		t.Errorf("CheckPath etc: %v", err)
	}
	if _, err := CheckPath(root, "etc/sub", true); !errors.Is(err, ErrSymlink) {
		t.Errorf("CheckPath etc/sub: %v", err)
	}
	p, err := CheckPath(root, "dev", true)
	if err != nil || p != root+"/dev" {
		t.Errorf("CheckPath dev = %q, %v", p, err)
	}
	if fi, err := os.Lstat(p); err != nil || !fi.IsDir() {
		t.Errorf("dev not made: %v", err)
	}
	var ce *Error
	if _, err := CheckPath(root, "var/run/hosts", false); !errors.As(err, &ce) || ce.Path != root+"/var/run/hosts" {
		t.Errorf("CheckPath on a symlinked file: %v, want the path named", err)
	}
	hostUnchanged(t, host)
}

func TestRemoveAndLstat(t *testing.T) {
	root, host := hostile(t)
	fi, err := Lstat(root, "var/run/hosts")
	if err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("Lstat = %v, %v", fi, err)
	}
	must(t, Remove(root, "var/run/hosts"))
	must(t, Remove(root, "var/run/absent"))
	if err := Remove(root, "etc/hosts"); !errors.Is(err, ErrSymlink) {
		t.Errorf("Remove through a symlink: %v", err)
	}
	hostUnchanged(t, host)
}

func TestMkdirAll(t *testing.T) {
	root, host := hostile(t)
	must(t, MkdirAll(root, "a/b/c", 0o700))
	if fi, err := os.Stat(filepath.Join(root, "a/b/c")); err != nil || !fi.IsDir() {
		t.Fatal(err)
	}
	if err := MkdirAll(root, "etc/x", 0o755); !errors.Is(err, ErrSymlink) {
		t.Errorf("MkdirAll through a symlink: %v", err)
	}
	hostUnchanged(t, host)
}

func TestRemoveAllNeverFollows(t *testing.T) {
	root, host := hostile(t)
	must(t, os.MkdirAll(filepath.Join(root, "usr/bin/sub"), 0o755))
	must(t, os.WriteFile(filepath.Join(root, "usr/bin/sub/f"), nil, 0o644))
	must(t, os.Symlink(host, filepath.Join(root, "usr/bin/tohost")))
	must(t, RemoveAll(root, "usr/bin"))
	if _, err := os.Lstat(filepath.Join(root, "usr/bin")); !os.IsNotExist(err) {
		t.Errorf("usr/bin still there: %v", err)
	}
	if err := RemoveAll(root, "etc/hosts"); !errors.Is(err, ErrSymlink) {
		t.Errorf("RemoveAll through a symlinked parent: %v", err)
	}
	must(t, RemoveAll(root, "etc")) // the symlink itself goes
	must(t, RemoveAll(root, "absent/x"))
	hostUnchanged(t, host)
}

func TestCheckEscapes(t *testing.T) {
	root, host := hostile(t) // etc -> host directory
	err := CheckEscapes(root)
	var ce *Error
	if !errors.As(err, &ce) || ce.Path != filepath.Join(root, "etc") {
		t.Fatalf("CheckEscapes: %v, want etc named", err)
	}
	must(t, os.Remove(filepath.Join(root, "etc")))
	// A link to a host file (FreeBSD's own etc/termcap is one), a link
	// that stays inside and a dangling one are no escape.
	must(t, os.Symlink(filepath.Join(host, "hosts"), filepath.Join(root, "termcap")))
	must(t, os.Symlink("usr", filepath.Join(root, "home")))
	must(t, os.Symlink("/nonexistent/dir", filepath.Join(root, "dangling")))
	if err := CheckEscapes(root); err != nil {
		t.Fatalf("CheckEscapes on a clean tree: %v", err)
	}
	// A relative link that climbs out, deep in the tree.
	must(t, os.Symlink("../../host", filepath.Join(root, "usr", "climb")))
	if err := CheckEscapes(root); !errors.As(err, &ce) || ce.Path != filepath.Join(root, "usr", "climb") {
		t.Fatalf("CheckEscapes: %v, want usr/climb named", err)
	}
	// A chain: an inside link to a link that leaves.
	must(t, os.Remove(filepath.Join(root, "usr", "climb")))
	must(t, os.Symlink(host, filepath.Join(root, "var", "out")))
	must(t, os.Symlink("var/out", filepath.Join(root, "chain")))
	if err := CheckEscapes(root); err == nil {
		t.Fatal("CheckEscapes missed a link chain that leaves the root")
	}
}
