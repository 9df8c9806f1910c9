package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jcage/jcage/internal/testworld/fbsdsim"
	"github.com/jcage/jcage/internal/testworld/world"
)

// startWorld is an activated pool whose jail.conf files live in a
// temporary run directory.
func startWorld(t *testing.T) (*world.World, string) {
	w := world.New(t)
	run := t.TempDir()
	w.Setenv("JCAGE_RUN_DIR", run)
	w.Must("activate", w.Pool.Name)
	return w, run
}

// layStartable lays a jail out with a root that jail(8) can mount devfs
// and fdescfs on.
func layStartable(t *testing.T, w *world.World, name string, props map[string]any) string {
	dir := w.LayJail(name, props)
	for _, d := range []string{"root/dev/fd", "root/etc"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func argvs(calls []fbsdsim.Call) []string {
	var out []string
	for _, c := range calls {
		out = append(out, strings.Join(c.Argv, " "))
	}
	return out
}

func indexOf(lines []string, prefix string) int {
	for i, l := range lines {
		if strings.HasPrefix(l, prefix) {
			return i
		}
	}
	return -1
}

// start → jls shows the jail → list shows it up with its JID → exec and
// console run the right argv → stop → down; the call log holds iocage's
// sequence. Then --rc starts jails of one priority in parallel, and a
// dependency cycle is refused.
func TestSystemStartStop(t *testing.T) {
	w, run := startWorld(t)
	layStartable(t, w, "web", map[string]any{"ip4_addr": "em0|10.0.0.5/24"})

	before := len(w.Calls())
	out := w.Must("start", "web")
	if !strings.HasPrefix(out, "* Starting web\n  + Started OK\n  + Using devfs_ruleset: 1000 (iocage generated default)\n") ||
		!strings.HasSuffix(out, "  + Starting services OK\n  + Executing poststart OK\n") {
		t.Fatalf("start output:\n%s", out)
	}
	conf := filepath.Join(run, "jail.ioc-web.conf")
	got := argvs(w.Calls()[before:])
	want := []string{
		"uname -r",
		"devfs rule showsets",
		"devfs rule -s 1000 add -",
		"jail -f " + conf + " -c",
		"setfib 0 jexec ioc-web /bin/sh /etc/rc",
		"jexec ioc-web /bin/sh /etc/rc",
	}
	var seq []string
	for _, l := range got {
		if !strings.HasPrefix(l, "jls -v") {
			seq = append(seq, l)
		}
	}
	if strings.Join(seq, "\n") != strings.Join(want, "\n") {
		t.Fatalf("start calls:\n%s\nwant:\n%s", strings.Join(seq, "\n"), strings.Join(want, "\n"))
	}
	jls := w.Tool("jls", "-N")
	if !strings.Contains(jls, "ioc-web") || !strings.Contains(jls, "10.0.0.5") {
		t.Fatalf("jls:\n%s", jls)
	}
	list := w.Must("list", "-h")
	if !strings.Contains(list, "\tweb\tup\t") || strings.HasPrefix(list, "None") {
		t.Fatalf("list:\n%s", list)
	}
	if _, err := os.Stat(conf); err != nil {
		t.Fatalf("jail.conf: %v", err)
	}

	before = len(w.Calls())
	w.Must("exec", "web", "ls", "/")
	w.Must("exec", "web", "echo hi")
	w.Must("console", "web")
	got = argvs(w.Calls()[before:])
	for _, want := range []string{
		"setfib 0 jexec -u root ioc-web ls /",
		"setfib 0 jexec -u root ioc-web /bin/sh -c echo hi",
		"setfib 0 jexec -u root ioc-web login -p -f root",
	} {
		if indexOf(got, want) < 0 {
			t.Fatalf("no %q in\n%s", want, strings.Join(got, "\n"))
		}
	}

	before = len(w.Calls())
	out = w.Must("stop", "web")
	if out != "* Stopping web\n  + Executing prestop OK\n  + Stopping services OK\n  + Removing devfs_ruleset: 1000 OK\n  + Removing jail process OK\n  + Executing poststop OK\n" {
		t.Fatalf("stop output:\n%s", out)
	}
	got = argvs(w.Calls()[before:])
	if indexOf(got, "jail -q -f "+conf+" -r ioc-web") < 0 || indexOf(got, "devfs rule -s 1000 delset") < 0 ||
		indexOf(got, "mount -p") < 0 || indexOf(got, "umount") >= 0 {
		t.Fatalf("stop calls:\n%s", strings.Join(got, "\n"))
	}
	if jls := w.Tool("jls", "-N"); strings.Contains(jls, "ioc-web") {
		t.Fatalf("still running:\n%s", jls)
	}
	if list := w.Must("list", "-h"); !strings.Contains(list, "\tweb\tdown\t") {
		t.Fatalf("list after stop:\n%s", list)
	}
	if _, err := os.Stat(conf); !os.IsNotExist(err) {
		t.Fatalf("jail.conf left: %v", err)
	}

	// --rc: a and b (priority 10) start together, c (20) after both.
	for _, n := range []string{"a", "b"} {
		layStartable(t, w, n, map[string]any{"boot": 1, "priority": "10"})
	}
	layStartable(t, w, "c", map[string]any{"boot": 1, "priority": "20"})
	w.Setenv("JCAGE_SIM_JAIL_DELAY", "300ms")
	before = len(w.Calls())
	w.Must("start", "--rc")
	got = argvs(w.Calls()[before:])
	ja, jb := indexOf(got, "jail -f "+filepath.Join(run, "jail.ioc-a.conf")), indexOf(got, "jail -f "+filepath.Join(run, "jail.ioc-b.conf"))
	jc := indexOf(got, "jail -f "+filepath.Join(run, "jail.ioc-c.conf"))
	sa, sb := indexOf(got, "setfib 0 jexec ioc-a"), indexOf(got, "setfib 0 jexec ioc-b")
	if ja < 0 || jb < 0 || jc < 0 || ja > sb || jb > sa || jc < sa || jc < sb {
		t.Fatalf("--rc order (a %d b %d c %d, services a %d b %d):\n%s", ja, jb, jc, sa, sb, strings.Join(got, "\n"))
	}
	if runs := w.Tool("jls", "-N"); !strings.Contains(runs, "ioc-a") || !strings.Contains(runs, "ioc-b") || !strings.Contains(runs, "ioc-c") {
		t.Fatalf("jls:\n%s", runs)
	}
	w.Must("stop", "--rc")

	// A cycle starts nothing.
	layStartable(t, w, "x", map[string]any{"depends": "y"})
	layStartable(t, w, "y", map[string]any{"depends": "x"})
	before = len(w.Calls())
	r := w.Jcage("start", "x")
	if r.Code != 1 || r.Stderr != "dependency cycle: x -> y -> x\n" {
		t.Fatalf("cycle: %+v", r)
	}
	for _, l := range argvs(w.Calls()[before:]) {
		if strings.HasPrefix(l, "jail") || strings.HasPrefix(l, "devfs") {
			t.Fatalf("a cycle ran %q", l)
		}
	}
}

// A failing exec_start leaves no jail, no ruleset and no jail.conf, and
// one clear error.
func TestSystemStartFailure(t *testing.T) {
	w, run := startWorld(t)
	layStartable(t, w, "web", map[string]any{"ip4_addr": "em0|10.0.0.5/24"})
	w.Setenv("JCAGE_SIM_FAIL", "jexec /bin/sh /etc/rc")
	r := w.Jcage("start", "web")
	if r.Code != 1 || r.Stderr != "Refusing to start web: exec_start failed: setfib 0 jexec ioc-web /bin/sh /etc/rc: jexec: simulated failure\n" {
		t.Fatalf("start: %+v", r)
	}
	if !strings.Contains(r.Stdout, "  + Starting services FAILED\n") {
		t.Fatalf("stdout %q", r.Stdout)
	}
	if jls := w.Tool("jls", "-N"); strings.Contains(jls, "ioc-web") {
		t.Fatalf("jail left running:\n%s", jls)
	}
	if sets := w.Tool("devfs", "rule", "showsets"); strings.Contains(sets, "1000") {
		t.Fatalf("ruleset left:\n%s", sets)
	}
	if _, err := os.Stat(filepath.Join(run, "jail.ioc-web.conf")); !os.IsNotExist(err) {
		t.Fatalf("jail.conf left: %v", err)
	}
	if list := w.Must("list", "-h"); !strings.Contains(list, "\tweb\tdown\t") {
		t.Fatalf("list:\n%s", list)
	}
	got := argvs(w.Calls())
	if indexOf(got, "jail -q -f "+filepath.Join(run, "jail.ioc-web.conf")+" -r ioc-web") < 0 {
		t.Fatalf("no forced stop:\n%s", strings.Join(got, "\n"))
	}
}
