package pool

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// sweep runs world-up.sh --sweep-only over dir with a prefix of its own
// and stub zfs tools that know no pools, so that nothing outside dir is
// touched.
func sweep(t *testing.T, dir, prefix string) (string, error) {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	script := filepath.Join(filepath.Dir(file), "..", "world-up.sh")
	stub := filepath.Join(t.TempDir(), "zfs-stub")
	if err := os.WriteFile(stub, []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", script, "--sweep-only")
	cmd.Env = append(os.Environ(), "JCAGE_POOL_PREFIX="+prefix, "JCAGE_POOL_DIR="+dir, "JCAGE_REAL_ZPOOL="+stub, "JCAGE_REAL_ZFS="+stub)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// A leftover mountpoint directory that holds only empty directories (the
// mountpoints of a dead pool's datasets) is swept; one that holds a file
// is left for a person to look at.
func TestSweepEmptyMountpointTree(t *testing.T) {
	dir := t.TempDir()
	prefix := "jcagetestsweep" + strings.ToLower(strings.ReplaceAll(t.Name(), "/", ""))
	empty := filepath.Join(dir, "mnt", prefix+"a")
	if err := os.MkdirAll(filepath.Join(empty, "iocage", "jails", "web", "root"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(empty, "iocage", "releases"), 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := sweep(t, dir, prefix); err != nil {
		t.Fatalf("sweep refused a tree of empty directories: %v\n%s", err, out)
	}
	if _, err := os.Stat(empty); !os.IsNotExist(err) {
		t.Fatalf("%s left: %v", empty, err)
	}

	full := filepath.Join(dir, "mnt", prefix+"b")
	keep := filepath.Join(full, "iocage", "jails", "web", "config.json")
	if err := os.MkdirAll(filepath.Dir(keep), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(full, "iocage", "releases"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keep, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := sweep(t, dir, prefix)
	if err == nil || !strings.Contains(out, "is not empty") {
		t.Fatalf("swept a directory with a file: %v\n%s", err, out)
	}
	if _, err := os.Stat(keep); err != nil {
		t.Fatalf("the file went: %v", err)
	}
}
