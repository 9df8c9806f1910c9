package release

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jcage/jcage/internal/host"
)

func TestUpgradeArgs(t *testing.T) {
	r := "/tank/iocage/jails/web/root"
	w := "/tank/iocage/jails/web/.freebsd-update"
	c := "/tmp/jcage-upgrade-1/freebsd-update.conf"
	for _, tc := range []struct{ cmd, want string }{
		{"upgrade", "-b " + r + " -d " + w + "/ -f " + c + " --not-running-from-cron --currently-running 14.2-RELEASE -r 14.3-RELEASE upgrade"},
		{"install", "-b " + r + " -d " + w + "/ -f " + c + " -r 14.3-RELEASE install"},
	} {
		args := UpgradeArgs(r, w, c, "14.2-RELEASE", "14.3-RELEASE", tc.cmd)
		if got := strings.Join(args, " "); got != tc.want {
			t.Errorf("%s:\n%s\nwant\n%s", tc.cmd, got, tc.want)
		}
		for i, a := range args {
			if strings.HasPrefix(a, "--currently-running") && (a != "--currently-running" || args[i+1] != "14.2-RELEASE") {
				t.Errorf("--currently-running is not two arguments: %q", args)
			}
		}
	}
}

func TestPendingInstall(t *testing.T) {
	// sha256 of "/x\n", as `echo /x | sha256 -q` prints it.
	want := "/w/cacbe1bb033f403f2dbdfc1f0fe00d6fc125965ff33960ff4ca5f3f45e664c4b-install"
	if got := PendingInstall("/w", "/x"); got != want {
		t.Fatalf("%s", got)
	}
}

// upgradeSim plays freebsd-update's upgrade state machine: upgrade stages
// an install of `stages` passes (linking the pending install), each
// install runs one, and an install with nothing pending exits 2.
type upgradeSim struct {
	root    string
	stages  int
	left    int
	failAt  string // "upgrade" or "install"
	noStage bool   // upgrade stages nothing
	stuck   bool   // install never finishes
	confs   []string
	calls   []host.Cmd
}

func (s *upgradeSim) respond(c host.Cmd) (string, error) {
	if c.Name == "uname" {
		return "15.0-RELEASE\n", nil // the host runs the target release
	}
	s.calls = append(s.calls, c)
	cmd := c.Args[len(c.Args)-1]
	for i, a := range c.Args {
		if a == "-f" {
			b, _ := os.ReadFile(c.Args[i+1])
			s.confs = append(s.confs, string(b))
		}
	}
	fail := func(code int) (string, error) {
		return "", &host.RunError{Argv: c.Argv(), ExitCode: code, Err: fmt.Errorf("exit status %d", code)}
	}
	var workdir string
	for i, a := range c.Args {
		if a == "-d" {
			workdir = strings.TrimSuffix(c.Args[i+1], "/")
		}
	}
	link := PendingInstall(workdir, s.root)
	if cmd == s.failAt {
		return fail(1)
	}
	switch cmd {
	case "upgrade":
		if !s.noStage {
			s.left = s.stages
			os.Symlink("install.x", link)
		}
		return "To install the downloaded upgrades, run \"/usr/sbin/freebsd-update install\".\n", nil
	case "install":
		if _, err := os.Lstat(link); err != nil {
			return fail(2)
		}
		if !s.stuck {
			s.left--
		}
		if s.left == 0 {
			os.Remove(link)
			os.WriteFile(filepath.Join(s.root, "bin/freebsd-version"), []byte("USERLAND_VERSION=\"15.0-RELEASE-p1\"\n"), 0o755)
		}
		return "Installing updates... done.\n", nil
	}
	return fail(1)
}

