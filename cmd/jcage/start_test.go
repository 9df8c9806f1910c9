package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jcage/jcage/internal/config"
	"github.com/jcage/jcage/internal/host"
	"github.com/jcage/jcage/internal/layout"
	"github.com/jcage/jcage/internal/lifecycle"
	"github.com/jcage/jcage/internal/plan"
)

// lifeHarness is the tree harness with a recorder that answers the
// commands a start and a stop read: the host release, devfs rulesets,
// the jail's JID, a new epair.
func lifeHarness(t *testing.T) *harness {
	h := newTreeHarness(t)
	h.run.On([]string{"uname", "-r"}, "14.3-RELEASE\n", nil)
	h.run.On([]string{"devfs", "rule", "showsets"}, "1\n2\n3\n4\n5\n", nil)
	h.run.On([]string{"jls", "-j"}, "7\n", nil)
	h.run.On([]string{"jls", "-j", "*", "devfs_ruleset"}, "1000\n", nil)
	h.run.On([]string{"jls", "name", "devfs_ruleset"}, "ioc-other 1001\n", nil)
	h.run.On([]string{"ifconfig", "epair", "create"}, "epair0a\n", nil)
	h.run.On([]string{"sysctl", "kern.racct.enable"}, "kern.racct.enable: 1\n", nil)
	h.run.On([]string{"rctl"}, "", nil)
	return h
}

// layJail lays a startable jail out: config, fstab and a root with /dev
// and /etc. Hooks echo their name so that each can be failed on its own.
func (h *harness) layJail(name string, props map[string]any) string {
	h.t.Helper()
	base := map[string]any{
		"exec_prestart": "echo prestart", "exec_poststart": "echo poststart",
		"exec_prestop": "echo prestop", "exec_poststop": "echo poststop",
	}
	for k, v := range props {
		base[k] = v
	}
	h.addJail(name, base)
	dir := h.zfs.MountPath(layout.Layout{Pool: "tank"}.Jail(name))
	if err := os.WriteFile(filepath.Join(dir, "fstab"), nil, 0o644); err != nil {
		h.t.Fatal(err)
	}
	for _, d := range []string{"root/dev", "root/etc"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			h.t.Fatal(err)
		}
	}
	return dir
}

// lines returns the recorded command lines, leaving out the inventory's
// reads (zfs goes to the fake, jls -v is the state query).
func (h *harness) lines() []string {
	var out []string
	for _, l := range h.run.Lines() {
		if strings.HasPrefix(l, "jls -v --libxo json") {
			continue
		}
		out = append(out, l)
	}
	return out
}

func (h *harness) conf(name string) string { return plan.ConfPath(h.runDir, name) }

func (h *harness) iocroot() string { return h.zfs.MountPath("tank/iocage") }

