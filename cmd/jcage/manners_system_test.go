package main

import (
	"bytes"
	"os"
	"os/exec"
	"testing"

	"github.com/jcage/jcage/internal/testworld/pool"
	"github.com/jcage/jcage/internal/testworld/testbin"
)

// The real binary on real ZFS with JCAGE_POOL naming no pool: one message
// from every command, not zfs's own.
func TestSystemPinnedPoolMissing(t *testing.T) {
	pool.Require(t)
	bin, err := testbin.Get()
	if err != nil {
		t.Fatalf("test binaries: %v", err)
	}
	want := "ZFS pool 'jcagetestnosuchpool' not found! (JCAGE_POOL)\n"
	for _, args := range [][]string{
		{"list"}, {"get", "boot", "www1"}, {"df"}, {"snaplist", "www1"}, {"create", "-n", "a", "-r", "14.3-RELEASE"},
		{"start", "www1"}, {"set", "boot=on", "www1"}, {"fetch", "-r", "14.3-RELEASE"}, {"fstab", "-l", "www1"},
	} {
		cmd := exec.Command(bin.Jcage, args...)
		cmd.Env = append(append(os.Environ(), bin.PathVars()...), "JCAGE_POOL=jcagetestnosuchpool", "JCAGE_RUN_DIR="+t.TempDir())
		var errb bytes.Buffer
		cmd.Stderr = &errb
		err := cmd.Run()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || errb.String() != want {
			t.Errorf("%v: %v %q, want exit 1 %q", args, err, errb.String(), want)
		}
	}
}
