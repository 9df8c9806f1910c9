package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The start decisions of ioc_start.py (freebsd/iocage) one by one, each a
// subtest named after what it pins, all in one pool.
func TestSystemStartParity(t *testing.T) {
	w, _ := startWorld(t)
	w.Setenv("JCAGE_SIM_FIBS", "4")
	w.Tool("setfib", "2", "route", "add", "default", "10.0.0.254")
	hooks := t.TempDir()

	// start runs jcage start NAME and returns the simulator calls it made,
	// one argv per line, and its result.
	start := func(t *testing.T, name string, props map[string]any) (string, int, string) {
		t.Helper()
		layStartable(t, w, name, props)
		before := len(w.Calls())
		r := w.Jcage("start", name)
		return strings.Join(argvs(w.Calls()[before:]), "\n"), r.Code, r.Stdout + r.Stderr
	}
	stop := func(name string) { w.Jcage("stop", name) }
	vnet := func(props map[string]any) map[string]any {
		props["vnet"] = 1
		props["mac_prefix"] = "02ff60"
		return props
	}

	t.Run("1-ipv4-route-with-slaac", func(t *testing.T) {
		log, code, out := start(t, "p1", vnet(map[string]any{"ip4_addr": "vnet0|10.0.0.33/24", "ip6_addr": "vnet0|accept_rtadv", "defaultrouter": "10.0.0.1"}))
		defer stop("p1")
		if code != 0 || !strings.Contains(log, "setfib 0 jexec ioc-p1 route add default 10.0.0.1") || strings.Contains(log, "route add -6") {
			t.Fatalf("exit %d %s\n%s", code, out, log)
		}
	})
	t.Run("2-dhcp-keeps-static-ipv6", func(t *testing.T) {
		w.Setenv("JCAGE_SIM_JEXEC_STDOUT", matrixDHCPLease)
		defer w.Setenv("JCAGE_SIM_JEXEC_STDOUT", "")
		log, code, out := start(t, "p2", vnet(map[string]any{"bpf": 1, "dhcp": 1, "ip6_addr": "vnet0|2001:db8::34/64", "defaultrouter6": "2001:db8::1"}))
		defer stop("p2")
		if code != 0 || !strings.Contains(log, "setfib 0 jexec ioc-p2 ifconfig epair0b inet6 2001:db8::34/64 up") ||
			!strings.Contains(log, "setfib 0 jexec ioc-p2 route add -6 default 2001:db8::1") || strings.Contains(log, "route add default") {
			t.Fatalf("exit %d %s\n%s", code, out, log)
		}
	})
	t.Run("3-bridge-none", func(t *testing.T) {
		log, code, out := start(t, "p3", vnet(map[string]any{"interfaces": "vnet0:none", "ip4_addr": "vnet0|10.0.0.37/24", "defaultrouter": "none"}))
		defer stop("p3")
		if code != 0 || strings.Contains(log, "addm") || strings.Contains(log, "ifconfig none") || !strings.Contains(log, "mtu 1500") {
			t.Fatalf("exit %d %s\n%s", code, out, log)
		}
	})
	t.Run("4-release-major-only", func(t *testing.T) {
		w.Setenv("JCAGE_SIM_HOST_RELEASE", "14.2-RELEASE-p1")
		_, code, out := start(t, "p4", map[string]any{"release": "14.3-RELEASE"})
		stop("p4")
		if code != 0 {
			t.Fatalf("a 14.2 host refused a 14.3 jail: %s", out)
		}
		w.Setenv("JCAGE_SIM_HOST_RELEASE", "15.0-CURRENT")
		_, code, out = start(t, "p4b", map[string]any{"release": "16.0-RELEASE"})
		stop("p4b")
		if code != 0 {
			t.Fatalf("a CURRENT host refused: %s", out)
		}
		w.Setenv("JCAGE_SIM_HOST_RELEASE", "14.3-RELEASE")
		_, code, out = start(t, "p4c", map[string]any{"release": "15.0-RELEASE"})
		if code == 0 || !strings.Contains(out, "Host: 14.3 is not greater than jail: 15.0") {
			t.Fatalf("a 14.3 host started a 15.0 jail: %d %s", code, out)
		}
	})
	t.Run("5-poststart-jid-jname", func(t *testing.T) {
		file := filepath.Join(hooks, "poststart")
		_, code, out := start(t, "p5", map[string]any{"exec_poststart": `echo "$JID $JNAME" > ` + file})
		defer stop("p5")
		b, _ := os.ReadFile(file)
		f := strings.Fields(string(b))
		if code != 0 || len(f) != 2 || f[0] == "" || f[1] != "ioc-p5" {
			t.Fatalf("exit %d %s; hook saw %q", code, out, b)
		}
		if jid := strings.TrimSpace(w.Tool("jls", "-j", "ioc-p5", "jid")); jid != f[0] {
			t.Fatalf("JID %q, jls says %q", f[0], jid)
		}
	})
	t.Run("6-fib-gateway", func(t *testing.T) {
		log, code, out := start(t, "p6", vnet(map[string]any{"exec_fib": "2", "ip4_addr": "vnet0|10.0.0.40/24", "defaultrouter": "auto"}))
		defer stop("p6")
		if code != 0 || !strings.Contains(log, "setfib 2 route -n get default") || !strings.Contains(log, "setfib 2 jexec ioc-p6 route add default 10.0.0.254") {
			t.Fatalf("exit %d %s\n%s", code, out, log)
		}
	})
	t.Run("7-nat-prestart-env", func(t *testing.T) {
		file := filepath.Join(hooks, "prestart")
		hook := `echo "R=$INTERNAL_DEFAULT_ROUTER I=$INTERNAL_IP B=$INTERNAL_BROADCAST_IP H=$EXT_HOST X=$EXT_BCAST" > ` + file
		// The rule file's ipfw is not simulated: the start fails after
		// exec_prestart has run.
		start(t, "p7", vnet(map[string]any{"nat": 1, "nat_interface": "em0", "exec_prestart": hook}))
		stop("p7")
		b, _ := os.ReadFile(file)
		if got := strings.TrimSpace(string(b)); got != "R=172.16.0.1 I=172.16.0.2 B=172.16.0.3 H=10.0.0.10 X=10.0.0.255" {
			t.Fatalf("nat prestart saw %q", got)
		}
		_, code, out := start(t, "p7b", map[string]any{"ip4_addr": "em0|10.0.0.45/24", "exec_prestart": hook})
		defer stop("p7b")
		b, _ = os.ReadFile(file)
		if got := strings.TrimSpace(string(b)); code != 0 || got != "R= I= B= H= X=" {
			t.Fatalf("exit %d %s; prestart without nat saw %q", code, out, got)
		}
	})
	t.Run("8-failures-keep-the-jail", func(t *testing.T) {
		// No /proc in the root: mount fails; iocage starts the jail anyway.
		_, code, out := start(t, "p8", map[string]any{"mount_procfs": 1, "cpuset": "0-1"})
		defer stop("p8")
		if code != 1 || !strings.Contains(out, "p8 is running, but: mount procfs") {
			t.Fatalf("exit %d %s", code, out)
		}
		if jls := w.Tool("jls", "-N"); !strings.Contains(jls, "ioc-p8") {
			t.Fatalf("not running:\n%s", jls)
		}
	})
	t.Run("9-lo0-in-vnet", func(t *testing.T) {
		log, code, out := start(t, "p9", vnet(map[string]any{"ip4_addr": "vnet0|10.0.0.38/24,lo0|127.0.0.38", "defaultrouter": "10.0.0.1"}))
		defer stop("p9")
		if code != 0 || !strings.Contains(log, "setfib 0 jexec ioc-p9 ifconfig lo0 127.0.0.38 alias") {
			t.Fatalf("exit %d %s\n%s", code, out, log)
		}
	})
}
