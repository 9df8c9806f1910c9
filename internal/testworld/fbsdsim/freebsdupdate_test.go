package fbsdsim

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const fuTestKey = "800651ef4b4c71c27e60786d7b487188970f4b4169cc055784e21eb71d410cc5"

// fuRoot makes a release root as jcage has it after fetching a release:
// freebsd-version, freebsd-update.conf and the work directory.
func fuRoot(t *testing.T, userland, components string) string {
	t.Helper()
	root := t.TempDir()
	ulWriteFile(t, filepath.Join(root, "bin/freebsd-version"),
		"#!/bin/sh\nset -ef\n\nUSERLAND_VERSION=\""+userland+"\"\n\necho $USERLAND_VERSION\n")
	ulWriteFile(t, filepath.Join(root, "etc/freebsd-update.conf"),
		"# $FreeBSD$\nKeyPrint "+fuTestKey+"\nServerName update.FreeBSD.org\nComponents "+components+"\nIgnorePaths\nIDSIgnorePaths /usr/share/man/cat\nUpdateIfUnmodified /etc/ /var/ /root/ /.cshrc /.profile\nMergeChanges /etc/\n")
	if err := os.MkdirAll(filepath.Join(root, "var/db/freebsd-update"), 0o755); err != nil {
		t.Fatal(err)
	}
	return root
}

// fuArgs is the argv iocage (and jcage) use for a release or jail root.
func fuArgs(root string, rest ...string) []string {
	return append([]string{"-b", root, "-d", root + "/var/db/freebsd-update/", "-f", root + "/etc/freebsd-update.conf"}, rest...)
}