func TestStartSequence(t *testing.T) {
	h := lifeHarness(t)
	dir := h.layJail("web", map[string]any{"ip4_addr": "em0|10.0.0.5/24"})
	if code := do(h, runStart, startOptions{jails: []string{"web"}}); code != 0 {
		t.Fatalf("start: %s", h.stderr.String())
	}
	wantOut := `* Starting web
  + Started OK
  + Using devfs_ruleset: 1000 (iocage generated default)
  + Using IP options: ip4.addr=em0|10.0.0.5/24 ip4.saddrsel=1 ip4=new ip6.saddrsel=1 ip6=new
  + Starting services OK
  + Executing poststart OK
`
	if got := h.stdout.String(); got != wantOut {
		t.Fatalf("stdout:\n%s\nwant:\n%s", got, wantOut)
	}
	conf := h.conf("web")
	want := []string{
		"uname -r",
		"devfs rule showsets",
		"devfs rule -s 1000 add -",
		"/bin/sh -c echo prestart",
		"jail -f " + conf + " -c",
		"jls -j ioc-web jid",
		"setfib 0 jexec ioc-web /bin/sh /etc/rc",
		"/bin/sh -c echo poststart",
	}
	if got := h.lines(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("calls:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The rules go to devfs on stdin, in iocage's order.
	for _, c := range h.run.Calls() {
		if c.Name == "jail" {
			if !contains(c.Env, "IOCAGE_NAME=ioc-web") || !contains(c.Env, "IOCAGE_HOSTNAME=web") {
				t.Fatalf("jail env %v", c.Env)
			}
		}
	}
	text, err := os.ReadFile(conf)
	if err != nil || !strings.Contains(string(text), "\tip4.addr += \"em0|10.0.0.5/24\";\n") || !strings.Contains(string(text), "devfs_ruleset = \"1000\";") {
		t.Fatalf("jail.conf %v:\n%s", err, text)
	}
	cfg, err := config.Load(filepath.Join(dir, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := cfg.Get("last_started"); len(v) != len("2006-01-02 15:04:05") {
		t.Fatalf("last_started %q", v)
	}
	if l, err := os.Readlink(filepath.Join(dir, "root", "dev", "log")); err != nil || l != "../var/run/log" {
		t.Fatalf("/dev/log: %q %v", l, err)
	}

	// Started again: refused, nothing run.
	h.running(map[string]int{"web": 7})
	before := len(h.run.Calls())
	if code := do(h, runStart, startOptions{jails: []string{"web"}}); code != 1 || h.stderr.String() != "web is already running!\n" {
		t.Fatalf("second start: %d %q", code, h.stderr.String())
	}
	if n := len(h.run.Calls()) - before; n != 1 {
		t.Fatalf("second start ran %d commands", n)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestStopSequence(t *testing.T) {
	h := lifeHarness(t)
	dir := h.layJail("web", map[string]any{"ip4_addr": "em0|10.0.0.5/24"})
	h.running(map[string]int{"web": 7})
	h.run.On([]string{"devfs", "rule", "showsets"}, "1\n2\n3\n4\n5\n1000\n", nil)
	// procfs is still mounted after jail -r; nothing else is.
	h.run.On([]string{"mount", "-p"}, "/dev/ada0p2\t\t/\t\t\tufs\trw\t\t1 1\nproc\t\t\t"+filepath.Join(dir, "root", "proc")+" procfs\trw\t\t0 0\n", nil)
	if err := os.WriteFile(h.conf("web"), []byte("\"ioc-web\" {\n\texec.clean = \"1\";\n\tpersist;\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code := do(h, runStop, stopOptions{jails: []string{"web"}}); code != 0 {
		t.Fatalf("stop: %s", h.stderr.String())
	}
	wantOut := `* Stopping web
  + Executing prestop OK
  + Stopping services OK
  + Removing devfs_ruleset: 1000 OK
  + Removing jail process OK
  + Executing poststop OK
`
	if got := h.stdout.String(); got != wantOut {
		t.Fatalf("stdout:\n%s\nwant:\n%s", got, wantOut)
	}
	root := filepath.Join(dir, "root")
	want := []string{
		"rctl",
		"/bin/sh -c echo prestop",
		"setfib 0 jexec ioc-web /bin/sh /etc/rc.shutdown",
		"jls name devfs_ruleset",
		"jls -j ioc-web devfs_ruleset",
		"devfs rule showsets",
		"devfs rule -s 1000 delset",
		"jail -q -f " + h.conf("web") + " -r ioc-web",
		"/bin/sh -c echo poststop",
		"mount -p",
		"umount -f " + filepath.Join(root, "proc"),
	}
	if got := h.lines(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("calls:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if _, err := os.Stat(h.conf("web")); !os.IsNotExist(err) {
		t.Fatalf("jail.conf left behind: %v", err)
	}

	// Not running: iocage's message, and nothing done.
	h.running(nil)
	before := len(h.run.Calls())
	if code := do(h, runStop, stopOptions{jails: []string{"web"}}); code != 0 || h.stderr.String() != "web is not running!\n" {
		t.Fatalf("stop of a stopped jail: %d %q", code, h.stderr.String())
	}
	if n := len(h.run.Calls()) - before; n != 1 {
		t.Fatalf("ran %d commands", n)
	}
}

func TestStopForce(t *testing.T) {
	h := lifeHarness(t)
	h.layJail("web", map[string]any{"vnet": 1, "ip4_addr": "vnet0|10.0.0.5/24"})
	h.running(map[string]int{"web": 7})
	h.run.On([]string{"devfs", "rule", "showsets"}, "1\n2\n3\n4\n5\n1000\n", nil)
	conf := "\"ioc-web\" {\n\tvnet;\n\texec.created = \"/usr/bin/true\";\n\texec.clean = \"1\";\n\tpersist;\n}\n"
	if err := os.WriteFile(h.conf("web"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	h.run.Fail([]string{"jail", "-q"}, 1, "jail: ioc-web: jail_remove: Operation not permitted\n")
	if code := do(h, runStop, stopOptions{jails: []string{"web"}, force: true}); code != 1 || !strings.Contains(h.stderr.String(), "Removing jail process FAILED: jail: ioc-web: jail_remove: Operation not permitted") {
		t.Fatalf("stop -f: %d %q", code, h.stderr.String())
	}
	got := strings.Join(h.lines(), "\n")
	for _, hook := range []string{"echo prestop", "/etc/rc.shutdown"} {
		if strings.Contains(got, hook) {
			t.Fatalf("forced stop ran %s:\n%s", hook, got)
		}
	}
	if !strings.Contains(got, "ifconfig vnet0.7 destroy") {
		t.Fatalf("no vnet teardown:\n%s", got)
	}
	b, _ := os.ReadFile(h.conf("web"))
	if strings.Contains(string(b), "exec") {
		t.Fatalf("exec.* kept in the jail.conf:\n%s", b)
	}
}

// Each step of a start fails in turn: the jail is never left running (a
// forced stop follows any failure after jail -c), the devfs ruleset and
// the jail.conf are gone, and last_started is not recorded.
func TestStartFailureUnwinds(t *testing.T) {
	cases := []struct {
		fail    []string
		created bool // the failure comes after jail -c
		msg     string
	}{
		{[]string{"devfs", "rule", "-s", "1000", "add"}, false, "create devfs ruleset 1000"},
		{[]string{"/bin/sh", "-c", "echo prestart"}, false, "Refusing to start web: exec_prestart failed"},
		{[]string{"jail", "-f"}, false, "Refusing to start web: jail: ioc-web: failed"},
		{[]string{"jls", "-j", "ioc-web", "jid"}, true, "jls"},
		{[]string{"ifconfig", "epair", "create"}, true, "Stopped web due to VNET failure"},
		{[]string{"ifconfig", "bridge0", "addm", "vnet0.7", "up"}, true, "Stopped web due to VNET failure"},
		{[]string{"setfib", "0", "jexec", "ioc-web", "route"}, true, "Stopped web due to VNET failure"},
		{[]string{"setfib", "0", "jexec", "ioc-web", "/bin/sh", "/etc/rc"}, true, "Refusing to start web: exec_start failed"},
		{[]string{"/bin/sh", "-c", "echo poststart"}, true, "Refusing to start web: exec_poststart failed"},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.fail, "_"), func(t *testing.T) {
			h := lifeHarness(t)
			dir := h.layJail("web", map[string]any{
				"vnet": 1, "ip4_addr": "vnet0|10.0.0.5/24", "defaultrouter": "10.0.0.1", "defaultrouter6": "none",
				"memoryuse": "deny=1g", "cpuset": "0-1", "vnet0_mac": "02ff60000001 02ff60000002",
			})
			h.run.Fail(tc.fail, 1, "jail: ioc-web: failed\n")
			if code := do(h, runStart, startOptions{jails: []string{"web"}}); code != 1 || !strings.Contains(h.stderr.String(), tc.msg) {
				t.Fatalf("code %d stderr %q, want %q", code, h.stderr.String(), tc.msg)
			}
			if n := strings.Count(strings.TrimSpace(h.stderr.String()), "\n"); n != 0 {
				t.Fatalf("more than one error line: %q", h.stderr.String())
			}
			lines := h.lines()
			last := strings.Join(lines, "\n")
			removed := strings.Contains(last, "jail -q -f "+h.conf("web")+" -r ioc-web")
			if removed != tc.created {
				t.Fatalf("forced stop %v, want %v:\n%s", removed, tc.created, last)
			}
			if tc.created {
				// The forced stop runs no hook of the jail's own.
				i := len(lines) - 1
				for i > 0 && lines[i] != "rctl" {
					i--
				}
				stop := strings.Join(lines[i:], "\n")
				if strings.Contains(stop, "echo prestop") || strings.Contains(stop, "rc.shutdown") {
					t.Fatalf("forced stop ran the jail's stop:\n%s", stop)
				}
				if !strings.Contains(stop, "ifconfig vnet0.7 destroy") && !strings.Contains(strings.Join(tc.fail, " "), "epair") && !strings.Contains(strings.Join(tc.fail, " "), "jid") {
					t.Fatalf("no vnet teardown:\n%s", stop)
				}
			}
			if tc.fail[0] != "devfs" && !strings.Contains(last, "devfs rule -s 1000 delset") {
				t.Fatalf("devfs ruleset left:\n%s", last)
			}
			if _, err := os.Stat(h.conf("web")); !os.IsNotExist(err) {
				t.Fatalf("jail.conf left: %v", err)
			}
			cfg, _ := config.Load(filepath.Join(dir, "config.json"))
			if cfg.Has("last_started") {
				t.Fatal("last_started recorded for a failed start")
			}
		})
	}
}

// RCTL and cpuset failures leave the jail running, as in iocage, with
// the failure on stderr and exit status 1.
func TestStartDegradedKeepsJail(t *testing.T) {
	for _, fail := range [][]string{{"rctl", "-a"}, {"cpuset"}, {"mount", "-t", "procfs"}} {
		t.Run(strings.Join(fail, "_"), func(t *testing.T) {
			h := lifeHarness(t)
			dir := h.layJail("web", map[string]any{"memoryuse": "deny=1g", "cpuset": "0-1", "mount_procfs": 1})
			h.run.Fail(fail, 1, "failed\n")
			if code := do(h, runStart, startOptions{jails: []string{"web"}}); code != 1 || !strings.HasPrefix(h.stderr.String(), "web is running, but: ") {
				t.Fatalf("code %d stderr %q", code, h.stderr.String())
			}
			if last := strings.Join(h.lines(), "\n"); strings.Contains(last, " -r ioc-web") || strings.Contains(last, "delset") {
				t.Fatalf("the jail was stopped:\n%s", last)
			}
			cfg, _ := config.Load(filepath.Join(dir, "config.json"))
			if !cfg.Has("last_started") {
				t.Fatal("no last_started")
			}
		})
	}
}

func TestStartVnetSequence(t *testing.T) {
	h := lifeHarness(t)
	h.layJail("web", map[string]any{
		"vnet": 1, "interfaces": "vnet0:bridge0,vnet1:bridge1",
		"ip4_addr": "vnet0|10.0.0.5/24,vnet1|10.1.0.5/24", "ip6_addr": "vnet0|2001:db8::5/64",
		"defaultrouter": "10.0.0.1", "defaultrouter6": "fe80::1%em0", "vnet_default_interface": "em0",
		"vnet1_mtu": "9000", "mac_prefix": "02ff60",
	})
	h.run.On([]string{"ifconfig"}, "em0: flags=8843<UP> metric 0 mtu 1500\n\tinet 10.0.0.10 netmask 0xffffff00 broadcast 10.0.0.255\n", nil)
	h.run.On([]string{"ifconfig", "bridge0"}, "bridge0: flags=8843<UP> metric 0 mtu 1500\n\tmember: em0 flags=143<LEARNING>\n", nil)
	h.run.On([]string{"ifconfig", "em0"}, "em0: flags=8843<UP,BROADCAST> metric 0 mtu 1400\n", nil)
	h.run.On([]string{"ifconfig", "epair", "create"}, "epair3a\n", nil)
	h.run.On([]string{"ifconfig", "epair", "create"}, "epair3a\n", nil)
	if code := do(h, runStart, startOptions{jails: []string{"web"}}); code != 0 {
		t.Fatalf("start: %s", h.stderr.String())
	}
	got := strings.Join(h.lines(), "\n")
	mac0a, mac0b := plan.GenerateMAC("web", "vnet0", "02ff60")
	for _, want := range []string{
		"ifconfig bridge0 create",
		"ifconfig em0",
		"ifconfig epair3a name vnet0.7 mtu 1400",
		"ifconfig vnet0.7 description associated with jail: web as nic: epair0b",
		"ifconfig epair3b vnet ioc-web",
		"jexec ioc-web ifconfig epair3b mtu 1400",
		"setfib 0 jexec ioc-web ifconfig epair3b name epair0b",
		"ifconfig bridge0 addm em0",
		"ifconfig bridge0 addm vnet0.7 up",
		"ifconfig vnet0.7 up",
		"setfib 0 jexec ioc-web ifconfig epair0b 10.0.0.5/24 alias",
		"setfib 0 jexec ioc-web ifconfig epair0b inet6 2001:db8::5/64 up",
		"ifconfig epair3a name vnet1.7 mtu 9000",
		"setfib 0 jexec ioc-web ifconfig epair1b 10.1.0.5/24 alias",
		"setfib 0 jexec ioc-web route add default 10.0.0.1",
		"setfib 0 jexec ioc-web route add -6 default fe80::1%epair0b",
	} {
		if !strings.Contains(got, want+"\n") {
			t.Fatalf("missing %q in:\n%s", want, got)
		}
	}
	if mac0a == "" || !strings.Contains(h.stdout.String(), "  + Configuring VNET OK\n  + Using IP options: vnet\n") {
		t.Fatalf("stdout %q", h.stdout.String())
	}
	cfg, _ := config.Load(filepath.Join(h.zfs.MountPath("tank/iocage/jails/web"), "config.json"))
	if v, _ := cfg.Get("vnet0_mac"); v != mac0a+" "+mac0b {
		t.Fatalf("vnet0_mac %q", v)
	}
}

func TestStartOrderAndDepends(t *testing.T) {
	h := lifeHarness(t)
	h.layJail("a", map[string]any{"boot": 1, "priority": "10"})
	h.layJail("b", map[string]any{"boot": 1, "priority": "20"})
	h.layJail("c", map[string]any{"boot": 1, "priority": "10", "depends": "d"})
	h.layJail("d", map[string]any{"priority": "50", "depends": "e"})
	h.layJail("e", map[string]any{"priority": "5"})
	h.layJail("off", map[string]any{"priority": "1"})
	if code := do(h, runStart, startOptions{rc: true, workers: 1}); code != 0 {
		t.Fatalf("start --rc: %s", h.stderr.String())
	}
	var order []string
	for _, c := range h.run.Calls() {
		if c.Name == "jail" {
			order = append(order, strings.TrimSuffix(filepath.Base(c.Args[1]), ".conf"))
		}
	}
	if got := strings.Join(order, " "); got != "jail.ioc-a jail.ioc-e jail.ioc-d jail.ioc-c jail.ioc-b" {
		t.Fatalf("start order %s", got)
	}
	if !strings.HasPrefix(h.stdout.String(), "  Starting a\n* Starting a\n") {
		t.Fatalf("stdout %q", h.stdout.String())
	}

	// Stop --rc: boot jails only, priority descending.
	h.running(map[string]int{"a": 1, "b": 2, "c": 3, "d": 4, "e": 5})
	h.run.On([]string{"devfs", "rule", "showsets"}, "1\n2\n3\n4\n5\n1000\n", nil)
	before := len(h.run.Calls())
	if code := do(h, runStop, stopOptions{rc: true, workers: 1}); code != 0 {
		t.Fatalf("stop --rc: %s", h.stderr.String())
	}
	order = nil
	for _, c := range h.run.Calls()[before:] {
		if c.Name == "jail" {
			order = append(order, c.Args[len(c.Args)-1])
		}
	}
	if got := strings.Join(order, " "); got != "ioc-b ioc-a ioc-c" {
		t.Fatalf("stop order %s", got)
	}
}

func TestStartDependencyCycle(t *testing.T) {
	h := lifeHarness(t)
	h.layJail("a", map[string]any{"depends": "b"})
	h.layJail("b", map[string]any{"depends": "c"})
	h.layJail("c", map[string]any{"depends": "a"})
	h.layJail("x", nil)
	if code := do(h, runStart, startOptions{jails: []string{"x", "a"}}); code != 1 || h.stderr.String() != "dependency cycle: a -> b -> c -> a\n" {
		t.Fatalf("code %d stderr %q", code, h.stderr.String())
	}
	for _, l := range h.lines() {
		if strings.HasPrefix(l, "jail") || strings.HasPrefix(l, "devfs") {
			t.Fatalf("a cycle still ran %q", l)
		}
	}
	h.layJail("y", map[string]any{"depends": "nosuch"})
	if code := do(h, runStart, startOptions{jails: []string{"y"}}); code != 1 || h.stderr.String() != "y depends on nosuch: jail 'nosuch' not found!\n" {
		t.Fatalf("missing dependency: %q", h.stderr.String())
	}
}

// Jails of one priority start in parallel, up to -j at once: every jail -c
// waits until `width` of them are in flight, which only a parallel start
// reaches. Output stays in plan order.
func TestStartParallel(t *testing.T) {
	for _, width := range []int{1, 3} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			h := lifeHarness(t)
			for _, n := range []string{"p1", "p2", "p3", "p4", "p5", "p6"} {
				h.layJail(n, map[string]any{"boot": 1, "priority": "10"})
			}
			h.layJail("late", map[string]any{"boot": 1, "priority": "20"})
			var mu sync.Mutex
			inFlight, maxInFlight := 0, 0
			h.run.Respond = func(c host.Cmd) (string, error) {
				if c.Name != "jail" {
					return "", nil
				}
				mu.Lock()
				inFlight++
				if inFlight > maxInFlight {
					maxInFlight = inFlight
				}
				mu.Unlock()
				// Hold each jail -c until width of them have been in flight
				// together; a start that never gets there gives up, and the
				// count below fails the test.
				for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
					mu.Lock()
					reached := maxInFlight >= width
					mu.Unlock()
					if reached {
						break
					}
				}
				mu.Lock()
				inFlight--
				mu.Unlock()
				return "", nil
			}
			if code := do(h, runStart, startOptions{rc: true, workers: width}); code != 0 {
				t.Fatalf("start: %s", h.stderr.String())
			}
			if maxInFlight != width {
				t.Fatalf("at most %d jails started at once, want %d", maxInFlight, width)
			}
			var want strings.Builder
			for _, n := range []string{"p1", "p2", "p3", "p4", "p5", "p6", "late"} {
				fmt.Fprintf(&want, "  Starting %s\n* Starting %s\n  + Started OK\n", n, n)
			}
			got := h.stdout.String()
			var heads strings.Builder
			for _, l := range strings.SplitAfter(got, "\n") {
				if strings.HasPrefix(l, "  Starting") || strings.HasPrefix(l, "* Starting") || strings.HasPrefix(l, "  + Started OK") {
					heads.WriteString(l)
				}
			}
			if heads.String() != want.String() {
				t.Fatalf("output order:\n%s", got)
			}
			// The late jail starts after every jail of the first priority.
			var last string
			for _, c := range h.run.Calls() {
				if c.Name == "jail" {
					last = c.Args[1]
				}
			}
			if !strings.HasSuffix(last, "jail.ioc-late.conf") {
				t.Fatalf("last jail -c %s", last)
			}
		})
	}
}

func TestStartSeveralFailuresReported(t *testing.T) {
	h := lifeHarness(t)
	h.layJail("a", map[string]any{"boot": 1})
	h.layJail("b", map[string]any{"boot": 1, "depends": "a"})
	h.layJail("c", map[string]any{"boot": 1})
	h.run.Fail([]string{"jail", "-f", h.conf("a")}, 1, "jail: ioc-a: boom\n")
	if code := do(h, runStart, startOptions{rc: true, workers: 1}); code != 1 {
		t.Fatalf("code %d", code)
	}
	want := "Refusing to start a: jail: ioc-a: boom\nb: not started: a failed\nfailed to start 2 jail(s): a, b\n"
	if got := h.stderr.String(); got != want {
		t.Fatalf("stderr:\n%s\nwant:\n%s", got, want)
	}
	if !strings.Contains(h.stdout.String(), "* Starting c\n") {
		t.Fatalf("c not started: %s", h.stdout.String())
	}
}

func TestRestartSoftAndHard(t *testing.T) {
	h := lifeHarness(t)
	h.layJail("web", nil)
	h.running(map[string]int{"web": 7})
	if code := do(h, runRestart, restartOptions{jails: []string{"web"}, soft: true}); code != 0 {
		t.Fatalf("restart -s: %s", h.stderr.String())
	}
	want := []string{
		"setfib 0 jexec ioc-web /bin/sh /etc/rc.shutdown",
		"pkill -j 7",
		"setfib 0 jexec ioc-web /bin/sh /etc/rc",
	}
	if got := h.lines(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("calls:\n%s", strings.Join(got, "\n"))
	}
	before := len(h.run.Calls())
	h.run.On([]string{"devfs", "rule", "showsets"}, "1\n2\n3\n4\n5\n1000\n", nil)
	if code := do(h, runRestart, restartOptions{jails: []string{"web"}}); code != 0 {
		t.Fatalf("restart: %s", h.stderr.String())
	}
	var seq []string
	for _, c := range h.run.Calls()[before:] {
		if c.Name == "jail" {
			seq = append(seq, c.Args[len(c.Args)-2]+" "+c.Args[len(c.Args)-1])
		}
	}
	if got := strings.Join(seq, ","); got != "-r ioc-web,"+h.conf("web")+" -c" {
		t.Fatalf("restart ran %s", got)
	}
}

func TestParseConsoleDebugChroot(t *testing.T) {
	for _, args := range [][]string{{"console", "-f", "web"}, {"-f", "console", "web"}} {
		if got, err := parseLine(t, parseConsole, args...); err != nil || got != (consoleOptions{jail: "web", force: true}) {
			t.Errorf("%q: %+v %v", args, got, err)
		}
	}
	for _, args := range [][]string{{"console"}, {"console", "a", "b"}} {
		if _, err := parseLine(t, parseConsole, args...); err == nil || err.Error() != "Usage: jcage console [-f] JAIL" {
			t.Errorf("%q: %v", args, err)
		}
	}
	if got, err := parseLine(t, parseDebug, "debug", "-d", "/tmp/dbg"); err != nil || got.dir != "/tmp/dbg" {
		t.Errorf("debug -d: %+v %v", got, err)
	}
	// chroot takes anything after the jail and points to exec and console.
	if got, err := parseLine(t, parseChroot, "chroot", "web", "-x", "ls"); err != nil || got.jail != "web" {
		t.Errorf("chroot: %+v %v", got, err)
	}
	for _, args := range [][]string{{"chroot"}, {"chroot", "-f", "web"}} {
		if _, err := parseLine(t, parseChroot, args...); err == nil || err.Error() != "Please specify a jail first!" {
			t.Errorf("%q: %v", args, err)
		}
	}
	h := newHarness(t)
	if code := do(h, runChroot, chrootOptions{jail: "web"}); code != 1 ||
		h.stderr.String() != "chroot is not supported: use 'jcage exec web COMMAND' or 'jcage console web'\n" {
		t.Errorf("chroot: %d %q", code, h.stderr.String())
	}
}

func TestParseExec(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want execOptions
	}{
		{[]string{"exec", "web", "ls", "-la"}, execOptions{jail: "web", command: []string{"ls", "-la"}, hostUser: "root"}},
		{[]string{"exec", "web", "--", "ls", "-la"}, execOptions{jail: "web", command: []string{"ls", "-la"}, hostUser: "root"}},
		{[]string{"exec", "--", "web", "ls"}, execOptions{jail: "web", command: []string{"ls"}, hostUser: "root"}},
		{[]string{"exec", "-U", "www", "web", "id"}, execOptions{jail: "web", command: []string{"id"}, jailUser: "www"}},
		{[]string{"exec", "-uroot", "-U", "www", "web", "id"}, execOptions{jail: "web", command: []string{"id"}, hostUser: "root", jailUser: "www"}},
		{[]string{"exec", "--host_user=daemon", "-f", "-p", "web", "id"}, execOptions{jail: "web", command: []string{"id"}, hostUser: "daemon", force: true, keepProxy: true}},
		{[]string{"-f", "exec", "web", "id"}, execOptions{jail: "web", command: []string{"id"}, hostUser: "root", force: true}},
	} {
		if got, err := parseLine(t, parseExec, tc.args...); err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q: %+v %v, want %+v", tc.args, got, err, tc.want)
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"exec"}, "Please specify a jail first!"},
		{[]string{"exec", "-f"}, "Please specify a jail first!"},
		{[]string{"exec", "web"}, "Usage: jcage exec [-u USER | -U USER] [-f] [-p] JAIL|ALL COMMAND..."},
		{[]string{"exec", "-x", "web", "id"}, "no such option: -x"},
		{[]string{"exec", "-u"}, "option -u requires an argument"},
	} {
		if _, err := parseLine(t, parseExec, tc.args...); err == nil || err.Error() != tc.want {
			t.Errorf("%q: %v, want %q", tc.args, err, tc.want)
		}
	}
}

func TestParsePkg(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want pkgOptions
	}{
		{[]string{"pkg", "web", "install", "-y", "nginx"}, pkgOptions{jail: "web", args: []string{"install", "-y", "nginx"}}},
		{[]string{"pkg", "--", "web", "info"}, pkgOptions{jail: "web", args: []string{"info"}}},
		{[]string{"pkg", "web"}, pkgOptions{jail: "web", args: []string{}}},
	} {
		if got, err := parseLine(t, parsePkg, tc.args...); err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q: %+v %v, want %+v", tc.args, got, err, tc.want)
		}
	}
	if _, err := parseLine(t, parsePkg, "pkg"); err == nil || err.Error() != "Usage: jcage pkg JAIL|ALL [PKG ARGS...]" {
		t.Errorf("pkg: %v", err)
	}
	if _, err := parseLine(t, parsePkg, "pkg", "-y", "web"); err == nil || err.Error() != "no such option: -y" {
		t.Errorf("pkg -y: %v", err)
	}
}

