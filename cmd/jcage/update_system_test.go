package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jcage/jcage/internal/testworld/fbsdsim"
	"github.com/jcage/jcage/internal/testworld/world"
)

// simRelease completes a laid-out release root with what update and
// upgrade use: a freebsd-update that hands over to the simulator (as the
// mirror's synthetic releases do), its work directory, etcupdate's stock
// tree and, with src, a source tree.
func simRelease(t *testing.T, root string, src bool) {
	t.Helper()
	files := map[string]string{
		"usr/sbin/freebsd-update":           "#!/bin/sh\nexec freebsd-update \"$@\"\n",
		"var/db/etcupdate/current/etc/motd": "FreeBSD\n",
		"etc/motd":                          "FreeBSD\n",
	}
	if src {
		files["usr/src/COPYRIGHT"] = "Copyright\n"
		files["usr/src/etc/Makefile"] = "# etc\n"
		files["usr/src/etc/motd"] = "FreeBSD\n"
	}
	for p, data := range files {
		if err := os.MkdirAll(filepath.Join(root, filepath.Dir(p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, p), []byte(data), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(root, "var/db/freebsd-update"), 0o700); err != nil {
		t.Fatal(err)
	}
}

// treeState lists every entry under dir with its content (files) or target
// (symlinks), for before/after comparisons.
func treeState(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			fmt.Fprintf(&b, "%s -> %s\n", rel, target)
		case d.IsDir():
			fmt.Fprintf(&b, "%s/\n", rel)
		default:
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			fmt.Fprintf(&b, "%s %q\n", rel, data)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// simCallsOf returns the simulator calls of one tool made since call n.
func simCallsOf(w *world.World, n int, tool string) []fbsdsim.Call {
	var out []fbsdsim.Call
	for _, c := range w.Calls()[n:] {
		if c.Tool == tool {
			out = append(out, c)
		}
	}
	return out
}

// update and upgrade with the real binary on zfs-fuse, freebsd-update and
// etcupdate played by the simulator: the exact argv and environment, the
// staged install loop, and the rollback of a failing step.
func TestSystemUpdateUpgrade(t *testing.T) {
	w := world.New(t)
	w.Setenv("JCAGE_SIM_HOST_RELEASE", "15.0-RELEASE")
	w.Must("activate", w.Pool.Name)
	simRelease(t, w.LayRelease("14.3-RELEASE"), false)
	newRoot := w.LayRelease("15.0-RELEASE")
	simRelease(t, newRoot, true)
	// The new release's /etc sources differ: etcupdate builds its stock
	// tree from them and merges the change.
	if err := os.WriteFile(filepath.Join(newRoot, "usr/src/etc/motd"), []byte("FreeBSD 15.0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	w.Must("create", "-r", "14.3-RELEASE", "-n", "web")
	w.Must("create", "-r", "14.3-RELEASE", "-n", "bj", "-b")
	jails := w.Pool.Name + "/iocage/jails/"
	web := filepath.Join(w.IOCRoot(), "jails", "web")
	root := filepath.Join(web, "root")
	release := func(name string) string { return strings.TrimSpace(w.Must("get", "release", name)) }
	if got := release("web"); got != "14.3-RELEASE-p1" {
		t.Fatalf("release %q", got)
	}

	// A failing install: rolled back, the jail as before, the snapshot gone.
	datasets, tree := w.Datasets(), treeState(t, web)
	w.Setenv("JCAGE_SIM_UPDATE_FAIL", "install")
	n := len(w.Calls())
	r := w.Jcage("update", "web")
	if r.Code != 1 || !strings.Contains(r.Stderr, "; rolled back to "+jails+"web@ioc_update_14.3-RELEASE-p1_") {
		t.Fatalf("failing update: %+v", r)
	}
	if len(simCallsOf(w, n, "freebsd-update")) != 2 {
		t.Fatalf("the failing update did not reach install: %+v", w.Calls()[n:])
	}
	if got := w.Datasets(); got != datasets {
		t.Fatalf("datasets after the rollback:\n%s\nwant\n%s", got, datasets)
	}
	if got := treeState(t, web); got != tree {
		t.Fatalf("jail after the rollback:\n%s\nwant\n%s", got, tree)
	}

	// The update: the host's freebsd-update, exact argv, UNAME_r
	// without the patch level, devfs around it.
	w.Setenv("JCAGE_SIM_UPDATE_FAIL", "")
	n = len(w.Calls())
	out := w.Must("update", "web")
	if !strings.HasPrefix(out, "Snapshot: "+jails+"web@ioc_update_14.3-RELEASE-p1_") ||
		!strings.Contains(out, "\n* Updating web to the latest patch level... \n") ||
		!strings.HasSuffix(out, "Updated jail successfully.\n\nweb updates have been applied successfully.\n") {
		t.Fatalf("update output:\n%s", out)
	}
	fu := []string{"freebsd-update", "-b", root, "-d", filepath.Dir(root) + "/.freebsd-update/", "-f", "CONF"}
	var got []string
	for _, c := range w.Calls()[n:] {
		switch c.Tool {
		case "freebsd-update", "mount", "umount":
			if i := slices.Index(c.Argv, "-f"); i > 0 && !strings.HasPrefix(c.Argv[i+1], root) {
				c.Argv[i+1] = "CONF"
			}
			got = append(got, fmt.Sprintf("%q %v", c.Argv, c.Env))
		}
	}
	env := map[string]string{"UNAME_r": "14.3-RELEASE", "PAGER": "/bin/cat"}
	want := []string{
		fmt.Sprintf("%q %v", []string{"mount", "-t", "devfs", "devfs", root + "/dev"}, map[string]string(nil)),
		fmt.Sprintf("%q %v", append(slices.Clone(fu), "--not-running-from-cron", "fetch"), env),
		fmt.Sprintf("%q %v", append(slices.Clone(fu), "install"), env),
		fmt.Sprintf("%q %v", []string{"umount", root + "/dev"}, map[string]string(nil)),
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("update calls:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got := release("web"); got != "14.3-RELEASE-p2" {
		t.Fatalf("release after update %q", got)
	}
	if !strings.Contains(w.ZFS("list", "-H", "-o", "name", "-t", "snapshot", "-r", jails+"web"), jails+"web/root@ioc_update_14.3-RELEASE-p1_") {
		t.Fatal("the update snapshot is gone")
	}

	// A major upgrade: --currently-running and CUR as two arguments, a
	// conf without kernel, then installs until nothing is pending (world,
	// then the removal of old libraries).
	n = len(w.Calls())
	out = w.Must("upgrade", "web", "-r", "15.0-RELEASE")
	if !strings.Contains(out, "\nweb successfully upgraded from 14.3-RELEASE-p2 to 15.0-RELEASE-p2!\nPlease reboot the jail and inspect.\nRemove the snapshot: ioc_upgrade_") {
		t.Fatalf("upgrade output:\n%s", out)
	}
	calls := simCallsOf(w, n, "freebsd-update")
	if len(calls) != 3 {
		t.Fatalf("freebsd-update calls: %+v", calls)
	}
	up := calls[0].Argv
	i := slices.Index(up, "--currently-running")
	if i < 0 || up[i+1] != "14.3-RELEASE" || !slices.Equal(up[len(up)-3:], []string{"-r", "15.0-RELEASE", "upgrade"}) ||
		!slices.Equal(up[:5], fu[:5]) || up[5] != "-f" || calls[0].Env["UNAME_r"] != "14.3-RELEASE" {
		t.Fatalf("upgrade argv %q env %v", up, calls[0].Env)
	}
	for _, c := range calls[1:] {
		if !slices.Equal(c.Argv[len(c.Argv)-3:], []string{"-r", "15.0-RELEASE", "install"}) {
			t.Fatalf("install argv %q", c.Argv)
		}
	}
	if got := release("web"); got != "15.0-RELEASE-p2" {
		t.Fatalf("release after upgrade %q", got)
	}
	if b, _ := os.ReadFile(filepath.Join(root, "etc/freebsd-update.conf")); !strings.Contains(string(b), "Components src world kernel") {
		t.Fatalf("the jail's own freebsd-update.conf was changed: %q", b)
	}

	// A base jail: etcupdate fails, everything goes back.
	bj := filepath.Join(w.IOCRoot(), "jails", "bj")
	datasets, tree = w.Datasets(), treeState(t, bj)
	fstab, _ := os.ReadFile(filepath.Join(bj, "fstab"))
	oldRel := filepath.Join(w.IOCRoot(), "releases", "14.3-RELEASE")
	if !strings.Contains(string(fstab), oldRel+"/root/bin\t") {
		t.Fatalf("base jail fstab:\n%s", fstab)
	}
	w.Setenv("JCAGE_SIM_ETCUPDATE_FAIL", "build")
	n = len(w.Calls())
	r = w.Jcage("upgrade", "bj", "-r", "15.0-RELEASE")
	if r.Code != 1 || !strings.HasPrefix(r.Stderr, "etcupdate failed (exit status 1); rolled back to "+jails+"bj@ioc_upgrade_") {
		t.Fatalf("failing etcupdate: %+v", r)
	}
	eu := simCallsOf(w, n, "etcupdate")
	if len(eu) != 1 || !slices.Equal(eu[0].Argv, []string{"etcupdate", "-F", "-D", bj + "/root", "-s", newRoot + "/usr/src"}) {
		t.Fatalf("etcupdate calls %+v", eu)
	}
	if got := w.Datasets(); got != datasets {
		t.Fatalf("datasets after the rollback:\n%s\nwant\n%s", got, datasets)
	}
	if got := treeState(t, bj); got != tree {
		t.Fatalf("base jail after the rollback:\n%s\nwant\n%s", got, tree)
	}

	// And with etcupdate working: the fstab mounts the new release.
	w.Setenv("JCAGE_SIM_ETCUPDATE_FAIL", "")
	out = w.Must("upgrade", "bj", "-r", "15.0-RELEASE")
	// etcupdate's report of the merge comes first: the new release's motd.
	if !strings.HasPrefix(out, "  U /etc/motd\n\nbj successfully upgraded from 14.3-RELEASE-p1 to 15.0-RELEASE-p1!\n") {
		t.Fatalf("base jail upgrade output:\n%s", out)
	}
	fstab2, _ := os.ReadFile(filepath.Join(bj, "fstab"))
	if strings.Contains(string(fstab2), oldRel) || strings.Count(string(fstab2), filepath.Join(w.IOCRoot(), "releases", "15.0-RELEASE")+"/root/") != strings.Count(string(fstab), oldRel+"/root/") {
		t.Fatalf("fstab after the upgrade:\n%s", fstab2)
	}
	if got := release("bj"); got != "15.0-RELEASE-p1" {
		t.Fatalf("base jail release %q", got)
	}
	if b, _ := os.ReadFile(filepath.Join(bj, "root/etc/motd")); string(b) != "FreeBSD 15.0\n" {
		t.Fatalf("etcupdate did not merge the new release's /etc/motd: %q", b)
	}
}