func fuUserlandOf(t *testing.T, root string) string {
	t.Helper()
	v, err := ulUserland(root)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestFreebsdUpdateUsageExitsZero(t *testing.T) {
	h := ulNewHarness(t)
	root := fuRoot(t, "13.4-RELEASE", "world")
	for _, args := range [][]string{
		{},
		fuArgs(root, "-x", "fetch"),
		fuArgs(root, "updatesfrom"),
		fuArgs(root, "--currently-running"+" 13.4-RELEASE", "fetch"),
		fuArgs(root, "-b", "/other", "fetch"), // -b twice
		{"-f", "a", "-f", "b", "fetch"},
		{"fetch", "-r"},
	} {
		r := h.run("freebsd-update", "", args...)
		if r.code != 0 || !strings.HasPrefix(r.stdout, "usage: freebsd-update [options] command ...\n") || r.stderr != "" {
			t.Errorf("%q: status %d\n%s%s", args, r.code, r.stdout, r.stderr)
		}
	}
}

// iocage passes "--currently-running 13.4-RELEASE" as one argv element;
// the script does not know that word, prints its usage and does nothing.
func TestFreebsdUpdateCurrentlyRunningAsOneArgumentIsRefused(t *testing.T) {
	h := ulNewHarness(t)
	h.env["UNAME_r"] = "14.1-RELEASE"
	root := fuRoot(t, "13.4-RELEASE", "world")
	r := h.run("freebsd-update", "", fuArgs(root, "--not-running-from-cron", "--currently-running 13.4-RELEASE", "-r", "14.1-RELEASE", "upgrade")...)
	r.want(t, 0, "usage: freebsd-update [options] command ...", "")
	if strings.Contains(r.stdout, "Looking up") {
		t.Fatal("usage must stop before any work")
	}
	if entries, _ := os.ReadDir(filepath.Join(root, "var/db/freebsd-update")); len(entries) != 0 {
		t.Fatalf("work directory touched: %v", entries)
	}
	// Two elements work, and win over UNAME_r.
	r = h.run("freebsd-update", "", fuArgs(root, "--not-running-from-cron", "--currently-running", "13.4", "fetch")...)
	r.want(t, 0, "Fetching metadata signature for 13.4-RELEASE from update1.freebsd.org... done.\n", "")
	// A trailing --currently-running makes sh's shift fail.
	r = h.run("freebsd-update", "", fuArgs(root, "fetch", "--currently-running")...)
	r.want(t, 2, "", "shift: can't shift that many")
}

func TestFreebsdUpdateFetchNeedsATerminal(t *testing.T) {
	h := ulNewHarness(t)
	root := fuRoot(t, "13.4-RELEASE", "world")
	h.run("freebsd-update", "", fuArgs(root, "fetch")...).want(t, 1,
		"freebsd-update fetch should not be run non-interactively.\nRun freebsd-update cron instead.\n", "")
	h.env["JCAGE_SIM_TTY"] = "1"
	h.env["UNAME_r"] = "13.4-RELEASE"
	h.run("freebsd-update", "", fuArgs(root, "fetch")...).want(t, 0, "13.4-RELEASE-p2:\n/bin/freebsd-version\n", "")
}

func TestFreebsdUpdateFetchInstallBumpsPatchLevel(t *testing.T) {
	h := ulNewHarness(t)
	h.env["UNAME_r"] = "13.4-RELEASE"
	h.env["PAGER"] = "/bin/cat"
	h.env["JCAGE_SIM_PATCHLEVEL"] = "1"
	root := fuRoot(t, "13.4-RELEASE", "src world kernel")
	fetch := fuArgs(root, "--not-running-from-cron", "fetch")
	install := fuArgs(root, "install")

	r := h.run("freebsd-update", "", fetch...)
	r.want(t, 0, "", "")
	want := "src component not installed, skipped\n" +
		"Looking up update.FreeBSD.org mirrors... 2 mirrors found.\n" +
		"Fetching public key from update1.freebsd.org... done.\n" +
		"Fetching metadata signature for 13.4-RELEASE from update1.freebsd.org... done.\n" +
		"Fetching metadata index... done.\n" +
		"Fetching 2 metadata files... done.\n" +
		"Inspecting system... done.\n" +
		"Preparing to download files... done.\n" +
		"Fetching 1 patches. done.\n" +
		"Applying patches... done.\n" +
		"The following files will be updated as part of updating to\n13.4-RELEASE-p1:\n/bin/freebsd-version\n"
	if r.stdout != want {
		t.Fatalf("fetch output:\n%s\nwant:\n%s", r.stdout, want)
	}
	// The real install link, named after sha256(BASEDIR "\n").
	link := filepath.Join(root, "var/db/freebsd-update", ulSHA256(root+"\n")+"-install")
	if _, err := os.Lstat(link); err != nil {
		t.Fatal(err)
	}
	h.run("freebsd-update", "", fuArgs(root, "updatesready")...).want(t, 0, "There are updates available to install.\n", "")
	h.run("freebsd-update", "", install...).want(t, 0, "src component not installed, skipped\nInstalling updates... done.\n", "")
	if v := fuUserlandOf(t, root); v != "13.4-RELEASE-p1" {
		t.Fatalf("after first update: %s", v)
	}

	// A new advisory: iocage strips -pN from UNAME_r, as jcage should.
	h.env["JCAGE_SIM_PATCHLEVEL"] = "2"
	h.run("freebsd-update", "", fetch...).want(t, 0, "Fetching 1 metadata patches. done.\nApplying metadata patches... done.\n", "")
	h.run("freebsd-update", "", install...).want(t, 0, "Installing updates... done.\n", "")
	if v := fuUserlandOf(t, root); v != "13.4-RELEASE-p2" {
		t.Fatalf("after second update: %s", v)
	}

	// Up to date now: nothing to fetch, and install exits 2.
	h.run("freebsd-update", "", fetch...).want(t, 0, "\nNo updates needed to update system to 13.4-RELEASE-p2.\n", "")
	h.run("freebsd-update", "", install...).want(t, 2,
		"No updates are available to install.\nRun '/usr/sbin/freebsd-update fetch' first.\n", "")
	h.run("freebsd-update", "", fuArgs(root, "updatesready")...).want(t, 2, "No updates are available to install.\n", "")
	// In one invocation after a fetch, nothing to install is success.
	h.run("freebsd-update", "", fuArgs(root, "--not-running-from-cron", "fetch", "install")...).want(t, 0,
		"No updates needed to update system to 13.4-RELEASE-p2.\nNo updates are available to install.\n", "")
}

func TestFreebsdUpdateMirrorGoingBackIsRefused(t *testing.T) {
	h := ulNewHarness(t)
	h.env["UNAME_r"] = "13.4-RELEASE-p3"
	root := fuRoot(t, "13.4-RELEASE-p3", "world")
	h.run("freebsd-update", "", fuArgs(root, "--not-running-from-cron", "fetch")...).want(t, 1,
		"\nFiles on mirror (13.4-RELEASE-p2) appear older than what\nwe are currently running (13.4-RELEASE-p3)!\nCowardly refusing to proceed any further.\n", "")
}

func TestFreebsdUpdateInstallNothingPending(t *testing.T) {
	h := ulNewHarness(t)
	root := fuRoot(t, "13.4-RELEASE", "world")
	h.run("freebsd-update", "", fuArgs(root, "install")...).want(t, 2,
		"No updates are available to install.\nRun '/usr/sbin/freebsd-update fetch' first.\n", "")
	h.env["JCAGE_SIM_UID"] = "1001"
	h.run("freebsd-update", "", fuArgs(root, "install")...).want(t, 1, "You must be root to run this.\n", "")
}

// fuUpgradeLoop runs install until the -install link is gone, as iocage
// does, and returns each call's stdout.
func fuUpgradeLoop(t *testing.T, h *ulHarness, root string) []string {
	t.Helper()
	link := filepath.Join(root, "var/db/freebsd-update", ulSHA256(root+"\n")+"-install")
	var outs []string
	for i := 0; i < 10; i++ {
		if _, err := os.Lstat(link); err != nil {
			return outs
		}
		r := h.run("freebsd-update", "", fuArgs(root, "-r", "14.1-RELEASE", "install")...)
		if r.code != 0 {
			t.Fatalf("install %d: status %d\n%s%s", i+1, r.code, r.stdout, r.stderr)
		}
		outs = append(outs, r.stdout)
	}
	t.Fatal("install never finished")
	return nil
}

func TestFreebsdUpgradeWithKernelTakesThreeInstalls(t *testing.T) {
	h := ulNewHarness(t)
	h.env["JCAGE_SIM_PATCHLEVEL"] = "13.4-RELEASE=3,14.1-RELEASE=5"
	root := fuRoot(t, "13.4-RELEASE-p3", "world kernel")
	ulWriteFile(t, filepath.Join(root, "boot/kernel/kernel"), "ELF...@(#)FreeBSD 13.4-RELEASE-p3 #0 releng/13.4-n0: GENERIC\n")
	r := h.run("freebsd-update", "y\n", fuArgs(root, "--not-running-from-cron", "--currently-running", "13.4-RELEASE", "-r", "14.1-RELEASE", "upgrade")...)
	r.want(t, 0, "\nThe following components of FreeBSD seem to be installed:\nkernel/generic world/base\n\n"+
		"The following components of FreeBSD do not seem to be installed:\nkernel/generic-dbg world/base-dbg world/lib32 world/lib32-dbg\n\n", "")
	for _, frag := range []string{
		"Fetching metadata signature for 14.1-RELEASE from update1.freebsd.org... done.\n",
		"Fetching files from 13.4-RELEASE for merging... done.\n",
		"The following files will be updated as part of updating to\n14.1-RELEASE-p5:\n/bin/freebsd-version\n/boot/kernel/kernel\n",
		"To install the downloaded upgrades, run \"/usr/sbin/freebsd-update install\".\n",
	} {
		if !strings.Contains(r.stdout, frag) {
			t.Fatalf("upgrade output lacks %q:\n%s", frag, r.stdout)
		}
	}
	outs := fuUpgradeLoop(t, h, root)
	if len(outs) != 3 {
		t.Fatalf("%d installs, want 3: %q", len(outs), outs)
	}
	if !strings.Contains(outs[0], "Kernel updates have been installed.  Please reboot and run\n\"/usr/sbin/freebsd-update install\" again to finish installing updates.\n") {
		t.Fatalf("kernel stage: %q", outs[0])
	}
	if !strings.Contains(outs[1], "Completing this upgrade requires removing old shared object files.\n") {
		t.Fatalf("world stage: %q", outs[1])
	}
	if outs[2] != "Installing updates... done.\n" {
		t.Fatalf("cleanup stage: %q", outs[2])
	}
	if v := fuUserlandOf(t, root); v != "14.1-RELEASE-p5" {
		t.Fatalf("userland %s", v)
	}
	h.env["ROOT"] = root
	h.run("freebsd-version", "", "-k").want(t, 0, "14.1-RELEASE-p5\n", "")
	h.run("freebsd-update", "", fuArgs(root, "install")...).want(t, 2, "No updates are available to install.\n", "")
}

func TestFreebsdUpgradeJailRootMinorTakesOneInstall(t *testing.T) {
	h := ulNewHarness(t)
	root := fuRoot(t, "14.1-RELEASE-p2", "world")
	h.run("freebsd-update", "", fuArgs(root, "--not-running-from-cron", "--currently-running", "14.1-RELEASE", "-r", "14.2", "upgrade")...).want(t, 0, "14.2-RELEASE-p2:\n/bin/freebsd-version\n", "")
	outs := fuUpgradeLoop(t, h, root)
	if len(outs) != 1 || outs[0] != "Installing updates... done.\n" {
		t.Fatalf("installs: %q", outs)
	}
	if v := fuUserlandOf(t, root); v != "14.2-RELEASE-p2" {
		t.Fatalf("userland %s", v)
	}
}

func TestFreebsdUpgradeRefusals(t *testing.T) {
	h := ulNewHarness(t)
	h.env["UNAME_r"] = "13.4-RELEASE"
	root := fuRoot(t, "13.4-RELEASE", "world")
	args := func(rest ...string) []string {
		return fuArgs(root, append([]string{"--not-running-from-cron"}, rest...)...)
	}
	h.run("freebsd-update", "", args("upgrade")...).want(t, 1, "freebsd-update: Release target must be specified via -r option.\n", "")
	h.run("freebsd-update", "", args("-r", "13.4-RELEASE", "upgrade")...).want(t, 1, "freebsd-update: Cannot upgrade from 13.4-RELEASE to itself\n", "")
	h.run("freebsd-update", "", args("-r", "14.1-RELEASE", "fetch")...).want(t, 1,
		"freebsd-update: -r option is meaningless with 'fetch' command.  (Did you mean 'upgrade' instead?)\n", "")
	// Answering "n" to the components question stops the upgrade; the
	// prompt shows on a terminal only, as sh's read -p does.
	r := h.run("freebsd-update", "maybe\nn\n", args("-r", "14.1-RELEASE", "upgrade")...)
	r.want(t, 1, "world/base-dbg world/lib32 world/lib32-dbg\n\n", "")
	if strings.Contains(r.stdout, "To install") {
		t.Fatal("upgrade went on after \"n\"")
	}
	h.env["JCAGE_SIM_TTY"] = "1"
	h.run("freebsd-update", "n\n", args("-r", "14.1-RELEASE", "upgrade")...).want(t, 1, "", "Does this look reasonable (y/n)? ")
	delete(h.env, "JCAGE_SIM_TTY")
	if v := fuUserlandOf(t, root); v != "13.4-RELEASE" {
		t.Fatal(v)
	}
	h.run("freebsd-update", "", args("-r", "99.9-RELEASE", "upgrade")...).want(t, 1,
		"Fetching metadata signature for 99.9-RELEASE from update2.freebsd.org... failed.\nNo mirrors remaining, giving up.\n\n"+
			"This may be because upgrading from this platform (amd64)\nor release (99.9-RELEASE) is unsupported by freebsd-update.", "")
	h.env["UNAME_r"] = "14.0-CURRENT"
	h.run("freebsd-update", "", args("fetch")...).want(t, 1,
		"freebsd-update: Cannot upgrade from a version that is not a release\n(including alpha, beta and release candidates)\n", "")
}

func TestFreebsdUpdatePendingUpgradeBlocksFetch(t *testing.T) {
	h := ulNewHarness(t)
	h.env["UNAME_r"] = "13.4-RELEASE"
	root := fuRoot(t, "13.4-RELEASE", "world kernel")
	ulWriteFile(t, filepath.Join(root, "boot/kernel/kernel"), "@(#)FreeBSD 13.4-RELEASE #0: GENERIC\n")
	h.run("freebsd-update", "", fuArgs(root, "--not-running-from-cron", "-r", "14.1-RELEASE", "upgrade")...).want(t, 0, "", "")
	h.run("freebsd-update", "", fuArgs(root, "install")...).want(t, 0, "Kernel updates have been installed.", "")
	h.run("freebsd-update", "", fuArgs(root, "--not-running-from-cron", "fetch")...).want(t, 1,
		"You have a partially completed upgrade pending\nRun '/usr/sbin/freebsd-update install' first.\nRun '/usr/sbin/freebsd-update fetch -F' to proceed anyway.\n", "")
	h.run("freebsd-update", "", fuArgs(root, "--not-running-from-cron", "-F", "fetch")...).want(t, 0, "Inspecting system... done.\n", "")
}

func TestFreebsdUpdateEOLWarning(t *testing.T) {
	h := ulNewHarness(t)
	h.env["UNAME_r"] = "13.0-RELEASE"
	h.env["JCAGE_SIM_EOL"] = "1"
	root := fuRoot(t, "13.0-RELEASE", "world")
	r := h.run("freebsd-update", "", fuArgs(root, "--not-running-from-cron", "fetch")...)
	r.want(t, 1, "\nWARNING: FreeBSD 13.0-RELEASE HAS PASSED ITS END-OF-LIFE DATE.\nAny security issues discovered after Wed Aug 31 00:00:00 UTC 2022\nwill not have been corrected.\n", "")
	// The updates were staged before the warning, as in the real tool.
	h.run("freebsd-update", "", fuArgs(root, "install")...).want(t, 0, "Installing updates... done.\n", "")
	h.env["JCAGE_SIM_EOL"] = "soon"
	h.env["JCAGE_SIM_PATCHLEVEL"] = "3"
	h.run("freebsd-update", "", fuArgs(root, "--not-running-from-cron", "fetch")...).want(t, 0,
		"\nWARNING: FreeBSD 13.0-RELEASE is approaching its End-of-Life date.\n", "")
}

func TestFreebsdUpdateInjectedFailuresAndRollback(t *testing.T) {
	h := ulNewHarness(t)
	h.env["UNAME_r"] = "13.4-RELEASE"
	root := fuRoot(t, "13.4-RELEASE", "world")
	fetch := fuArgs(root, "--not-running-from-cron", "fetch")

	h.env["JCAGE_SIM_UPDATE_FAIL"] = "fetch"
	h.run("freebsd-update", "", fetch...).want(t, 1, "from update1.freebsd.org... failed.\n", "")

	h.env["JCAGE_SIM_UPDATE_FAIL"] = "install"
	h.run("freebsd-update", "", fetch...).want(t, 0, "13.4-RELEASE-p2:\n", "")
	r := h.run("freebsd-update", "", fuArgs(root, "install")...)
	r.want(t, 1, "Installing updates...", "install: "+root+"/bin/freebsd-version: Operation not permitted\n")
	if v := fuUserlandOf(t, root); v != "13.4-RELEASE" {
		t.Fatalf("failed install changed the userland: %s", v)
	}

	delete(h.env, "JCAGE_SIM_UPDATE_FAIL")
	h.run("freebsd-update", "", fuArgs(root, "install")...).want(t, 0, "Installing updates... done.\n", "")
	if v := fuUserlandOf(t, root); v != "13.4-RELEASE-p2" {
		t.Fatal(v)
	}
	h.env["JCAGE_SIM_UPDATE_FAIL"] = "rollback"
	h.run("freebsd-update", "", fuArgs(root, "rollback")...).want(t, 1, "Uninstalling updates...", "install: ")
	delete(h.env, "JCAGE_SIM_UPDATE_FAIL")
	h.run("freebsd-update", "", fuArgs(root, "rollback")...).want(t, 0, "Uninstalling updates... done.\n", "")
	if v := fuUserlandOf(t, root); v != "13.4-RELEASE" {
		t.Fatalf("after rollback: %s", v)
	}
	h.run("freebsd-update", "", fuArgs(root, "rollback")...).want(t, 1, "No rollback directory found.\n", "")
}

func TestFreebsdUpdateConfigAndChecks(t *testing.T) {
	h := ulNewHarness(t)
	root := fuRoot(t, "13.4-RELEASE", "world")
	h.run("freebsd-update", "", "-f", root+"/missing.conf", "fetch").want(t, 1, "File does not exist or is not readable: "+root+"/missing.conf\n", "")

	bad := filepath.Join(root, "bad.conf")
	ulWriteFile(t, bad, "ServerName update.FreeBSD.org\nServerName again\n")
	h.run("freebsd-update", "", "-b", root, "-f", bad, "fetch").want(t, 1, "Error processing configuration file, line 2:\n==> ServerName again\n", "")
	ulWriteFile(t, bad, "Bogus 1\n")
	h.run("freebsd-update", "", "-b", root, "-f", bad, "fetch").want(t, 1, "Error processing configuration file, line 1:\n==> Bogus 1\n", "config_Bogus: not found")

	nokey := filepath.Join(root, "nokey.conf")
	ulWriteFile(t, nokey, "ServerName update.FreeBSD.org\n")
	h.run("freebsd-update", "", "-b", root, "-d", root+"/var/db/freebsd-update", "-f", nokey, "--not-running-from-cron", "fetch").want(t, 1,
		"freebsd-update: Key must be given via -k option or configuration file.\n", "")
	// The command line wins over the file.
	h.run("freebsd-update", "", fuArgs(root, "-k", "short", "--not-running-from-cron", "fetch")...).want(t, 1, "freebsd-update: Invalid key fingerprint: short\n", "")
	h.run("freebsd-update", "", "-b", root, "-d", root+"/nowhere", "-f", root+"/etc/freebsd-update.conf", "--not-running-from-cron", "fetch").want(t, 1,
		"freebsd-update: Directory does not exist or is not writable: "+root+"/nowhere\n", "")

	r := h.run("freebsd-update", "", fuArgs(root, "-s", "mirror.example.org", "showconfig")...)
	for _, line := range []string{"KEYPRINT=" + fuTestKey + "\n", "SERVERNAME=mirror.example.org\n", "COMPONENTS=world\n",
		"BASEDIR=" + root + "\n", "UPDATEIFUNMODIFIED=/etc/ /var/ /root/ /.cshrc /.profile\n", "TARGETRELEASE=\n"} {
		if !strings.Contains(r.stdout, line) {
			t.Errorf("showconfig lacks %q:\n%s", line, r.stdout)
		}
	}
	// A server without SRV records is used directly.
	h.env["UNAME_r"] = "13.4-RELEASE"
	h.run("freebsd-update", "", fuArgs(root, "-s", "mirror.example.org", "--not-running-from-cron", "fetch")...).want(t, 0,
		"Looking up mirror.example.org mirrors... none found.\nFetching public key from mirror.example.org... done.\n", "")
}

func TestFreebsdUpdateJailOption(t *testing.T) {
	h := ulNewHarness(t)
	root := fuRoot(t, "14.1-RELEASE-p1", "world")
	h.addJail("web", 5, root)
	h.run("freebsd-update", "", "-j", "nosuch", "-d", root+"/var/db/freebsd-update", "-f", root+"/etc/freebsd-update.conf", "fetch").want(t, 1,
		"The specified jail either doesn't exist or does not have freebsd-version.\n", "jexec: jail \"nosuch\" not found")
	h.run("freebsd-update", "", "-j", "web", "-d", root+"/var/db/freebsd-update", "-f", root+"/etc/freebsd-update.conf", "--not-running-from-cron", "fetch", "install").want(t, 0,
		"Fetching metadata signature for 14.1-RELEASE from update1.freebsd.org... done.\n", "")
	if v := fuUserlandOf(t, root); v != "14.1-RELEASE-p2" {
		t.Fatal(v)
	}
}

func TestFreebsdUpdateIDSAndCron(t *testing.T) {
	h := ulNewHarness(t)
	h.env["UNAME_r"] = "13.4-RELEASE"
	root := fuRoot(t, "13.4-RELEASE", "world")
	h.run("freebsd-update", "", fuArgs(root, "IDS")...).want(t, 0, "/bin/freebsd-version has SHA256 hash ", "")
	h.run("freebsd-update", "", fuArgs(root, "cron")...).want(t, 0, "", "")
	if mail := ulReadFile(t, filepath.Join(h.state, "freebsd-update-mail.txt")); !strings.Contains(mail, "13.4-RELEASE-p2:\n/bin/freebsd-version") {
		t.Fatalf("cron mail:\n%s", mail)
	}
	h.run("freebsd-update", "", fuArgs(root, "install")...).want(t, 0, "done.", "")
}

func TestFreebsdUpdateRefusesTheLinuxHost(t *testing.T) {
	h := ulNewHarness(t)
	h.env["UNAME_r"] = "13.4-RELEASE"
	conf := filepath.Join(t.TempDir(), "fu.conf")
	ulWriteFile(t, conf, "KeyPrint "+fuTestKey+"\nServerName update.FreeBSD.org\nComponents world\n")
	h.run("freebsd-update", "", "-f", conf, "--not-running-from-cron", "fetch").want(t, 70, "", "refusing to modify")
}
