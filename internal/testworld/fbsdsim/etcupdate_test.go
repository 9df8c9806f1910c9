package fbsdsim

import (
	"archive/tar"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// etcupdRoot makes a jail root whose stock tree matches its /etc.
func etcupdRoot(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for p, c := range files {
		ulWriteFile(t, filepath.Join(root, p), c)
		ulWriteFile(t, filepath.Join(root, "var/db/etcupdate/current", p), c)
	}
	return root
}

func etcupdWriteTar(t *testing.T, p string, files map[string]string) {
	t.Helper()
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	tw := tar.NewWriter(f)
	for name, c := range files {
		if err := tw.WriteHeader(&tar.Header{Name: "./" + name, Mode: 0o644, Size: int64(len(c)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(c))
	}
	tw.Close()
	f.Close()
}

func TestEtcupdateMerge(t *testing.T) {
	h := ulNewHarness(t)
	root := etcupdRoot(t, map[string]string{"etc/motd": "stock motd\n", "etc/hosts": "stock hosts\n", "etc/gone": "old\n"})
	ulWriteFile(t, filepath.Join(root, "etc/hosts"), "local hosts\n")
	tarball := filepath.Join(t.TempDir(), "new.tar")
	etcupdWriteTar(t, tarball, map[string]string{"etc/motd": "new motd\n", "etc/hosts": "new hosts\n", "etc/added": "added\n"})

	r := h.run("etcupdate", "", "-D", root, "-t", tarball, "-F")
	r.want(t, 0, "  D /etc/gone\n  A /etc/added\n  C /etc/hosts\n  U /etc/motd\n", "")
	if got := ulReadFile(t, filepath.Join(root, "etc/motd")); got != "new motd\n" {
		t.Fatal(got)
	}
	if _, err := os.Stat(filepath.Join(root, "etc/gone")); !os.IsNotExist(err) {
		t.Fatal("removed file still there")
	}
	if _, err := os.Stat(filepath.Join(root, "var/db/etcupdate/old/etc/gone")); err != nil {
		t.Fatal("old tree not rotated")
	}
	h.run("etcupdate", "", "status", "-D", root).want(t, 0, "  C /etc/hosts\n", "")
	h.run("etcupdate", "", "-D", root, "-t", tarball).want(t, 1, "Conflicts remain from previous update, aborting.\n", "")
	// Take the new version of the conflicting file.
	h.run("etcupdate", "tf\n", "resolve", "-D", root).want(t, 0, "Resolving conflict in '/etc/hosts':\n", "")
	if got := ulReadFile(t, filepath.Join(root, "etc/hosts")); got != "new hosts\n" {
		t.Fatal(got)
	}
	if r := h.run("etcupdate", "", "status", "-D", root); r.stdout != "" {
		t.Fatalf("status after resolve: %q", r.stdout)
	}
	ulWriteFile(t, filepath.Join(root, "etc/motd"), "edited\n")
	h.run("etcupdate", "", "diff", "-D", root).want(t, 0, "Index: /etc/motd\n"+strings.Repeat("=", 67)+"\n--- /etc/motd (stock)\n+++ /etc/motd (local)\n", "")
	if log := ulReadFile(t, filepath.Join(root, "var/db/etcupdate/log")); !strings.Contains(log, ">>> ") {
		t.Fatalf("log: %q", log)
	}
}

func TestEtcupdateFromSource(t *testing.T) {
	h := ulNewHarness(t)
	root := etcupdRoot(t, map[string]string{"etc/motd": "motd\n"})
	src := t.TempDir()
	ulWriteFile(t, filepath.Join(src, "etc/motd"), "motd\n")
	ulWriteFile(t, filepath.Join(src, "etc/Makefile"), "# build glue, not installed\n")
	// iocage's basejail upgrade: etcupdate -F -s <new src>.
	h.run("etcupdate", "", "-D", root, "-F", "-s", filepath.Join(src, "missing")).want(t, 1, "Failed to build new tree.\n", "")
	// That rotated the stock tree to old/; the same sources change nothing.
	h.run("etcupdate", "", "-D", root, "-F", "-s", src).want(t, 0, "", "")
	if _, err := os.Stat(filepath.Join(root, "var/db/etcupdate/current/etc/Makefile")); !os.IsNotExist(err) {
		t.Fatalf("the build's Makefile went into the stock tree: %v", err)
	}
	// The next release's sources: an unmodified file is updated, a new one
	// added, and one changed on both sides is a conflict.
	src2 := t.TempDir()
	ulWriteFile(t, filepath.Join(src2, "etc/motd"), "motd 2\n")
	ulWriteFile(t, filepath.Join(src2, "etc/rc"), "#!/bin/sh\n")
	h.run("etcupdate", "", "-D", root, "-F", "-s", src2).want(t, 0, "  U /etc/motd\n  A /etc/rc\n", "")
	if got := ulReadFile(t, filepath.Join(root, "etc/motd")); got != "motd 2\n" {
		t.Fatal(got)
	}
	ulWriteFile(t, filepath.Join(root, "etc/motd"), "local\n")
	src3 := t.TempDir()
	ulWriteFile(t, filepath.Join(src3, "etc/motd"), "motd 3\n")
	ulWriteFile(t, filepath.Join(src3, "etc/rc"), "#!/bin/sh\n")
	h.run("etcupdate", "", "-D", root, "-F", "-s", src3).want(t, 0, "  C /etc/motd\n", "")

	// A root without a stock tree needs `etcupdate extract` first.
	bare := t.TempDir()
	ulWriteFile(t, filepath.Join(bare, "etc/motd"), "motd\n")
	h.run("etcupdate", "", "-D", bare, "-F", "-s", src).want(t, 1, "No previous tree to compare against, a sane comparison is not possible.\n", "")
	h.run("etcupdate", "", "extract", "-D", bare, "-s", src).want(t, 0, "", "")
	if got := ulReadFile(t, filepath.Join(bare, "var/db/etcupdate/current/etc/motd")); got != "motd\n" {
		t.Fatal(got)
	}
	h.run("etcupdate", "", "-D", bare, "-F", "-s", src).want(t, 0, "", "")
	h.env["JCAGE_SIM_ETCUPDATE_FAIL"] = "build"
	h.run("etcupdate", "", "-D", bare, "-F", "-s", src).want(t, 1, "Failed to build new tree.\n", "")
	delete(h.env, "JCAGE_SIM_ETCUPDATE_FAIL")
	tarball := filepath.Join(t.TempDir(), "etc.tar")
	h.run("etcupdate", "", "build", "-s", src2, "-d", t.TempDir(), tarball).want(t, 0, "", "")
	if st, err := os.Stat(tarball); err != nil || st.Size() == 0 {
		t.Fatal(err)
	}
}

func TestEtcupdateRefusals(t *testing.T) {
	h := ulNewHarness(t)
	usage := "usage: etcupdate [-npBF] [-d workdir] [-r | -s source | -t tarball]\n"
	h.run("etcupdate", "", "frob").want(t, 1, usage, "")
	h.run("etcupdate", "", "-Q").want(t, 1, "\n"+usage, "Illegal option -Q\n")
	root := t.TempDir()
	h.run("etcupdate", "", "-D", root, "-r", "-t", "x.tar").want(t, 1, "Only one of -r or -t can be specified.\n\n"+usage, "")
	h.run("etcupdate", "", "-D", root, "-r", "-p").want(t, 1, "Only one of -p or -r can be specified.\n\n"+usage, "")
	h.run("etcupdate", "", "status", "-n", "-D", root).want(t, 1, usage, "")
	h.run("etcupdate", "", "diff", "-D", root, "extra").want(t, 1, usage, "")
	h.run("etcupdate", "", "build").want(t, 1, usage, "")
	h.run("etcupdate", "", "diff", "-D", root).want(t, 1, "Reference tree to diff against unavailable.\n", "")
	h.env["JCAGE_SIM_UID"] = "1001"
	h.run("etcupdate", "", "-D", root).want(t, 1, "Must be root to update a tree.\n", "")
	// The host's own /etc is off limits without JCAGE_SIM_ROOT.
	h.run("etcupdate", "", "-s", root).want(t, 70, "", "refusing to modify")
}