func TestParseStartStopRestart(t *testing.T) {
	start, err := parseLine(t, parseStart, "start", "--rc", "-j", "4", "-i")
	if err != nil || !start.rc || start.workers != 4 || !start.ignore || len(start.jails) != 0 {
		t.Fatalf("start: %+v %v", start, err)
	}
	if start, err = parseLine(t, parseStart, "start", "a", "b"); err != nil || strings.Join(start.jails, " ") != "a b" || start.workers != lifecycle.DefaultWorkers {
		t.Fatalf("start a b: %+v %v", start, err)
	}
	for _, args := range [][]string{{"stop", "-f", "web"}, {"-f", "stop", "web"}, {"--force", "stop", "web"}, {"stop", "web", "-f"}} {
		stop, err := parseLine(t, parseStop, args...)
		if err != nil || !stop.force || strings.Join(stop.jails, " ") != "web" {
			t.Fatalf("%v: %+v %v", args, stop, err)
		}
	}
	if stop, err := parseLine(t, parseStop, "stop", "--rc", "-j1"); err != nil || stop.force || !stop.rc || stop.workers != 1 {
		t.Fatalf("stop --rc: %+v %v", stop, err)
	}
	if r, err := parseLine(t, parseRestart, "restart", "-s", "-j", "2", "a"); err != nil || !r.soft || r.workers != 2 || strings.Join(r.jails, " ") != "a" {
		t.Fatalf("restart: %+v %v", r, err)
	}
}

