package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func leftovers(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, ".*.tmp-*"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	for _, write := range []func(string, []byte, fs.FileMode) error{Write, WriteNoSync} {
		if err := os.WriteFile(p, []byte("old"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := write(p, []byte("new"), 0o644); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(p)
		fi, _ := os.Stat(p)
		if err != nil || string(b) != "new" || fi.Mode().Perm() != 0o644 {
			t.Fatalf("%q %v %v", b, fi.Mode(), err)
		}
	}
	if l := leftovers(t, dir); len(l) != 0 {
		t.Fatalf("temporary files left: %v", l)
	}
}

// A symlink at the target is replaced, not followed.
func TestWriteReplacesSymlink(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "f")
	if err := os.Symlink(victim, p); err != nil {
		t.Fatal(err)
	}
	if err := Write(p, []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(victim); string(b) != "keep" {
		t.Fatalf("followed the symlink: %q", b)
	}
	if fi, err := os.Lstat(p); err != nil || !fi.Mode().IsRegular() {
		t.Fatalf("%v %v", fi, err)
	}
}

// A failed write leaves the old file and no temporary file.
func TestWriteFails(t *testing.T) {
	dir := t.TempDir()
	if err := Write(filepath.Join(dir, "missing", "f"), []byte("x"), 0o644); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("%v", err)
	}
	// The target is a directory: the rename fails, the staged file goes.
	sub := filepath.Join(dir, "sub")
	if err := os.MkdirAll(filepath.Join(sub, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := Write(sub, []byte("x"), 0o644); err == nil {
		t.Fatal("replaced a directory")
	}
	if l := leftovers(t, dir); len(l) != 0 {
		t.Fatalf("temporary files left: %v", l)
	}
}

func TestCreate(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	if ok, err := Create(p, []byte("one"), 0o644); !ok || err != nil {
		t.Fatalf("%v %v", ok, err)
	}
	if ok, err := Create(p, []byte("two"), 0o644); ok || err != nil {
		t.Fatalf("%v %v", ok, err)
	}
	if b, _ := os.ReadFile(p); string(b) != "one" {
		t.Fatalf("%q", b)
	}
	if l := leftovers(t, dir); len(l) != 0 {
		t.Fatalf("temporary files left: %v", l)
	}
}

func TestStage(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	tmp, err := Stage(p, []byte("x"), 0o640)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(tmp)
	if err != nil || fi.Mode().Perm() != 0o640 || filepath.Dir(tmp) != dir {
		t.Fatalf("%v %v", fi, err)
	}
	if _, err := os.Stat(p); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("staging touched the target: %v", err)
	}
}
