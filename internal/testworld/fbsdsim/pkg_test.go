package fbsdsim

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestPkgInJail(t *testing.T) {
	h := ulNewHarness(t)
	root := t.TempDir()
	h.addJail("web", 3, root)
	h.run("pkg", "", "-j", "nosuch", "info").want(t, 1, "", "pkg: jail \"nosuch\" not found\n")
	h.run("pkg", "", "-j", "7", "info").want(t, 1, "", "pkg: jail 7 not found\n")
	h.run("pkg", "", "-j", "web", "-N").want(t, 1, "", "pkg: package database non-existent\n")

	r := h.run("pkg", "", "-j", "web", "install", "-y", "nginx", "bash")
	r.want(t, 0, "Updating FreeBSD repository catalogue...\n", "")
	for _, frag := range []string{
		"New packages to be INSTALLED:\n\tnginx: 1.26.2_1,3\n\tbash: 5.2.37\n",
		"[web.example] [1/2] Installing nginx-1.26.2_1,3...\n",
		"[web.example] [2/2] Extracting bash-5.2.37: 100%\n",
	} {
		if !strings.Contains(r.stdout, frag) {
			t.Fatalf("install output lacks %q:\n%s", frag, r.stdout)
		}
	}
	got, err := PkgInstalled(h.state, root)
	if err != nil || !reflect.DeepEqual(got, []string{"bash", "nginx"}) {
		t.Fatalf("%v %v", got, err)
	}
	// -c on the same root sees the same database; the host's is separate.
	h.run("pkg", "", "-c", root, "info", "-e", "nginx").want(t, 0, "", "")
	h.run("pkg", "", "info", "-e", "nginx").want(t, 1, "", "")
	h.run("pkg", "", "-j", "web", "-N").want(t, 0, "", "pkg: 2 packages installed\n")
	h.run("pkg", "", "-j", "web", "install", "-y", "nginx").want(t, 0, "The most recent versions of packages are already installed\n", "")
	h.run("pkg", "", "-j", "web", "query", "%n %v").want(t, 0, "bash 5.2.37\nnginx 1.26.2_1,3\n", "")
	h.run("pkg", "", "-j", "web", "info").want(t, 0, "bash-5.2.37                    GNU Project's Bourne Again SHell\n", "")
	h.run("pkg", "", "-j", "web", "delete", "-y", "bash").want(t, 0, "[web.example] [1/1] Deinstalling bash-5.2.37...\n", "")
	h.run("pkg", "", "-j", "web", "delete", "-y", "bash").want(t, 1, "1 packages requested for removal: 0 locked, 1 missing\n", "No packages matched for pattern 'bash'")
	if got, _ := PkgInstalled(h.state, root); !reflect.DeepEqual(got, []string{"nginx"}) {
		t.Fatal(got)
	}
}

func TestPkgPromptsAndAvailability(t *testing.T) {
	h := ulNewHarness(t)
	root := t.TempDir()
	// Without -y, pkg asks; "n" (or no answer) installs nothing.
	h.run("pkg", "n\n", "-r", root, "install", "curl").want(t, 1, "Proceed with this action? [y/N]: ", "")
	if got, _ := PkgInstalled(h.state, root); len(got) != 0 {
		t.Fatal(got)
	}
	h.env["ASSUME_ALWAYS_YES"] = "yes"
	h.run("pkg", "", "-r", root, "install", "curl").want(t, 0, "Extracting curl-8.11.1_1: 100%\n", "")
	h.env["JCAGE_SIM_PKG_UNAVAILABLE"] = "nope"
	h.run("pkg", "", "-r", root, "install", "nope").want(t, 1, "", "pkg: No packages available to install matching 'nope' have been found in the repositories\n")
	h.env["JCAGE_SIM_PKG_CATALOG"] = "only=2.0"
	h.run("pkg", "", "-r", root, "install", "curl").want(t, 1, "", "matching 'curl'")
	h.run("pkg", "", "-r", root, "install", "only").want(t, 0, "\tonly: 2.0\n", "")
}