func TestExecConsolePkg(t *testing.T) {
	h := lifeHarness(t)
	h.layJail("web", map[string]any{"ip4_addr": "em0|10.0.0.5/24", "login_flags": "-f admin"})
	h.layJail("noip", nil)
	h.running(map[string]int{"web": 7, "noip": 8})
	execIn := func(opts execOptions) func() int { return func() int { return do(h, runExec, opts) } }
	for _, tc := range []struct {
		name string
		run  func() int
		want string
	}{
		{"exec web ls /", execIn(execOptions{jail: "web", command: []string{"ls", "/"}, hostUser: "root"}), "setfib 0 jexec -u root ioc-web ls /"},
		{"exec web 'ls -la | wc -l'", execIn(execOptions{jail: "web", command: []string{"ls -la | wc -l"}, hostUser: "root"}), "setfib 0 jexec -u root ioc-web /bin/sh -c ls -la | wc -l"},
		{"exec -U www web id", execIn(execOptions{jail: "web", command: []string{"id"}, jailUser: "www"}), "setfib 0 jexec -U www ioc-web /bin/sh -c id"},
		{"exec -u daemon web id x", execIn(execOptions{jail: "web", command: []string{"id", "x"}, hostUser: "daemon"}), "setfib 0 jexec -u daemon ioc-web id x"},
		{"exec web -- ls -la", execIn(execOptions{jail: "web", command: []string{"ls", "-la"}, hostUser: "root"}), "setfib 0 jexec -u root ioc-web ls -la"},
		{"console web", func() int { return do(h, runConsole, consoleOptions{jail: "web"}) }, "setfib 0 jexec -u root ioc-web login -p -f admin"},
		{"pkg web install nginx", func() int { return do(h, runPkg, pkgOptions{jail: "web", args: []string{"install", "nginx"}}) }, "pkg -j 7 install nginx"},
	} {
		before := len(h.run.Calls())
		if code := tc.run(); code != 0 {
			t.Fatalf("%s: %s", tc.name, h.stderr.String())
		}
		calls := h.run.Calls()[before:]
		last := calls[len(calls)-1]
		if last.String() != tc.want {
			t.Fatalf("%s ran %q, want %q", tc.name, last.String(), tc.want)
		}
		if strings.HasPrefix(tc.name, "exec") && !contains(last.Env, "HOME=/") {
			t.Fatalf("exec_clean environment missing: %v", last.Env)
		}
	}
	if code := do(h, runPkg, pkgOptions{jail: "noip", args: []string{"info"}}); code != 1 || !strings.HasPrefix(h.stderr.String(), "The jail requires an IP address before you can use pkg.") {
		t.Fatalf("pkg without address: %q", h.stderr.String())
	}
	if code := do(h, runExec, execOptions{jail: "web", command: []string{"id"}, hostUser: "a", jailUser: "b"}); code != 1 || h.stderr.String() != "Please only specify either host_user or jail_user, not both!\n" {
		t.Fatalf("both users: %q", h.stderr.String())
	}
	h.run.Fail([]string{"setfib", "0", "jexec", "-u", "root", "ioc-web", "false"}, 3, "")
	if code := do(h, runExec, execOptions{jail: "web", command: []string{"false", "x"}, hostUser: "root"}); code != 1 || h.stderr.String() != "Command: false x failed! (exit status 3)\n" {
		t.Fatalf("failing command: %q", h.stderr.String())
	}

	// Not running: refused, or started first with -f.
	h.running(nil)
	if code := do(h, runExec, execOptions{jail: "web", command: []string{"id"}, hostUser: "root"}); code != 1 || h.stderr.String() != "web is not running! Please supply --force (-f) or start the jail\n" {
		t.Fatalf("exec on a stopped jail: %q", h.stderr.String())
	}
	before := len(h.run.Calls())
	if code := do(h, runConsole, consoleOptions{jail: "web", force: true}); code != 0 {
		t.Fatalf("console -f: %s", h.stderr.String())
	}
	var ran []string
	for _, c := range h.run.Calls()[before:] {
		ran = append(ran, c.Name)
	}
	if s := strings.Join(ran, " "); !strings.Contains(s, "jail") || !strings.HasSuffix(s, "setfib") {
		t.Fatalf("console -f ran %s", s)
	}
}

