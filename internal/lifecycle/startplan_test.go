package lifecycle

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jcage/jcage/internal/config"
	"github.com/jcage/jcage/internal/host"
	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/jail"
	"github.com/jcage/jcage/internal/layout"
	"github.com/jcage/jcage/internal/testworld/fixture"
	"github.com/jcage/jcage/internal/testworld/goldenfile"
	"github.com/jcage/jcage/internal/zfs"
)

// The start plan as data: each case is a config.json and a host, and its
// golden file holds every command the start runs, in order, with the
// environment jcage adds to it, then what the start printed and the
// error it returned. A change in what a start does shows as a diff here.
// The cases follow ioc_start.py of the freebsd/iocage fork (see
// startVnet, PrestartEnv, PoststartEnv, checkStartable, fibNet).

type planCase struct {
	name  string
	host  string         // uname -r; 14.3-RELEASE when empty
	props map[string]any // over a minimal iocage jail
	fail  [][]string     // argv prefixes that fail
}

var planCases = []planCase{
	// 1: static IPv4 and SLAAC: the IPv4 default route is still added.
	{name: "vnet-static4-slaac6", props: map[string]any{"vnet": 1, "ip4_addr": "vnet0|10.0.0.5/24", "ip6_addr": "vnet0|accept_rtadv", "defaultrouter": "10.0.0.1"}},
	// 1: DHCP and static IPv6 with a gateway: the IPv6 route is added.
	// 2: and the static IPv6 address is set.
	{name: "vnet-dhcp-static6", props: map[string]any{"vnet": 1, "bpf": 1, "dhcp": 1, "ip6_addr": "vnet0|2001:db8::5/64", "defaultrouter6": "2001:db8::1"}},
	{name: "vnet-dhcp-slaac6", props: map[string]any{"vnet": 1, "bpf": 1, "dhcp": 1, "ip6_addr": "vnet0|accept_rtadv"}},
	{name: "vnet-static4-static6", props: map[string]any{"vnet": 1, "ip4_addr": "vnet0|10.0.0.5/24", "ip6_addr": "vnet0|2001:db8::5/64", "defaultrouter": "10.0.0.1", "defaultrouter6": "2001:db8::1"}},
	// 3: a NIC without a bridge.
	{name: "vnet-bridge-none", props: map[string]any{"vnet": 1, "interfaces": "vnet0:none", "ip4_addr": "vnet0|10.0.0.5/24", "defaultrouter": "none"}},
	// 4: majors only; a 14.2 host starts a 14.3 jail.
	{name: "release-minor-newer", host: "14.2-RELEASE-p1", props: map[string]any{"release": "14.3-RELEASE"}},
	{name: "release-major-newer", host: "14.3-RELEASE", props: map[string]any{"release": "15.0-RELEASE"}},
	{name: "release-current-host", host: "15.0-CURRENT", props: map[string]any{"release": "16.0-RELEASE"}},
	// 5: exec_poststart is told JID and JNAME.
	{name: "poststart-env", props: map[string]any{"exec_poststart": "logger started"}},
	// 6: FIB 2's gateway and interface.
	{name: "fib2-auto", props: map[string]any{"vnet": 1, "exec_fib": "2", "ip4_addr": "vnet0|192.168.2.5/24", "defaultrouter": "auto", "vnet_default_interface": "auto"}},
	// 7: the NAT prestart environment, vnet and not; none without NAT.
	{name: "nat-vnet-prestart", props: map[string]any{"vnet": 1, "nat": 1, "nat_backend": "pf", "exec_prestart": "logger pre"}},
	{name: "nat-prestart", props: map[string]any{"nat": 1, "exec_prestart": "logger pre"}},
	{name: "nonat-prestart", props: map[string]any{"ip4_addr": "em0|10.0.0.6/24", "exec_prestart": "logger pre"}},
	// 8: the jail keeps running through RCTL, cpuset and procfs failures.
	{name: "rctl-cpuset-fail", props: map[string]any{"memoryuse": "deny=1g", "pcpu": "deny=50", "cpuset": "0-1", "mount_procfs": 1},
		fail: [][]string{{"rctl", "-a", "jail:ioc-web:memoryuse:deny=1g"}, {"cpuset"}, {"mount", "-t", "procfs"}}},
	// 9: lo0|ADDR in a vnet jail's ip4_addr.
	{name: "vnet-lo0", props: map[string]any{"vnet": 1, "ip4_addr": "vnet0|10.0.0.5/24,lo0|127.0.0.2", "defaultrouter": "10.0.0.1"}},
	// 10: /etc/hostid that cannot be read is an error of its own, not a
	// mismatch.
	{name: "hostid-unreadable", props: map[string]any{"hostid_strict_check": 1, "hostid": "0f7f4a4e-0000-0000-0000-000000000000"}},
	// 11: the ipfw set-up steps iocage runs without checking them are
	// reported when they fail; the start goes on.
	{name: "nat-ipfw-setup-fails", props: map[string]any{"nat": 1, "nat_interface": "em0"},
		fail: [][]string{{"sysctl", "net.inet.ip.fw.enable=1"}, {"kldload", "-n", "ipfw_nat"}, {"ifconfig", "em0", "-tso4"}}},
}

