package lifecycle

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/jcage/jcage/internal/config"
	"github.com/jcage/jcage/internal/host"
	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/jail"
	"github.com/jcage/jcage/internal/layout"
	"github.com/jcage/jcage/internal/plan"
	"github.com/jcage/jcage/internal/testworld/fixture"
	"github.com/jcage/jcage/internal/zfs"
)

func cmdLine(c host.Cmd) string { return c.String() }

// Parallel starts draw distinct ruleset numbers from one showsets read;
// a configured ruleset to clone must exist, and reserves nothing when it
// does not.
func TestReserveRuleset(t *testing.T) {
	rec := &host.Recorder{}
	rec.On([]string{"devfs", "rule", "showsets"}, "1\n2\n3\n4\n5\n1000\n1002\n", nil)
	var d devfsSets
	ctx := context.Background()
	var mu sync.Mutex
	got := map[int]bool{}
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, ok, err := d.reserve(ctx, rec, "4", "1000")
			if err != nil || !ok {
				t.Error(ok, err)
				return
			}
			mu.Lock()
			got[n] = true
			mu.Unlock()
		}()
	}
	wg.Wait()
	if !got[1001] || !got[1003] || !got[1004] || len(got) != 3 {
		t.Fatalf("numbers %v", got)
	}
	if n, ok, err := d.reserve(ctx, rec, "5", "1000"); err != nil || !ok || n != 1005 {
		t.Fatalf("clone of 5: %d %v %v", n, ok, err)
	}
	if n, ok, err := d.reserve(ctx, rec, "42", "x"); err != nil || ok || n != 0 {
		t.Fatalf("missing ruleset: %d %v %v", n, ok, err)
	}
	if n, ok, _ := d.reserve(ctx, rec, "0", "1000"); !ok || n != 1006 {
		t.Fatalf("empty clone: %d %v", n, ok)
	}
	d.forget(1003)
	if n, _, _ := d.reserve(ctx, rec, "4", "1000"); n != 1003 {
		t.Fatalf("a forgotten number is free again: %d", n)
	}
	if s := parseShowsets([]byte("1\n2\n1000\n")); !s[1000] || s[4] {
		t.Fatalf("%v", s)
	}
	if len(rec.Calls()) != 1 {
		t.Fatalf("showsets read %d times", len(rec.Calls()))
	}
}

func TestNATRules(t *testing.T) {
	pf := NATPFRules("nat on em0 from 172.16.0.0/24 to any -> (em0:0) static-port\nrdr pass on em0 inet proto tcp from any to (em0:0) port 2222 -> 172.16.0.5 port 22\nrdr pass on em0 inet proto tcp from any to (em0:0) port 80 -> 172.16.0.1 port 80\n",
		"em0", "em0|172.16.0.1", "tcp(80:8080),udp(5000-5010)")
	wantPF := `nat on em0 from 172.16.0.0/24 to any -> (em0:0) static-port
rdr pass on em0 inet proto tcp from any to (em0:0) port 2222 -> 172.16.0.5 port 22
rdr pass on em0 inet proto tcp from any to (em0:0) port 8080 -> 172.16.0.1 port 80
rdr pass on em0 inet proto udp from any to (em0:0) port 5000:5010 -> 172.16.0.1 port 5000:5010
`
	if pf != wantPF {
		t.Fatalf("pf:\n%s\nwant:\n%s", pf, wantPF)
	}
	ipfw := NATIPFWRules("", "em0", "vnet0|172.16.0.2/30", "tcp(80:8080)")
	wantIPFW := `ipfw -q flush
ipfw -q nat 462 config if em0 same_ports redirect_port tcp 172.16.0.2:80 8080
ipfw -q add 100 nat 462 ip4 from 172.16.0.0/24 to any out via em0
ipfw -q add 101 nat 462 ip4 from any to any in via em0
`
	if ipfw != wantIPFW {
		t.Fatalf("ipfw:\n%s\nwant:\n%s", ipfw, wantIPFW)
	}
	// Another jail's redirects are kept; this jail's old ones replaced.
	again := NATIPFWRules("ipfw -q flush\nipfw -q nat 462 config if em0 same_ports redirect_port tcp 172.16.0.6:22 2222 redirect_port tcp 172.16.0.2:80 9090\n", "em0", "vnet0|172.16.0.2/30", "tcp(80:8080)")
	if !strings.Contains(again, "same_ports redirect_port tcp 172.16.0.6:22 2222 redirect_port tcp 172.16.0.2:80 8080\n") || strings.Contains(again, "9090") {
		t.Fatalf("merge:\n%s", again)
	}
	if h1, h2, err := NATPair("172.16", map[string]bool{"172.16.0.1": true, "172.16.0.6": true}); err != nil || h1 != "172.16.0.9" || h2 != "172.16.0.10" {
		t.Fatal(h1, h2, err)
	}
	if got := natHostPorts("tcp(80:8080),udp(53),tcp(22)"); len(got) != 3 || got[0] != 8080 || got[1] != 53 {
		t.Fatalf("%v", got)
	}
}

