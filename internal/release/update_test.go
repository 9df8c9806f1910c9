package release

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jcage/jcage/internal/host"
	"github.com/jcage/jcage/internal/inventory"
)

func TestUpdateArgs(t *testing.T) {
	r := "/pool/iocage/releases/14.3-RELEASE/root"
	w := "/pool/iocage/releases/14.3-RELEASE/.freebsd-update"
	c := "/tmp/jcage-freebsd-update-1/freebsd-update.conf"
	for cmd, want := range map[string]string{
		"fetch":   "-b " + r + " -d " + w + "/ -f " + c + " --not-running-from-cron fetch",
		"install": "-b " + r + " -d " + w + "/ -f " + c + " install",
	} {
		if got := strings.Join(UpdateArgs(r, w, c, cmd), " "); got != want {
			t.Errorf("%s:\n%s\nwant\n%s", cmd, got, want)
		}
	}
	if got := strings.Join(UpdateEnv("13.2-RELEASE"), " "); got != "UNAME_r=13.2-RELEASE PAGER=/bin/cat" {
		t.Errorf("env %q", got)
	}
}

// hostTools answers uname -r with rel on run and returns Tools over it.
func hostTools(run *testRunner, rel string) *Tools {
	run.on("uname", func(host.Cmd) (string, error) { return rel + "\n", nil })
	return &Tools{Run: run}
}

func patchRoot(t *testing.T, conf string) string {
	t.Helper()
	root := t.TempDir()
	for p, data := range map[string]string{
		"etc/freebsd-update.conf": conf,
		"bin/freebsd-version":     "#!/bin/sh\nUSERLAND_VERSION=\"14.3-RELEASE\"\n",
		"usr/sbin/freebsd-update": "#!/bin/sh\n",
	} {
		os.MkdirAll(filepath.Join(root, filepath.Dir(p)), 0o755)
		if err := os.WriteFile(filepath.Join(root, p), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.MkdirAll(filepath.Join(root, "var/db/freebsd-update"), 0o700)
	return root
}

func TestPatch(t *testing.T) {
	root := patchRoot(t, "# comment\nKeyPrint 800651ef4b4c71c27e60786d7b487188970f4b4169cc055784e21eb71d410cc5\nServerName update.FreeBSD.org\n")
	run := &testRunner{}
	run.on("freebsd-update", fakeUpdate)
	var out, errw bytes.Buffer
	p := &Patcher{Run: run, Tools: hostTools(run, "14.3-RELEASE-p4"), Out: &out, Err: &errw}
	v, err := p.Patch(context.Background(), root, "14.3-RELEASE")
	if err != nil || v != "14.3-RELEASE-p2" {
		t.Fatalf("%q %v", v, err)
	}
	if !strings.Contains(out.String(), "Installing updates... done.") {
		t.Errorf("output %q", out.String())
	}
	// Again: nothing to install (exit 2) is success.
	if v, err := p.Patch(context.Background(), root, "14.3-RELEASE"); err != nil || v != "14.3-RELEASE-p2" {
		t.Fatalf("second patch: %q %v", v, err)
	}
	if n := len(run.named("mount")); n != 2 || len(run.named("umount")) != 2 {
		t.Errorf("mount/umount %v", run.lines())
	}

	for conf, want := range map[string]string{
		"# ServerName commented out\n": "has no ServerName",
		"":                             "has no ServerName",
	} {
		root := patchRoot(t, conf)
		run := &testRunner{}
		_, err := (&Patcher{Run: run, Tools: hostTools(run, "14.3-RELEASE")}).Patch(context.Background(), root, "14.3-RELEASE")
		if err == nil || !strings.Contains(err.Error(), "Failed to update 14.3-RELEASE: ") || !strings.Contains(err.Error(), want) {
			t.Errorf("conf %q: %v", conf, err)
		}
		if len(run.lines()) != 0 {
			t.Errorf("ran %v", run.lines())
		}
	}
	// Neither the jail's own freebsd-update nor its work directory is
	// used: the host's tool runs, with a work directory beside the root.
	for _, c := range run.calls {
		if c.Argv[0] != "freebsd-update" {
			continue
		}
		if strings.Contains(strings.Join(c.Argv, " "), root+"/var/db") || !strings.Contains(strings.Join(c.Argv, " "), "-d "+filepath.Dir(root)+"/.freebsd-update/") {
			t.Errorf("work directory: %q", c.Argv)
		}
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(root), ".freebsd-update")); !os.IsNotExist(err) {
		t.Errorf("work directory left behind: %v", err)
	}
	// A failing mount stops before freebsd-update.
	run = &testRunner{}
	run.on("mount", func(c host.Cmd) (string, error) { return "", exitErr(c, 1, "mount: devfs: Operation not permitted") })
	if _, err := (&Patcher{Run: run, Tools: hostTools(run, "14.3-RELEASE")}).Patch(context.Background(), root, "14.3-RELEASE"); err == nil || len(run.named("freebsd-update")) != 0 {
		t.Errorf("mount failure: %v %v", err, run.lines())
	}
}

func TestUserlandVersion(t *testing.T) {
	root := t.TempDir()
	if inventory.UserlandVersion(root) != "" {
		t.Error("no freebsd-version")
	}
	os.MkdirAll(filepath.Join(root, "bin"), 0o755)
	os.WriteFile(filepath.Join(root, "bin/freebsd-version"), []byte("#!/bin/sh\n# x\n  USERLAND_VERSION='13.4-RELEASE-p2'\nKERNEL=x\n"), 0o555)
	if v := inventory.UserlandVersion(root); v != "13.4-RELEASE-p2" {
		t.Errorf("%q", v)
	}
}