func TestStartPlans(t *testing.T) {
	for _, pc := range planCases {
		t.Run(pc.name, func(t *testing.T) {
			got := runStartPlan(t, pc)
			path := filepath.Join("testdata", "startplan", pc.name+".golden")
			if goldenfile.Update() {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to write it)", err)
			}
			if got != string(want) {
				t.Errorf("start plan differs from %s:\n--- got\n%s\n--- want\n%s", path, got, want)
			}
		})
	}
}

// runStartPlan starts the jail "web" of pc against a recording runner and
// renders what happened.
func runStartPlan(t *testing.T, pc planCase) string {
	t.Helper()
	ctx := context.Background()
	base := t.TempDir()
	f := zfs.NewFake(filepath.Join(base, "zfs"), "tank")
	rec := &host.Recorder{}
	release := pc.host
	if release == "" {
		release = "14.3-RELEASE"
	}
	var mu sync.Mutex
	epairs := 0
	rec.Respond = func(c host.Cmd) (string, error) {
		for _, p := range pc.fail {
			if argvHasPrefix(c.Argv(), p) {
				return "", &host.RunError{Argv: c.Argv(), Stderr: c.Name + ": failed", ExitCode: 1, Err: fmt.Errorf("exit status 1")}
			}
		}
		line := strings.Join(c.Argv(), " ")
		switch line {
		case "uname -r":
			return release + "\n", nil
		case "jls -v --libxo json":
			return `{"__version": "2", "jail-information": {"jail": []}}` + "\n", nil
		case "ifconfig":
			return fixture.PlanIfconfig, nil
		case "route -n get default":
			return "   route to: default\n    gateway: 10.0.0.1\n  interface: em0\n", nil
		case "route -n get -inet6 default":
			return "   route to: default\n    gateway: fe80::1%em0\n  interface: em0\n", nil
		case "setfib 2 route -n get default":
			return "   route to: default\n    gateway: 192.168.2.1\n  interface: em1\n", nil
		case "devfs rule showsets":
			return "1\n2\n3\n4\n", nil
		case "jls -j ioc-web jid":
			return "7\n", nil
		case "ifconfig bridge0":
			return "bridge0: flags=8843<UP> metric 0 mtu 1500\n\tmember: em0 flags=143<LEARNING>\n", nil
		case "ifconfig em0":
			return "em0: flags=8843<UP> metric 0 mtu 1500\n", nil
		case "sysctl kern.racct.enable":
			return "kern.racct.enable: 1\n", nil
		case "jexec ioc-web ifconfig epair0b inet":
			return "epair0b: flags=8843<UP> metric 0 mtu 1500\n\toptions=8<VLAN_MTU>\n\tinet 192.168.1.50 netmask 0xffffff00 broadcast 192.168.1.255\n", nil
		case "ifconfig epair create":
			mu.Lock()
			defer mu.Unlock()
			epairs++
			return fmt.Sprintf("epair%da\n", epairs+2), nil
		}
		return "", nil
	}
	h := &Host{&jail.Host{Host: &inventory.Host{ZFS: f, Run: rec}}}
	if err := h.Activate(ctx, "tank"); err != nil {
		t.Fatal(err)
	}
	l := layout.Layout{Pool: "tank"}
	if err := f.Create(ctx, l.JailRoot("web"), zfs.CreateOptions{Parents: true}); err != nil {
		t.Fatal(err)
	}
	dir := f.MountPath(l.Jail("web"))
	props := map[string]any{"CONFIG_VERSION": "34", "host_hostuuid": "web", "host_hostname": "web", "release": "14.3-RELEASE", "type": "jail",
		"jail_zfs_dataset": "iocage/jails/web/data", "mac_prefix": "02ff60"}
	for k, v := range pc.props {
		props[k] = v
	}
	c, err := config.ConfigFromMap(props)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.json"), c.Marshal(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "fstab"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "root", "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	inv, err := h.Load(ctx, inventory.Options{Create: true, State: true})
	if err != nil {
		t.Fatal(err)
	}
	run := filepath.Join(base, "run")
	var out, warn bytes.Buffer
	h.Out = &out
	before := len(rec.Calls())
	now := func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }
	err = h.StartJails(ctx, inv, []string{"web"}, StartOptions{Err: &warn, Now: now, Paths: Paths{
		RunDir: run, NATDir: run, Resolv: filepath.Join(base, "none"), Localtime: filepath.Join(base, "none"), HostID: filepath.Join(base, "none"),
	}})
	var b strings.Builder
	for _, c := range rec.Calls()[before:] {
		b.WriteString(c.String() + "\n")
		if len(c.Env) > 0 {
			env := append([]string(nil), c.Env...)
			sort.Strings(env)
			b.WriteString("\tenv " + strings.Join(env, " ") + "\n")
		}
	}
	b.WriteString("--- stdout\n" + out.String())
	b.WriteString("--- stderr\n" + warn.String())
	if err != nil {
		b.WriteString("--- error\n" + err.Error() + "\n")
	}
	return strings.ReplaceAll(b.String(), base, "$T")
}