func TestExecCmds(t *testing.T) {
	j := &inventory.Jail{Name: "web", Props: fixture.Effective(t, "web", map[string]any{"login_flags": "-f admin"})}
	for _, tc := range []struct {
		argv       []string
		hu, ju     string
		want, fail string
	}{
		{[]string{"ls", "/"}, "root", "", "setfib 0 jexec -u root ioc-web ls /", ""},
		{[]string{"ls / | wc"}, "root", "", "setfib 0 jexec -u root ioc-web /bin/sh -c ls / | wc", ""},
		{[]string{"id"}, "", "www", "setfib 0 jexec -U www ioc-web /bin/sh -c id", ""},
		{[]string{"id"}, "root", "www", "", "Please only specify either host_user or jail_user, not both!"},
		{nil, "root", "", "", "Please specify a command to run"},
	} {
		c, err := jail.ExecCmd(j, tc.argv, tc.hu, tc.ju)
		if tc.fail != "" {
			if err == nil || err.Error() != tc.fail {
				t.Errorf("%v: %v", tc.argv, err)
			}
			continue
		}
		if err != nil || cmdLine(c) != tc.want {
			t.Errorf("%v: %q %v", tc.argv, cmdLine(c), err)
		}
	}
	if got := cmdLine(ConsoleCmd(j)); got != "setfib 0 jexec -u root ioc-web login -p -f admin" {
		t.Fatal(got)
	}
	caller := map[string]string{"SSH_AUTH_SOCK": "/tmp/agent", "http_proxy": "http://p:3128", "LANG": ""}
	getenv := func(k string) string { return caller[k] }
	if env, clean := ExecEnv(j.Props, getenv, true); !clean || strings.Join(env, " ") != "PATH="+cleanPath+" PWD=/ HOME=/ TERM=xterm-256color LANG=en_US.UTF-8 LC_ALL=en_US.UTF-8 http_proxy=http://p:3128" {
		t.Errorf("env with the proxy %q", env)
	}
	if env, clean := ExecEnv(j.Props, getenv, false); !clean || strings.Join(env, " ") != "PATH="+cleanPath+" PWD=/ HOME=/ TERM=xterm-256color LANG=en_US.UTF-8 LC_ALL=en_US.UTF-8" {
		t.Fatalf("%v", env)
	}
	if env, clean := ExecEnv(fixture.Effective(t, "web", map[string]any{"exec_clean": 0}), getenv, false); env != nil || clean {
		t.Fatalf("%v", env)
	}
}

// A small inventory for planning tests.
func planInventory(t *testing.T, jails map[string]map[string]any) *inventory.Inventory {
	inv := &inventory.Inventory{}
	names := []string{}
	for n := range jails {
		names = append(names, n)
	}
	sortStrings(names)
	for _, n := range names {
		inv.Jails = append(inv.Jails, &inventory.Jail{Name: n, Props: fixture.Effective(t, n, jails[n])})
	}
	return inv
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for k := i; k > 0 && s[k] < s[k-1]; k-- {
			s[k], s[k-1] = s[k-1], s[k]
		}
	}
}

func planString(items []*inventory.PlanItem) string {
	var out []string
	for _, it := range items {
		s := it.J.Name + "@" + string(rune('0'+it.Batch))
		if !it.Selected {
			s += "(dep)"
		}
		out = append(out, s)
	}
	return strings.Join(out, " ")
}

