package fbsdsim

import (
	"path/filepath"
	"testing"
)

func TestFreebsdVersion(t *testing.T) {
	h := ulNewHarness(t)
	h.run("freebsd-version", "").want(t, 0, "14.3-RELEASE\n", "")
	h.env["JCAGE_SIM_HOST_RELEASE"] = "14.1-RELEASE-p6"
	h.run("freebsd-version", "", "-u").want(t, 0, "14.1-RELEASE-p6\n", "")

	// The host userland comes from JCAGE_SIM_ROOT/bin/freebsd-version.
	host := t.TempDir()
	h.env["JCAGE_SIM_ROOT"] = host
	ulWriteFile(t, filepath.Join(host, "bin/freebsd-version"), "USERLAND_VERSION=\"14.1-RELEASE-p3\"\n")
	// Output order is k, r, u, jails whatever the flag order.
	r := h.run("freebsd-version", "", "-u", "-r", "-k")
	if r.code != 0 || r.stdout != "14.1-RELEASE-p6\n14.1-RELEASE-p6\n14.1-RELEASE-p3\n" {
		t.Fatalf("%+v", r)
	}

	jroot := t.TempDir()
	ulWriteFile(t, filepath.Join(jroot, "bin/freebsd-version"), "#!/bin/sh\nUSERLAND_VERSION=\"13.2-RELEASE-p4\"\n")
	h.addJail("db", 2, jroot)
	h.run("freebsd-version", "", "-j", "db", "-j", "2").want(t, 0, "13.2-RELEASE-p4\n13.2-RELEASE-p4\n", "")
	h.run("freebsd-version", "", "-j", "nosuch").want(t, 1, "", "jexec: jail \"nosuch\" not found\n")
	h.run("freebsd-version", "", "-u", "-j", "9").want(t, 1, "14.1-RELEASE-p3\n", "jexec: jail 9 not found\n")
	h.addJail("empty", 3, t.TempDir())
	h.run("freebsd-version", "", "-j", "empty").want(t, 1, "", "jexec: execvp: freebsd-version: No such file or directory\n")
}

func TestFreebsdVersionKernel(t *testing.T) {
	h := ulNewHarness(t)
	root := t.TempDir()
	h.env["ROOT"] = root
	h.run("freebsd-version", "", "-k").want(t, 1, "", "freebsd-version: unable to locate kernel\n")
	ulWriteFile(t, filepath.Join(root, "boot/kernel/kernel"), "\x7fELF junk @(#)FreeBSD 14.2-RELEASE-p1 #0 releng/14.2: GENERIC\n")
	h.run("freebsd-version", "", "-k").want(t, 0, "14.2-RELEASE-p1\n", "")
	// loader.conf can name another kernel.
	ulWriteFile(t, filepath.Join(root, "boot/loader.conf"), "kernel=\"kernel.custom\"\n")
	h.run("freebsd-version", "", "-k").want(t, 1, "", "unable to locate kernel")
}

func TestFreebsdVersionRefusals(t *testing.T) {
	h := ulNewHarness(t)
	usage := "usage: freebsd-version [-kru] [-j jail]\n"
	h.run("freebsd-version", "", "-x").want(t, 1, "", "Illegal option -x\n"+usage)
	h.run("freebsd-version", "", "-u", "extra").want(t, 1, "", usage)
	h.run("freebsd-version", "", "-j").want(t, 1, "", "No arg for -j option\n"+usage)
	h.run("freebsd-version", "", "-j", "").want(t, 1, "", "No arg for -j option\n"+usage)
	if r := h.run("freebsd-version", "", "-x"); r.stdout != "" {
		t.Fatalf("usage went to stdout: %q", r.stdout)
	}
}