func argvHasPrefix(argv, prefix []string) bool {
	if len(prefix) > len(argv) {
		return false
	}
	for i := range prefix {
		if argv[i] != prefix[i] {
			return false
		}
	}
	return true
}

// A pool marked the legacy way (zpool comment=iocage) is the active one:
// it gets org.freebsd.ioc:active=yes and its comment is reset.
func TestLegacyCommentPool(t *testing.T) {
	ctx := context.Background()
	f := zfs.NewFake(t.TempDir(), "apool", "tank")
	rec := &host.Recorder{}
	rec.On([]string{"zpool", "get"}, "apool\t-\ntank\tiocage\n", nil)
	h := &Host{&jail.Host{Host: &inventory.Host{ZFS: f, Run: rec}}}
	pool, err := h.FindPool(ctx, true)
	if err != nil || pool != "tank" {
		t.Fatalf("pool %q %v", pool, err)
	}
	if d, _ := f.Get(ctx, "tank", inventory.ActiveProp); d.Prop(inventory.ActiveProp) != "yes" {
		t.Fatalf("tank not activated: %+v", d)
	}
	if lines := strings.Join(rec.Lines(), "\n"); !strings.Contains(lines, "zpool set comment=- tank") {
		t.Fatalf("comment not reset:\n%s", lines)
	}
}