func TestPlans(t *testing.T) {
	inv := planInventory(t, map[string]map[string]any{
		"a":   {"boot": 1, "priority": "10"},
		"b":   {"boot": 1, "priority": "20"},
		"c":   {"boot": 1, "priority": "10", "depends": "d"},
		"d":   {"priority": "50", "depends": "e"},
		"e":   {"priority": "1"},
		"off": {"priority": "1"},
	})
	targets, bulk, err := inv.ResolveTargets(nil, true)
	if err != nil || !bulk || len(targets) != 3 {
		t.Fatalf("%v %v %v", targets, bulk, err)
	}
	items, err := inv.StartPlan(targets)
	if err != nil || planString(items) != "a@0 e@0(dep) d@0(dep) c@0 b@1" {
		t.Fatalf("%s %v", planString(items), err)
	}
	if len(items[3].WaitFor) != 1 || items[3].WaitFor[0] != 2 {
		t.Fatalf("c waits for %v", items[3].WaitFor)
	}
	all, _, _ := inv.ResolveTargets([]string{"ALL"}, false)
	if items, _ := inv.StartPlan(all); planString(items) != "e@0 off@0 a@1 d@1 c@1 b@2" {
		t.Fatalf("ALL: %s", planString(items))
	}
	stopItems, err := inv.StopPlan(targets)
	if err != nil {
		t.Fatal(err)
	}
	if got := planString(stopItems); got != "b@0 c@1 a@1" && got != "b@0 a@1 c@1" {
		t.Fatalf("stop: %s", got)
	}
	// Stop: a jail waits for the jails of its batch that depend on it.
	inv2 := planInventory(t, map[string]map[string]any{"db": {}, "web": {"depends": "db"}})
	sp, err := inv2.StopPlan(inv2.Jails)
	if err != nil {
		t.Fatal(err)
	}
	if planString(sp) != "web@0 db@0" || len(sp[1].WaitFor) != 1 || sp[1].WaitFor[0] != 0 {
		t.Fatalf("stop with depends: %s %v", planString(sp), sp[1].WaitFor)
	}
	if _, _, err := inv.ResolveTargets([]string{"a"}, true); err == nil {
		t.Fatal("--rc with names accepted")
	}
	if _, _, err := inv.ResolveTargets(nil, false); err == nil || err.Error() != "Please specify jail(s) or ALL" {
		t.Fatalf("%v", err)
	}
	cyc := planInventory(t, map[string]map[string]any{"x": {"depends": "y"}, "y": {"depends": "x"}, "z": {"depends": "z"}})
	if _, err := cyc.StartPlan(cyc.Jails[:1]); !errors.Is(err, inventory.ErrCycle) || err.Error() != "dependency cycle: x -> y -> x" {
		t.Fatalf("%v", err)
	}
	if _, err := cyc.StartPlan(cyc.Jails[2:]); err == nil || err.Error() != "dependency cycle: z -> z" {
		t.Fatalf("%v", err)
	}
}

// runPlan honours batches and waits, fails dependents of a failure, and
// flushes in plan order whatever the completion order.
func TestRunPlan(t *testing.T) {
	inv := planInventory(t, map[string]map[string]any{
		"a": {"priority": "1"}, "b": {"priority": "1", "depends": "a"}, "c": {"priority": "1"}, "d": {"priority": "2"},
	})
	items, err := inv.StartPlan(inv.Jails)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var ran []string
	var flushed []string
	results := runPlan(context.Background(), items, 4, "started", func(ctx context.Context, it *inventory.PlanItem, res *jobResult) {
		mu.Lock()
		ran = append(ran, it.J.Name)
		mu.Unlock()
		res.out.WriteString(it.J.Name)
		if it.J.Name == "a" {
			res.err = errors.New("boom")
		}
	}, func(it *inventory.PlanItem, res *jobResult) {
		flushed = append(flushed, res.out.String())
	})
	if strings.Join(flushed, "") != "acd" || strings.Join(flushed, ",") != "a,,c,d" {
		t.Fatalf("flushed %q", flushed)
	}
	if results[1].err == nil || results[1].err.Error() != "b: not started: a failed" {
		t.Fatalf("b: %v", results[1].err)
	}
	for _, n := range ran {
		if n == "b" {
			t.Fatal("b ran after its dependency failed")
		}
	}
	if ran[len(ran)-1] != "d" {
		t.Fatalf("d ran before its batch: %v", ran)
	}
	err = collect(results, items, false, "start")
	var me *jail.MultiError
	if !errors.As(err, &me) || err.Error() != "failed to start 2 jail(s): a, b" {
		t.Fatalf("%v", err)
	}
}

// A stop of several jails reads the rctl rules and the live devfs
// rulesets once, not once per jail.
func TestStopReadsOnce(t *testing.T) {
	rec := &host.Recorder{}
	rec.On([]string{"rctl"}, "jail:ioc-a:memoryuse:deny=1073741824\n", nil)
	rec.On([]string{"jls", "name", "devfs_ruleset"}, "ioc-a 1000\nioc-b 1001\n", nil)
	r := (&Host{&jail.Host{Host: &inventory.Host{Run: rec}}}).newRun(&inventory.Inventory{}, Paths{RunDir: t.TempDir()}, false, nil)
	ctx := context.Background()
	for _, n := range []string{"a", "b"} {
		rules, ok := r.rctlRules(ctx)
		if !ok || strings.Contains(rules, "jail:ioc-b:") {
			t.Fatal(rules)
		}
		if rs, ok := r.liveRuleset(ctx, &inventory.Jail{Name: n}); !ok || (n == "a") != (rs == 1000) {
			t.Fatal(n, rs, ok)
		}
	}
	if len(rec.Calls()) != 2 {
		t.Fatalf("%v", rec.Lines())
	}
}

