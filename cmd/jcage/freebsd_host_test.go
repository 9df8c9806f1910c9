//go:build freebsd_host && freebsd

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The FreeBSD tier runs the real binary with the real jail(8), jexec,
// mount_nullfs, devfs and OpenZFS on a scratch pool. It needs:
//
//	JCAGE_FREEBSD_POOL     a scratch pool the test may activate and fill
//	JCAGE_FREEBSD_RELEASE  the release to fetch, e.g. 14.3-RELEASE
//	JCAGE_FREEBSD_DIST     a directory holding RELEASE/base.txz (and
//	                       MANIFEST), as fetched from a FreeBSD mirror
//
// See the README ("The FreeBSD host tier") for a run on a FreeBSD 14 VM.
func TestFreeBSDHostMainJob(t *testing.T) {
	pool := need(t, "JCAGE_FREEBSD_POOL")
	rel := need(t, "JCAGE_FREEBSD_RELEASE")
	dist := need(t, "JCAGE_FREEBSD_DIST")
	if os.Geteuid() != 0 {
		t.Fatal("the FreeBSD tier needs root")
	}
	if _, err := os.Stat(filepath.Join(dist, rel, "base.txz")); err != nil {
		t.Fatalf("JCAGE_FREEBSD_DIST: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "jcage")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...)
		// cron's PATH: jcage must find jail(8) and zfs(8) on its own.
		cmd.Env = append(os.Environ(), "JCAGE_POOL="+pool, "PATH=/usr/bin:/bin")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("jcage %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	listed := func(name, state string) {
		t.Helper()
		if got := run("list", "-h"); !strings.Contains(got, "\t"+name+"\t"+state+"\t") {
			t.Fatalf("list: want %s %s in\n%s", name, state, got)
		}
	}

	run("activate", pool)
	run("fetch", "-f", "-d", dist, "-r", rel, "-F", "base.txz", "--noupdate")

	names := []string{"fbclone", "fbthin", "fbthick", "fbbase"}
	t.Cleanup(func() {
		for _, n := range names {
			exec.Command(bin, "stop", "-f", n).Run()
			exec.Command(bin, "destroy", "-f", n).Run()
		}
	})
	run("create", "-r", rel, "-n", "fbthin", "ip4_addr=lo0|127.0.1.1/32")
	run("create", "-r", rel, "-n", "fbthick", "-T")
	run("create", "-r", rel, "-n", "fbbase", "-b")
	for _, n := range []string{"fbthin", "fbthick", "fbbase"} {
		listed(n, "down")
	}

	run("start", "fbthin")
	listed("fbthin", "up")
	if out := run("exec", "fbthin", "hostname"); !strings.Contains(out, "fbthin") {
		t.Fatalf("exec hostname: %q", out)
	}
	run("exec", "fbthin", "touch", "/root/before")
	run("snapshot", "-n", "s1", "fbthin")
	run("exec", "fbthin", "rm", "/root/before")
	run("stop", "fbthin")
	listed("fbthin", "down")
	run("rollback", "-f", "-n", "s1", "fbthin")
	run("start", "fbthin")
	run("exec", "fbthin", "test", "-f", "/root/before")
	run("stop", "fbthin")

	run("start", "fbbase")
	run("exec", "fbbase", "test", "-x", "/bin/sh")
	run("stop", "fbbase")

	run("clone", "fbthin", "-n", "fbclone")
	listed("fbclone", "down")

	run("export", "fbthick")
	run("destroy", "-f", "fbthick")
	run("import", "fbthick")
	listed("fbthick", "down")
	run("start", "fbthick")
	run("stop", "fbthick")

	for _, n := range []string{"fbclone", "fbthin", "fbthick", "fbbase"} {
		run("destroy", "-f", n)
	}
	if got := run("list", "-h"); strings.Contains(got, "\tfb") {
		t.Fatalf("left after destroy:\n%s", got)
	}
}

func need(t *testing.T, key string) string {
	t.Helper()
	v := os.Getenv(key)
	if v == "" {
		t.Fatalf("set %s to run the FreeBSD tier (see the README)", key)
	}
	return v
}
