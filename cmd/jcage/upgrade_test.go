package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jcage/jcage/internal/host"
	"github.com/jcage/jcage/internal/layout"
	"github.com/jcage/jcage/internal/release"
	"github.com/jcage/jcage/internal/zfs"
)

func TestUpgradeCommand(t *testing.T) {
	h := newTreeHarness(t)
	h.addJail("web", map[string]any{"release": "14.2-RELEASE-p3"})
	root := h.zfs.MountPath(layout.Layout{Pool: "tank"}.JailRoot("web"))
	updRoot(t, root, "14.2-RELEASE-p3")
	h.run.On([]string{"uname", "-r"}, "14.3-RELEASE\n", nil)
	var confs []string
	h.run.Respond = func(c host.Cmd) (string, error) {
		if c.Name == "uname" {
			return "14.3-RELEASE\n", nil
		}
		if c.Name != "freebsd-update" {
			return "", nil
		}
		b, _ := os.ReadFile(c.Args[5])
		confs = append(confs, string(b))
		link := release.PendingInstall(strings.TrimSuffix(c.Args[3], "/"), root)
		switch c.Args[len(c.Args)-1] {
		case "upgrade":
			os.Symlink("install.x", link)
		case "install":
			if _, err := os.Lstat(link); err != nil {
				return "", &host.RunError{Argv: c.Argv(), ExitCode: 2, Err: fmt.Errorf("exit status 2")}
			}
			os.Remove(link)
			os.WriteFile(filepath.Join(root, "bin/freebsd-version"), []byte("USERLAND_VERSION=\"14.3-RELEASE-p1\"\n"), 0o755)
		}
		return "", nil
	}
	if code := do(h, runUpgrade, upgradeOptions{jail: "web", release: "14.3-RELEASE"}); code != 0 {
		t.Fatalf("code %d stderr %q", code, h.stderr.String())
	}
	want := "\nweb successfully upgraded from 14.2-RELEASE-p3 to 14.3-RELEASE-p1!\nPlease reboot the jail and inspect.\nRemove the snapshot: ioc_upgrade_"
	if !strings.HasPrefix(h.stdout.String(), want) {
		t.Fatalf("stdout %q", h.stdout.String())
	}
	var fus []host.Cmd
	for _, c := range h.run.Calls() {
		if c.Name == "freebsd-update" {
			fus = append(fus, c)
		}
	}
	if len(fus) != 2 {
		t.Fatalf("freebsd-update ran %d times", len(fus))
	}
	up := strings.Join(fus[0].Args, " ")
	if !strings.HasPrefix(up, "-b "+root+" -d "+filepath.Dir(root)+"/.freebsd-update/ -f ") ||
		!strings.HasSuffix(up, " --not-running-from-cron --currently-running 14.2-RELEASE -r 14.3-RELEASE upgrade") ||
		strings.Join(fus[0].Env, " ") != "UNAME_r=14.2-RELEASE PAGER=/bin/cat" {
		t.Fatalf("upgrade argv %q env %q", up, fus[0].Env)
	}
	if got := strings.Join(fus[1].Args[6:], " "); got != "-r 14.3-RELEASE install" {
		t.Fatalf("install argv %q", got)
	}
	for _, conf := range confs {
		if !strings.Contains(conf, "Components src world\n") {
			t.Fatalf("conf %q", conf)
		}
	}
	do(h, runGet, getOptions{args: []string{"release", "web"}})
	if h.stdout.String() != "14.3-RELEASE-p1\n" {
		t.Fatalf("release %q", h.stdout.String())
	}

	for _, tc := range []struct {
		opts upgradeOptions
		want string
	}{
		{upgradeOptions{jail: "web"}, "Target RELEASE is required to upgrade.\n"},
		{upgradeOptions{jail: "web", release: "14.3-RELEASE"}, "Jail: web is already at version 14.3-RELEASE!\n"},
		{upgradeOptions{jail: "web", release: "15.0-RELEASE"}, "Host: 14.3-RELEASE is not greater than target: 15.0-RELEASE This is unsupported.\n"},
	} {
		if code := do(h, runUpgrade, tc.opts); code != 1 || h.stderr.String() != tc.want {
			t.Errorf("%+v: code %d stderr %q", tc.opts, code, h.stderr.String())
		}
	}
}