// Ctrl-C during a start: the jail that jail(8) already made is stopped by
// force, with the commands the interrupted context can no longer run.
func TestStartInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := zfs.NewFake(t.TempDir(), "tank")
	rec := &host.Recorder{}
	rec.On([]string{"jls", "-v", "--libxo", "json"}, `{"__version": "2", "jail-information": {"jail": []}}`+"\n", nil)
	rec.On([]string{"uname", "-r"}, "14.3-RELEASE\n", nil)
	rec.Respond = func(c host.Cmd) (string, error) {
		if c.Name == "jail" && c.Args[len(c.Args)-1] == "-c" {
			cancel()
		}
		return "", nil
	}
	h := &Host{&jail.Host{Host: &inventory.Host{ZFS: f, Run: rec}}}
	if err := h.Activate(context.Background(), "tank"); err != nil {
		t.Fatal(err)
	}
	l := layout.Layout{Pool: "tank"}
	if err := f.Create(context.Background(), l.JailRoot("web"), zfs.CreateOptions{Parents: true}); err != nil {
		t.Fatal(err)
	}
	dir := f.MountPath(l.Jail("web"))
	c, _ := config.ConfigFromMap(map[string]any{"CONFIG_VERSION": "34", "host_hostuuid": "web", "host_hostname": "web", "release": "14.3-RELEASE", "type": "jail"})
	if err := os.WriteFile(filepath.Join(dir, "config.json"), c.Marshal(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "fstab"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	inv, err := h.Load(context.Background(), inventory.Options{Create: true, State: true})
	if err != nil {
		t.Fatal(err)
	}
	run := t.TempDir()
	err = h.StartJails(ctx, inv, []string{"web"}, StartOptions{Paths: Paths{RunDir: run, NATDir: run}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
	lines := strings.Join(rec.Lines(), "\n")
	if !strings.Contains(lines, "jail -q -f "+plan.ConfPath(run, "web")+" -r ioc-web") || !strings.Contains(lines, "devfs rule -s 1000 delset") {
		t.Fatalf("no forced stop:\n%s", lines)
	}
	if strings.Contains(lines, "/etc/rc") {
		t.Fatalf("ran the jail's services after the interrupt:\n%s", lines)
	}
}

// A depends naming a jail that does not exist drops that name only: the
// stop still waits for every other jail that depends on a stopped one,
// and the unknown name is reported.
func TestStopPlanKeepsKnownDepends(t *testing.T) {
	inv := planInventory(t, map[string]map[string]any{
		"db":  {},
		"web": {"depends": "gone db"},
	})
	sp, err := inv.StopPlan(inv.Jails)
	if planString(sp) != "web@0 db@0" || len(sp[1].WaitFor) != 1 || sp[1].WaitFor[0] != 0 {
		t.Fatalf("stop with an unknown depends: %s %v", planString(sp), sp[1].WaitFor)
	}
	var nf *inventory.NotFoundError
	if !errors.As(err, &nf) || nf.Name != "gone" || !strings.HasPrefix(err.Error(), "web depends on gone: ") {
		t.Fatalf("unknown depends reported as %v", err)
	}
	if _, err := inv.StartPlan(inv.Jails); err == nil {
		t.Fatal("start with an unknown depends accepted")
	}
}

// A jail whose dependent failed to stop is itself not stopped, and says so.
func TestRunPlanStopCascade(t *testing.T) {
	inv := planInventory(t, map[string]map[string]any{"db": {}, "web": {"depends": "db"}})
	items, err := inv.StopPlan(inv.Jails)
	if err != nil {
		t.Fatal(err)
	}
	results := runPlan(context.Background(), items, 2, "stopped", func(ctx context.Context, it *inventory.PlanItem, res *jobResult) {
		if it.J.Name == "web" {
			res.err = errors.New("boom")
		}
	}, func(*inventory.PlanItem, *jobResult) {})
	if results[1].err == nil || results[1].err.Error() != "db: not stopped: web failed" {
		t.Fatalf("db: %v", results[1].err)
	}
}
