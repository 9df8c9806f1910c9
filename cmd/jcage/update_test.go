package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/jcage/jcage/internal/host"
	"github.com/jcage/jcage/internal/layout"
)

// updRoot lays the files freebsd-update reads in a root.
func updRoot(t *testing.T, root, userland string) {
	t.Helper()
	for p, data := range map[string]string{
		"etc/freebsd-update.conf": "KeyPrint 800651ef4b4c71c27e60786d7b487188970f4b4169cc055784e21eb71d410cc5\nServerName update.FreeBSD.org\nComponents src world kernel\n",
		"bin/freebsd-version":     "#!/bin/sh\nUSERLAND_VERSION=\"" + userland + "\"\n",
		"usr/sbin/freebsd-update": "#!/bin/sh\n",
	} {
		if err := os.MkdirAll(filepath.Join(root, filepath.Dir(p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, p), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.MkdirAll(filepath.Join(root, "var/db/freebsd-update"), 0o700)
}

// updState is what a failed command must leave as it was: every dataset
// and snapshot, and the bytes of every file in the pool (but
// defaults.json, which the first command run as root writes, as iocage's
// every command does).
func updState(h *harness) string {
	var b strings.Builder
	b.WriteString(strings.Join(h.zfs.Names(), "\n"))
	top := h.zfs.MountPath("tank")
	filepath.Walk(top, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() || strings.Contains(p, ".fake-snapshots") || fi.Name() == "defaults.json" {
			return nil
		}
		data, _ := os.ReadFile(p)
		fmt.Fprintf(&b, "\n%s %q", strings.TrimPrefix(p, top), data)
		return nil
	})
	return b.String()
}

// fuScript answers freebsd-update the way the real tool changes a root:
// fetch stages a patch in the work directory, install applies it.
func fuScript(c host.Cmd) (string, error) {
	if c.Name == "uname" {
		return "14.3-RELEASE\n", nil
	}
	if c.Name != "freebsd-update" {
		return "", nil
	}
	root := c.Args[1]
	switch c.Args[len(c.Args)-1] {
	case "fetch":
		os.WriteFile(filepath.Join(c.Args[3], "staged"), []byte("p2"), 0o644)
		return "The following files will be updated as part of updating to\n14.3-RELEASE-p2:\n/bin/freebsd-version\n", nil
	case "install":
		os.WriteFile(filepath.Join(root, "bin/freebsd-version"), []byte("USERLAND_VERSION=\"14.3-RELEASE-p2\"\n"), 0o755)
		return "Installing updates... done.\n", nil
	}
	return "", nil
}

func TestUpdateCommand(t *testing.T) {
	h := newTreeHarness(t)
	h.addJail("web", map[string]any{"release": "14.3-RELEASE-p1"})
	root := h.zfs.MountPath(layout.Layout{Pool: "tank"}.JailRoot("web"))
	updRoot(t, root, "14.3-RELEASE-p1")
	h.run.Respond = fuScript
	if code := do(h, runUpdate, updateOptions{jail: "web"}); code != 0 {
		t.Fatalf("code %d stderr %q", code, h.stderr.String())
	}
	var got []string
	confRE := regexp.MustCompile(`-f \S+/freebsd-update\.conf`)
	for _, c := range h.run.Calls() {
		if c.Name != "jls" && c.Name != "uname" {
			got = append(got, confRE.ReplaceAllString(strings.TrimSpace(c.String()+" "+strings.Join(c.Env, " ")), "-f CONF"))
		}
	}
	// The host's freebsd-update (the host runs 14.3), never the jail's;
	// a work directory beside the root; a host-side copy of the conf.
	fu := "freebsd-update -b " + root + " -d " + filepath.Dir(root) + "/.freebsd-update/ -f CONF"
	want := []string{
		"mount -t devfs devfs " + root + "/dev",
		fu + " --not-running-from-cron fetch UNAME_r=14.3-RELEASE PAGER=/bin/cat",
		fu + " install UNAME_r=14.3-RELEASE PAGER=/bin/cat",
		"umount " + root + "/dev",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("calls:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	out := h.stdout.String()
	if !strings.HasPrefix(out, "Snapshot: tank/iocage/jails/web@ioc_update_14.3-RELEASE-p1_") ||
		!strings.Contains(out, "Updating jail...\n\n* Updating web to the latest patch level... \nThe following files") ||
		!strings.HasSuffix(out, "Installing updates... done.\nUpdated jail successfully.\n\nweb updates have been applied successfully.\n") {
		t.Fatalf("stdout %q", out)
	}
	do(h, runGet, getOptions{args: []string{"release", "web"}})
	if h.stdout.String() != "14.3-RELEASE-p2\n" {
		t.Fatalf("release %q", h.stdout.String())
	}

	// A failing install is rolled back: the jail is as it was.
	before := updState(h)
	h.run.Respond = func(c host.Cmd) (string, error) {
		if c.Name == "freebsd-update" && c.Args[len(c.Args)-1] == "install" {
			return "", &host.RunError{Argv: c.Argv(), ExitCode: 1, Stderr: "install: /bin/freebsd-version: Operation not permitted\n", Err: errors.New("exit status 1")}
		}
		return fuScript(c)
	}
	if code := do(h, runUpdate, updateOptions{jail: "web"}); code != 1 {
		t.Fatalf("failing install: code %d", code)
	}
	if e := h.stderr.String(); !strings.Contains(e, "Operation not permitted;") || !strings.Contains(e, "; rolled back to tank/iocage/jails/web@ioc_update_14.3-RELEASE-p2_") {
		t.Fatalf("stderr %q", e)
	}
	if after := updState(h); after != before {
		t.Fatalf("not rolled back:\n%s\nwant\n%s", after, before)
	}
}

func TestUpdateCommandRefusals(t *testing.T) {
	h := newTreeHarness(t)
	h.addJail("web", nil)
	h.addJail("tmpl", map[string]any{"template": 1})
	before := updState(h)
	for _, tc := range []struct {
		opts updateOptions
		want string
	}{
		{updateOptions{jail: "nope"}, "jail 'nope' not found!\n"},
		{updateOptions{jail: "tmpl", pkgs: true}, "Please convert back to a jail before trying to update tmpl\n"},
	} {
		if code := do(h, runUpdate, tc.opts); code != 1 || !strings.HasSuffix(h.stderr.String(), tc.want) {
			t.Errorf("%+v: code %d stderr %q", tc.opts, code, h.stderr.String())
		}
	}
	if after := updState(h); after != before {
		t.Fatal("a refused command changed something")
	}
}

// update -s, -V and -NV are iocage's flags, accepted and without effect:
// the same freebsd-update runs.
func TestParseUpdate(t *testing.T) {
	for _, args := range [][]string{{"-s", "mirror.example.org"}, {"-V"}, {"-NV"}, {"--noverify", "--server", "x"}, {}} {
		got, err := parseLine(t, parseUpdate, append(append([]string{"update"}, args...), "web")...)
		if err != nil || got != (updateOptions{jail: "web"}) {
			t.Errorf("%v: %+v %v", args, got, err)
		}
	}
	if got, err := parseLine(t, parseUpdate, "update", "-P", "ALL"); err != nil || got != (updateOptions{jail: "ALL", pkgs: true}) {
		t.Errorf("-P ALL: %+v %v", got, err)
	}
	for _, args := range [][]string{{"update"}, {"update", "web", "db"}} {
		if _, err := parseLine(t, parseUpdate, args...); err == nil || err.Error() != "Usage: jcage update [-P] JAIL|ALL" {
			t.Errorf("%v: %v", args, err)
		}
	}
}
