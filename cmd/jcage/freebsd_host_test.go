//go:build freebsd_host && freebsd

package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// The FreeBSD tier runs the real binary against a real pool named by
// JCAGE_FREEBSD_POOL (it must be a scratch pool: the test activates it and
// creates and destroys a jail there) with the real jail(8) and friends.
func TestFreeBSDHostLifecycle(t *testing.T) {
	pool := os.Getenv("JCAGE_FREEBSD_POOL")
	if pool == "" {
		t.Fatal("set JCAGE_FREEBSD_POOL to a scratch pool to run the FreeBSD tier")
	}
	if os.Geteuid() != 0 {
		t.Fatal("the FreeBSD tier needs root")
	}
	bin := t.TempDir() + "/jcage"
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), "JCAGE_POOL="+pool)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("jcage %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	run("activate", pool)
	run("create", "-e", "-n", "jcagefbsdtest")
	defer run("destroy", "-f", "jcagefbsdtest")
	if got := run("list", "-h"); !strings.Contains(got, "\tjcagefbsdtest\tdown\t") {
		t.Fatalf("list: %q", got)
	}
}