func TestPkgBootstrap(t *testing.T) {
	h := ulNewHarness(t)
	root := t.TempDir()
	h.addJail("db", 2, root)
	h.run("pkg", "", "-j", "db", "bootstrap").want(t, 0, "pkg(8) already installed, use -f to force.\n", "")
	h.run("pkg", "", "-j", "db", "bootstrap", "-f").want(t, 1, "", "pkg: pkg(7) bootstrapper not found at /usr/sbin/pkg.\n")
	ulWriteFile(t, filepath.Join(root, "usr/sbin/pkg"), "")
	ulWriteFile(t, filepath.Join(root, "bin/freebsd-version"), "USERLAND_VERSION=\"13.4-RELEASE\"\n")
	h.run("pkg", "", "-j", "db", "bootstrap", "-f", "-y").want(t, 0,
		"Bootstrapping pkg from pkg+https://pkg.FreeBSD.org/FreeBSD:13:amd64/quarterly, please wait...\n", "")
	h.run("pkg", "", "-j", "db", "-N").want(t, 0, "", "pkg: 1 packages installed\n")
	// The host has pkg from the start.
	h.run("pkg", "", "-N").want(t, 0, "", "pkg: 1 packages installed\n")
}

func TestPkgRefusals(t *testing.T) {
	h := ulNewHarness(t)
	usageLine := "Usage: pkg [-v] [-d] [-l] [-N] [-j <jail name or id>|-c <chroot path>|-r <rootdir>] [-C <configuration file>] [-R <repo config dir>] [-o var=value] [-4|-6] <command> [<args>]\n"
	h.run("pkg", "").want(t, 1, "", "pkg: not enough arguments\n"+usageLine+"\nFor more information on available commands and options see 'pkg help'.\n")
	h.run("pkg", "", "-d").want(t, 1, "", "pkg: no commands specified\n"+usageLine)
	h.run("pkg", "", "-Z", "info").want(t, 1, "", "pkg: illegal option -- Z\npkg: Invalid argument provided\n")
	h.run("pkg", "", "--bogus", "info").want(t, 1, "", "pkg: unrecognized option `--bogus'\npkg: Invalid argument provided\n")
	dir := t.TempDir()
	h.run("pkg", "", "-j", "x", "-c", dir, "info").want(t, 1, "", "pkg: -j, -c and/or -r cannot be used at the same time!\n\n"+usageLine)
	h.run("pkg", "", "-c", filepath.Join(dir, "missing"), "info").want(t, 1, "", "pkg: chroot failed: No such file or directory\n")
	h.run("pkg", "", "-r", filepath.Join(dir, "missing"), "info").want(t, 1, "", "pkg: Invalid rootdir: No such file or directory\n")
	h.run("pkg", "", "frobnicate").want(t, 1, "", "pkg: unknown command: frobnicate\n")
	h.run("pkg", "", "in").want(t, 1, "", "pkg: unknown command: in\n") // ambiguous: info, install
	h.run("pkg", "", "install").want(t, 1, "", "Usage: pkg install")
	h.run("pkg", "", "shell").want(t, 70, "", "not simulated")
	if r := h.run("pkg", "", "--jail=nosuch", "info"); !strings.Contains(r.stderr, "jail \"nosuch\" not found") {
		t.Fatalf("%+v", r)
	}
}

func TestPkgMisc(t *testing.T) {
	h := ulNewHarness(t)
	h.run("pkg", "", "-v").want(t, 0, "1.21.3\n", "")
	h.run("pkg", "", "version", "-t", "1.2.10", "1.2.9").want(t, 0, ">\n", "")
	h.run("pkg", "", "version", "-t", "1.26.2_1,3", "1.26.2_1,3").want(t, 0, "=\n", "")
	h.run("pkg", "", "update").want(t, 0, "FreeBSD repository update completed.", "")
	h.run("pkg", "", "update").want(t, 0, "FreeBSD repository is up to date.\n", "")
	h.run("pkg", "", "upgrade", "-y").want(t, 0, "Your packages are up to date.\n", "")
	h.run("pkg", "", "clean", "-y").want(t, 0, "Nothing to do.\n", "")
	h.run("pkg", "", "audit", "-F").want(t, 0, "0 problem(s) in 1 installed package(s) found.\n", "")
	if _, err := os.Stat(filepath.Join(h.state, pkgStateFile)); err != nil {
		t.Fatal(err)
	}
}