func upgradeRoot(t *testing.T) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "root")
	for p, data := range map[string]string{
		"etc/freebsd-update.conf": "KeyPrint 800651ef4b4c71c27e60786d7b487188970f4b4169cc055784e21eb71d410cc5\nServerName update.FreeBSD.org\nComponents src world kernel\n",
		"bin/freebsd-version":     "USERLAND_VERSION=\"14.3-RELEASE-p2\"\n",
	} {
		os.MkdirAll(filepath.Join(root, filepath.Dir(p)), 0o755)
		if err := os.WriteFile(filepath.Join(root, p), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.MkdirAll(filepath.Join(root, "var/db/freebsd-update"), 0o700)
	return root
}

func TestUpgraderInstallsUntilNothingIsPending(t *testing.T) {
	root := upgradeRoot(t)
	sim := &upgradeSim{root: root, stages: 2}
	run := &host.Recorder{Respond: sim.respond}
	tmp := t.TempDir()
	var out bytes.Buffer
	u := &Upgrader{Run: run, Tools: &Tools{Run: run, IOCRoot: "/nonexistent", TempDir: tmp}, Out: &out}
	v, err := u.Upgrade(context.Background(), root, "14.3-RELEASE", "15.0-RELEASE")
	if err != nil || v != "15.0-RELEASE-p1" {
		t.Fatalf("%q %v", v, err)
	}
	var lines []string
	for _, c := range sim.calls {
		if c.Name != "freebsd-update" {
			t.Errorf("ran %s, not the host's freebsd-update", c.Name)
		}
		if got := strings.Join(c.Env, " "); got != "UNAME_r=14.3-RELEASE PAGER=/bin/cat" {
			t.Errorf("env %q", got)
		}
		lines = append(lines, c.Args[len(c.Args)-1])
	}
	// upgrade, then one install per stage; the link is gone after the second.
	if strings.Join(lines, " ") != "upgrade install install" {
		t.Fatalf("calls %v", lines)
	}
	for _, conf := range sim.confs {
		if !strings.Contains(conf, "\nComponents src world\n") || strings.Contains(conf, "kernel") || !strings.HasPrefix(conf, "KeyPrint ") {
			t.Errorf("conf %q", conf)
		}
	}
	if got, _ := os.ReadFile(filepath.Join(root, "etc/freebsd-update.conf")); !strings.Contains(string(got), "world kernel") {
		t.Errorf("the root's own conf was changed: %q", got)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("temporary conf left behind: %v", left)
	}
	if !strings.Contains(out.String(), "Installing updates... done.") {
		t.Errorf("output %q", out.String())
	}
}

func TestUpgraderFailures(t *testing.T) {
	for _, tc := range []struct {
		name  string
		sim   upgradeSim
		want  error
		text  string
		calls int
	}{
		{name: "upgrade fails", sim: upgradeSim{stages: 1, failAt: "upgrade"}, text: "freebsd-update upgrade failed (exit status 1)", calls: 1},
		{name: "install fails", sim: upgradeSim{stages: 1, failAt: "install"}, text: "freebsd-update install failed (exit status 1)", calls: 2},
		{name: "nothing staged", sim: upgradeSim{noStage: true}, want: ErrNothingToInstall, calls: 1},
		{name: "never finishes", sim: upgradeSim{stages: 1, stuck: true}, want: ErrInstallUnfinished, calls: 1 + MaxInstalls},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := upgradeRoot(t)
			sim := tc.sim
			sim.root = root
			run := &host.Recorder{Respond: sim.respond}
			u := &Upgrader{Run: run, Tools: &Tools{Run: run, TempDir: t.TempDir()}}
			_, err := u.Upgrade(context.Background(), root, "14.3-RELEASE", "15.0-RELEASE")
			if tc.want != nil && !errors.Is(err, tc.want) || tc.text != "" && (err == nil || err.Error() != tc.text) {
				t.Fatalf("error %v", err)
			}
			if len(sim.calls) != tc.calls {
				t.Fatalf("%d calls, want %d", len(sim.calls), tc.calls)
			}
		})
	}

	root := upgradeRoot(t)
	os.WriteFile(filepath.Join(root, "etc/freebsd-update.conf"), []byte("# ServerName x\n"), 0o644)
	run := &host.Recorder{}
	if _, err := (&Upgrader{Run: run}).Upgrade(context.Background(), root, "14.3-RELEASE", "15.0-RELEASE"); err == nil || !strings.Contains(err.Error(), "has no ServerName") || len(run.Calls()) != 0 {
		t.Fatalf("no ServerName: %v %v", err, run.Lines())
	}
	os.Remove(filepath.Join(root, "etc/freebsd-update.conf"))
	if _, err := (&Upgrader{Run: run}).Upgrade(context.Background(), root, "14.3-RELEASE", "15.0-RELEASE"); err == nil || len(run.Calls()) != 0 {
		t.Fatalf("no conf: %v", err)
	}
}