func TestParseUpgrade(t *testing.T) {
	for _, args := range [][]string{{"upgrade", "web", "-r", "14.3-RELEASE"}, {"upgrade", "-r", "14.3-RELEASE", "web"}} {
		if got, err := parseLine(t, parseUpgrade, args...); err != nil || got != (upgradeOptions{jail: "web", release: "14.3-RELEASE"}) {
			t.Errorf("%q: %+v %v", args, got, err)
		}
	}
	if got, err := parseLine(t, parseUpgrade, "upgrade", "plex"); err != nil || got != (upgradeOptions{jail: "plex"}) {
		t.Errorf("no -r: %+v %v", got, err)
	}
	for _, args := range [][]string{{"upgrade", "-r", "14.3-RELEASE"}, {"upgrade", "a", "b"}} {
		if _, err := parseLine(t, parseUpgrade, args...); err == nil || err.Error() != "Usage: jcage upgrade JAIL|ALL -r RELEASE" {
			t.Errorf("%q: %v", args, err)
		}
	}
}

func TestUpgradeCommandBasejailRollsBack(t *testing.T) {
	h := newTreeHarness(t)
	l := layout.Layout{Pool: "tank"}
	for _, rel := range []string{"14.2-RELEASE", "14.3-RELEASE"} {
		if err := h.zfs.Create(t.Context(), l.ReleaseRoot(rel), zfs.CreateOptions{Parents: true}); err != nil {
			t.Fatal(err)
		}
		updRoot(t, h.zfs.MountPath(l.ReleaseRoot(rel)), rel)
	}
	newRoot := h.zfs.MountPath(l.ReleaseRoot("14.3-RELEASE"))
	os.MkdirAll(filepath.Join(newRoot, "usr/src"), 0o755)
	os.WriteFile(filepath.Join(newRoot, "usr/src/COPYRIGHT"), []byte("x"), 0o644)
	h.addJail("bj", map[string]any{"release": "14.2-RELEASE-p1", "basejail": 1})
	dir := h.zfs.MountPath(l.Jail("bj"))
	oldRel := h.zfs.MountPath(l.Release("14.2-RELEASE"))
	fs := oldRel + "/root/bin\t" + dir + "/root/bin\tnullfs\tro\t0\t0 # Added by iocage on 2024-01-01 00:00:00\n"
	os.WriteFile(filepath.Join(dir, "fstab"), []byte(fs), 0o644)
	h.run.On([]string{"uname", "-r"}, "14.3-RELEASE\n", nil)
	h.run.Fail([]string{"etcupdate"}, 1, "")
	h.run.On([]string{"etcupdate"}, "Failed to build new tree.\n", &host.RunError{Argv: []string{"etcupdate"}, ExitCode: 1, Err: fmt.Errorf("exit status 1")})
	before := updState(h)
	if code := do(h, runUpgrade, upgradeOptions{jail: "bj", release: "14.3-RELEASE"}); code != 1 ||
		!strings.HasPrefix(h.stderr.String(), "etcupdate failed (exit status 1); rolled back to tank/iocage/jails/bj@ioc_upgrade_") {
		t.Fatalf("code %d stderr %q", code, h.stderr.String())
	}
	if after := updState(h); after != before {
		t.Fatalf("not rolled back:\n%s\nwant\n%s", after, before)
	}
	h.run.On([]string{"etcupdate"}, "", nil)
	if code := do(h, runUpgrade, upgradeOptions{jail: "bj", release: "14.3-RELEASE"}); code != 0 {
		t.Fatalf("code %d stderr %q", code, h.stderr.String())
	}
	got, _ := os.ReadFile(filepath.Join(dir, "fstab"))
	if want := h.zfs.MountPath(l.Release("14.3-RELEASE")) + "/root/bin\t" + dir + "/root/bin\tnullfs\tro\t0\t0\n"; string(got) != want {
		t.Fatalf("fstab %q\nwant %q", got, want)
	}
}
