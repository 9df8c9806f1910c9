package main

import (
	"strings"
	"testing"

	"github.com/jcage/jcage/internal/testworld/world"
)

// lsJails returns the jails `ls /` ran in since call n, in order.
func lsJails(w *world.World, n int) []string {
	var out []string
	for _, c := range w.Calls()[n:] {
		if c.Tool != "setfib" || !strings.HasSuffix(strings.Join(c.Argv, " "), " ls /") {
			continue
		}
		for _, a := range c.Argv {
			if name, ok := strings.CutPrefix(a, "ioc-"); ok {
				out = append(out, name)
			}
		}
	}
	return out
}

// exec ALL and pkg ALL run in every jail by name, as iocage's exec_all
// does; a stopped jail is reported and the rest go on, the command then
// exits 1 naming it; templates are left out; exec -f starts the stopped
// ones first.
func TestSystemExecPkgALL(t *testing.T) {
	w, _ := startWorld(t)
	for _, name := range []string{"c", "a", "b"} {
		layStartable(t, w, name, map[string]any{"ip4_addr": "em0|10.0.0.7" + string(name[0]-'a'+'1') + "/24"})
	}
	layStartable(t, w, "tmpl", nil)
	w.Must("set", "template=yes", "tmpl")
	w.Must("start", "a")
	w.Must("start", "c")
	defer w.Jcage("stop", "ALL")

	n := len(w.Calls())
	r := w.Jcage("exec", "ALL", "ls", "/")
	if r.Code != 1 || r.Stderr != "b is not running! Please supply --force (-f) or start the jail\nfailed to exec 1 jail(s): b\n" {
		t.Fatalf("exec ALL: %+v", r)
	}
	if got := strings.Join(lsJails(w, n), " "); got != "a c" {
		t.Fatalf("exec ALL ran in %q, want a c", got)
	}

	n = len(w.Calls())
	r = w.Jcage("pkg", "ALL", "info")
	if r.Code != 1 || !strings.HasSuffix(r.Stderr, "b is not running! Please supply --force (-f) or start the jail\nfailed to run pkg in 1 jail(s): b\n") {
		t.Fatalf("pkg ALL: %+v", r)
	}
	var pkgs []string
	for _, c := range w.Calls()[n:] {
		if c.Tool == "pkg" {
			pkgs = append(pkgs, strings.Join(c.Argv[:3], " "))
		}
	}
	if len(pkgs) != 2 || pkgs[0] == pkgs[1] {
		t.Fatalf("pkg ALL calls: %q", pkgs)
	}

	// -f starts b, then runs everywhere: exit 0.
	n = len(w.Calls())
	out := w.Must("exec", "-f", "ALL", "ls", "/")
	if !strings.Contains(out, "* Starting b\n") {
		t.Fatalf("exec -f ALL did not start b:\n%s", out)
	}
	if got := strings.Join(lsJails(w, n), " "); got != "a b c" {
		t.Fatalf("exec -f ALL ran in %q, want a b c", got)
	}
	// A name is still a name: ALL is only ALL whole.
	if r := w.Jcage("exec", "AL", "ls"); r.Code != 1 || !strings.Contains(r.Stderr, "not found") {
		t.Fatalf("exec AL: %+v", r)
	}
}

// upgrade ALL upgrades every jail in turn; one already at the release is
// reported and the others are still upgraded; without -r nothing is
// touched.
func TestSystemUpgradeALL(t *testing.T) {
	w := world.New(t)
	w.Setenv("JCAGE_SIM_HOST_RELEASE", "15.0-RELEASE")
	w.Must("activate", w.Pool.Name)
	simRelease(t, w.LayRelease("14.3-RELEASE"), false)
	simRelease(t, w.LayRelease("15.0-RELEASE"), true)
	w.Must("create", "-r", "14.3-RELEASE", "-n", "web1")
	w.Must("create", "-r", "15.0-RELEASE", "-n", "web2")
	w.Must("create", "-r", "14.3-RELEASE", "-n", "web3")

	datasets := w.Datasets()
	if r := w.Jcage("upgrade", "ALL"); r.Code != 1 || r.Stderr != "Target RELEASE is required to upgrade.\n" {
		t.Fatalf("upgrade ALL without -r: %+v", r)
	}
	if r := w.Jcage("upgrade", "ALL", "-r", "fifteen"); r.Code != 1 || strings.Count(r.Stderr, "\n") != 1 {
		t.Fatalf("upgrade ALL -r fifteen: %+v", r)
	}
	if w.Datasets() != datasets {
		t.Fatal("a refused upgrade ALL changed datasets")
	}

	r := w.Jcage("upgrade", "ALL", "-r", "15.0-RELEASE")
	if r.Code != 1 || r.Stderr != "Jail: web2 is already at version 15.0-RELEASE!\nfailed to upgrade 1 jail(s): web2\n" {
		t.Fatalf("upgrade ALL: %+v", r)
	}
	for _, name := range []string{"web1", "web3"} {
		if !strings.Contains(r.Stdout, "\n"+name+" successfully upgraded from 14.3-RELEASE-p1 to 15.0-RELEASE") {
			t.Fatalf("%s not upgraded:\n%s", name, r.Stdout)
		}
		if got := strings.TrimSpace(w.Must("get", "release", name)); !strings.HasPrefix(got, "15.0-RELEASE") {
			t.Fatalf("%s release after upgrade ALL: %q", name, got)
		}
	}
	if i, j := strings.Index(r.Stdout, "web1 successfully"), strings.Index(r.Stdout, "web3 successfully"); i < 0 || j < i {
		t.Fatalf("upgrade ALL order:\n%s", r.Stdout)
	}
}