// create and the others start jails through the host's life cycle.
func TestWireLifecycle(t *testing.T) {
	h := lifeHarness(t)
	h.layJail("web", nil)
	if err := h.env().deps().host.Lifecycle.Start(context.Background(), []string{"web"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(h.lines(), "\n"), "jail -f "+h.conf("web")+" -c") {
		t.Fatalf("calls %v", h.lines())
	}
}

// The rc.d script runs `jcage start --rc` and `jcage stop --rc` when
// jcage_enable is set, under a stand-in for rc.subr.
func TestRCScript(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "..", "rc.d", "jcage"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	subr := filepath.Join(dir, "rc.subr")
	stub := `load_rc_config() { :; }
checkyesno() { eval v=\$$1; case "$v" in [Yy][Ee][Ss]) return 0;; esac; return 1; }
run_rc_command() { case "$1" in start) $start_cmd;; stop) $stop_cmd;; status) $status_cmd;; esac; }
`
	log := filepath.Join(dir, "log")
	prog := filepath.Join(dir, "jcage")
	if err := os.WriteFile(subr, []byte(stub), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(prog, []byte("#!/bin/sh\necho \"$@\" >> "+log+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(dir, "rc")
	if err := os.WriteFile(script, []byte(strings.Replace(string(src), ". /etc/rc.subr", ". "+subr, 1)), 0o755); err != nil {
		t.Fatal(err)
	}
	run := func(env []string, args ...string) {
		cmd := exec.Command("/bin/sh", append([]string{script}, args...)...)
		cmd.Env = append(os.Environ(), append([]string{"jcage_program=" + prog}, env...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v: %v: %s", args, err, out)
		}
	}
	run([]string{"jcage_enable=NO"}, "start")
	run([]string{"jcage_enable=YES"}, "start")
	run([]string{"jcage_enable=YES", "jcage_jobs=1"}, "stop")
	got, _ := os.ReadFile(log)
	if string(got) != "start --rc\nstop --rc -j 1\n" {
		t.Fatalf("ran:\n%s", got)
	}
}

// jail -r exits 1 when an unmount step fails after the jail is removed
// (check_path: an fstab entry no longer mounted). jls no longer knows the
// jail: the stop goes on with poststop and the sweep, and warns.
func TestStopWhenJailRemovedButUnmountFailed(t *testing.T) {
	h := lifeHarness(t)
	h.layJail("web", nil)
	h.running(map[string]int{"web": 7})
	if err := os.WriteFile(h.conf("web"), []byte("\"ioc-web\" {\n\tpersist;\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	h.run.Fail([]string{"jail", "-q"}, 1, "jail: ioc-web: mount.fstab: /x/root/media: not a mount point\n")
	h.run.Fail([]string{"jls", "-j", "ioc-web", "jid"}, 1, "jls: jail \"ioc-web\" not found\n")
	if code := do(h, runStop, stopOptions{jails: []string{"web"}}); code != 0 {
		t.Fatalf("stop: %d %q", code, h.stderr.String())
	}
	if !strings.Contains(h.stderr.String(), "  + Warning: jail -r: jail: ioc-web: mount.fstab: /x/root/media: not a mount point") {
		t.Fatalf("stderr %q", h.stderr.String())
	}
	got := strings.Join(h.lines(), "\n")
	if !strings.Contains(got, "mount -p") {
		t.Fatalf("no unmount sweep:\n%s", got)
	}
	if _, err := os.Stat(h.conf("web")); !os.IsNotExist(err) {
		t.Fatalf("run conf left: %v", err)
	}
}
