package jail

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/jcage/jcage/internal/config"
	"github.com/jcage/jcage/internal/layout"

	"github.com/jcage/jcage/internal/host"
	"github.com/jcage/jcage/internal/zfs"
)

func cmdLine(c host.Cmd) string { return c.String() }

func cmdLines(cs []host.Cmd) string {
	var out []string
	for _, c := range cs {
		out = append(out, c.String())
	}
	return strings.Join(out, "\n")
}

func TestShellSplitAndHookCmd(t *testing.T) {
	cases := []struct {
		in   string
		want []string
		err  bool
	}{
		{"", nil, false},
		{"/usr/bin/true", []string{"/usr/bin/true"}, false},
		{"echo a  b", []string{"echo", "a", "b"}, false},
		{`echo 'a b' "c \"d\"" e\ f`, []string{"echo", "a b", `c "d"`, "e f"}, false},
		{`sh -c "x; y"`, []string{"sh", "-c", "x; y"}, false},
		{`echo 'unterminated`, nil, true},
	}
	for _, tc := range cases {
		got, err := shellSplit(tc.in)
		if (err != nil) != tc.err || strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("shellSplit(%q) = %q, %v", tc.in, got, err)
		}
	}
	c, ok, err := HookCmd(`logger "jail up"; touch /tmp/x`)
	if !ok || err != nil || cmdLine(c) != "/bin/sh -c logger jail up; touch /tmp/x" {
		t.Fatalf("%q %v %v", cmdLine(c), ok, err)
	}
	if c, ok, err := HookCmd("/bin/sh"); !ok || err != nil || cmdLine(c) != "/bin/sh" {
		t.Fatalf("single executable: %q %v %v", cmdLine(c), ok, err)
	}
	if _, _, err := HookCmd("/etc/passwd"); !errors.Is(err, ErrNotExecutable) {
		t.Fatalf("not executable: %v", err)
	}
	if _, ok, err := HookCmd("  "); ok || err != nil {
		t.Fatalf("empty: %v %v", ok, err)
	}
	if _, ok, err := HookCmd(" /usr/bin/true "); ok || err != nil {
		t.Fatalf("the default no-op hook runs: %v %v", ok, err)
	}
	if c, ok, err := HookCmd("/usr/bin/true && logger up"); !ok || err != nil || cmdLine(c) != "/bin/sh -c /usr/bin/true && logger up" {
		t.Fatalf("a hook beginning with true: %q %v %v", cmdLine(c), ok, err)
	}
	if got := cmdLine(JexecCmd("2", "a.b", "ls", "-l")); got != "setfib 2 jexec ioc-a_b ls -l" {
		t.Fatal(got)
	}
}

func TestDevfsRules(t *testing.T) {
	p := effective(t, "d", map[string]any{"bpf": 1, "allow_tun": 1})
	rules := DefaultDevfsRules(p)
	if rules[0] != "hide" || rules[1] != "path null unhide" || len(rules) != 1+len(devfsUnhidden)+2 {
		t.Fatalf("%q", rules)
	}
	if rules[len(rules)-3] != "path zfs unhide" || rules[len(rules)-2] != "path bpf* unhide" || rules[len(rules)-1] != "path tun* unhide" {
		t.Fatalf("tail %q", rules[len(rules)-3:])
	}
	fuse := DefaultDevfsRules(effective(t, "d", map[string]any{"allow_mount_fusefs": 1}))
	if fuse[len(fuse)-1] != "path fuse unhide" {
		t.Fatalf("%q", fuse[len(fuse)-1])
	}
	c := DevfsAddCmd(1001, []string{"hide", "path null unhide"})
	b, _ := io.ReadAll(c.Stdin)
	if cmdLine(c) != "devfs rule -s 1001 add -" || string(b) != "hide\npath null unhide\n" {
		t.Fatalf("%q %q", cmdLine(c), b)
	}
	if got := CloneDevfsRules("100 include 1\n200 path bpf* unhide\n\n300 path pf mode 660\n"); strings.Join(got, "|") != "include 1|path bpf* unhide|path pf mode 660" {
		t.Fatalf("%q", got)
	}
	if got := cmdLine(DevfsDelsetCmd(1000)); got != "devfs rule -s 1000 delset" {
		t.Fatal(got)
	}
	if s := parseShowsets([]byte("1\n2\n1000\n")); !s[1000] || s[4] {
		t.Fatalf("%v", s)
	}
}

// Parallel starts draw distinct ruleset numbers from one showsets read,
// and a configured ruleset is cloned rule by rule.
func TestCreateRuleset(t *testing.T) {
	rec := &host.Recorder{}
	rec.On([]string{"devfs", "rule", "showsets"}, "1\n2\n3\n4\n5\n1000\n1002\n", nil)
	rec.On([]string{"devfs", "rule", "-s", "5", "show"}, "100 include 1\n200 path pf unhide\n", nil)
	h := &Host{Run: rec}
	var d devfsSets
	ctx := context.Background()
	p := effective(t, "x", nil)
	var mu sync.Mutex
	got := map[int]bool{}
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			plan, err := h.createRuleset(ctx, &d, "x", p)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			got[plan.Number] = true
			mu.Unlock()
		}()
	}
	wg.Wait()
	if !got[1001] || !got[1003] || !got[1004] || len(got) != 3 {
		t.Fatalf("numbers %v", got)
	}
	clone, err := h.createRuleset(ctx, &d, "x", effective(t, "x", map[string]any{"devfs_ruleset": "5"}))
	if err != nil || clone.Number != 1005 || clone.ClonedFrom != "5" || clone.Message() != "  + Using devfs_ruleset: 1005 (cloned from devfs_ruleset 5)" {
		t.Fatalf("%+v %v", clone, err)
	}
	if _, err := h.createRuleset(ctx, &d, "x.y", effective(t, "x", map[string]any{"devfs_ruleset": "42"})); err == nil || err.Error() != "x_y devfs_ruleset 42 does not exist! - Not starting jail" {
		t.Fatalf("missing ruleset: %v", err)
	}
	n := 0
	for _, l := range rec.Lines() {
		if l == "devfs rule showsets" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("showsets read %d times", n)
	}
}

const ifconfigSample = `em0: flags=8843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST> metric 0 mtu 1500
	ether 58:9c:fc:00:00:01
	inet 10.0.0.10 netmask 0xffffff00 broadcast 10.0.0.255
	inet6 fe80::1%em0 prefixlen 64 scopeid 0x1
	inet6 2001:db8::10 prefixlen 64
lo0: flags=8049<UP,LOOPBACK,RUNNING,MULTICAST> metric 0 mtu 16384
	inet 127.0.0.1 netmask 0xff000000
	inet 127.0.0.2 netmask 0xffffffff
bridge0: flags=8843<UP> metric 0 mtu 1500
	inet 10.0.0.99 netmask 0xffffff00
	member: vnet0.3 flags=143<LEARNING,DISCOVER,AUTOEDGE,AUTOPTP>
`

func TestHostNet(t *testing.T) {
	ifs := ParseIfconfig(ifconfigSample)
	if len(ifs) != 3 || ifs[0].Name != "em0" || ifs[0].MTU != "1500" || strings.Join(ifs[0].Inet6, ",") != "fe80::1,2001:db8::10" {
		t.Fatalf("%+v", ifs)
	}
	gw, ifc := ParseRouteGet("   route to: default\ndestination: default\n       mask: default\n    gateway: 10.0.0.1\n        fib: 0\n  interface: em0\n")
	if gw != "10.0.0.1" || ifc != "em0" {
		t.Fatal(gw, ifc)
	}
	n := &hostNet{Ifaces: ifs, GW4: "10.0.0.1", If4: "em0", If6: "em0"}
	cases := []struct {
		in   string
		v6   bool
		want string
	}{
		{"10.0.0.5/24", false, "em0|10.0.0.5/24"},
		{"10.0.0.10", false, "10.0.0.10"},     // already the host's: jail(8) must not add it
		{"10.0.0.99", false, "em0|10.0.0.99"}, // a bridge's address does not count
		{"lo1|127.0.1.1,10.0.0.6", false, "lo1|127.0.1.1,em0|10.0.0.6"},
		{"2001:db8::10", true, "2001:db8::10"},
		{"2001:db8::5/64", true, "em0|2001:db8::5/64"},
	}
	for _, tc := range cases {
		if got := n.CheckAliases(tc.in, tc.v6); got != tc.want {
			t.Errorf("CheckAliases(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := (&hostNet{Ifaces: ifs}).CheckAliases("10.0.0.5", false); got != "10.0.0.5" {
		t.Fatalf("without a default route: %q", got)
	}
	if lo, err := n.unusedLoopback(); err != nil || lo != "127.0.0.3" {
		t.Fatal(lo, err)
	}
	if d, err := (&hostNet{If6: "em1"}).defaultIface(); err != nil || d != "em1" {
		t.Fatal(d, err)
	}
}

func TestVnetCmds(t *testing.T) {
	a, b := GenerateMAC("web", "vnet0", "02ff60")
	if a != "02ff604e07f1" || b != "02ff604e07f2" {
		t.Fatalf("%s %s", a, b)
	}
	if a, b := GenerateMAC("x", "vnet0", "02ff60ffffff"); a != "02ff60ffffff" || b != "02ff61000000" {
		t.Fatalf("carry: %s %s", a, b)
	}
	spec := VnetIfaceSpec{
		Name: "web", JID: 7, Fib: "0", Nic: vnetNic{"vnet0", "bridge0"}, EpairA: "epair3a", MTU: "1500",
		MacA: "02ff604e07f1", MacB: "02ff604e07f2", DefaultIf: "em0",
	}
	cmds, optional := VnetIfaceCmds(spec)
	want := `ifconfig epair3a name vnet0.7 mtu 1500
ifconfig vnet0.7 link 02:ff:60:4e:07:f1
ifconfig vnet0.7 description associated with jail: web as nic: epair0b
ifconfig epair3b vnet ioc-web
jexec ioc-web ifconfig epair3b mtu 1500
setfib 0 jexec ioc-web ifconfig epair3b name epair0b
setfib 0 jexec ioc-web ifconfig epair0b link 02:ff:60:4e:07:f2
ifconfig bridge0 addm em0
ifconfig bridge0 addm vnet0.7 up
ifconfig vnet0.7 up`
	if got := cmdLines(cmds); got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
	if cmdLine(cmds[optional]) != "ifconfig bridge0 addm em0" {
		t.Fatalf("optional %d", optional)
	}
	// The epair already has the jail-side name; NAT gets the gateway
	// address instead of a bridge; SLAAC on the host end.
	spec.EpairA, spec.NATAddr, spec.RtAdv = "epair0a", "172.16.0.1", true
	cmds, optional = VnetIfaceCmds(spec)
	got := cmdLines(cmds)
	if optional != -1 || strings.Contains(got, "name epair0b") || strings.Contains(got, "addm") ||
		!strings.Contains(got, "ifconfig vnet0.7 inet 172.16.0.1/30\n") ||
		!strings.Contains(got, "ifconfig vnet0.7 inet6 auto_linklocal accept_rtadv autoconf\n") {
		t.Fatalf("nat:\n%s", got)
	}
	for _, tc := range []struct {
		c    host.Cmd
		want string
	}{
		{VnetAddrCmd("0", "web", "vnet1", "10.1.0.5/24", false), "setfib 0 jexec ioc-web ifconfig epair1b 10.1.0.5/24 alias"},
		{VnetAddrCmd("1", "web", "vnet0", "2001:db8::5/64", true), "setfib 1 jexec ioc-web ifconfig epair0b inet6 2001:db8::5/64 up"},
		{DefaultRouteCmd("0", "web", "10.0.0.1", false), "setfib 0 jexec ioc-web route add default 10.0.0.1"},
		{DefaultRouteCmd("0", "web", "fe80::1%epair0b", true), "setfib 0 jexec ioc-web route add -6 default fe80::1%epair0b"},
	} {
		if got := cmdLine(tc.c); got != tc.want {
			t.Errorf("%q, want %q", got, tc.want)
		}
	}
	p := effective(t, "web", map[string]any{"vnet": 1, "interfaces": "vnet0:bridge0,vnet1:bridge1", "ip4_addr": "vnet0|10.0.0.5/24", "vnet_interfaces": "em1 em2"})
	release, destroy := VnetTeardownCmds("web", 7, p)
	if cmdLines(release) != "ifconfig em1 -vnet ioc-web\nifconfig em2 -vnet ioc-web" ||
		cmdLines(destroy) != "ifconfig vnet0.7 destroy" {
		t.Fatalf("%s\n%s", cmdLines(release), cmdLines(destroy))
	}
	// The start made no NIC for lo0, and one per NIC for DHCP.
	if _, d := VnetTeardownCmds("web", 7, effective(t, "web", map[string]any{"vnet": 1, "ip4_addr": "lo0|127.0.0.3"})); len(d) != 0 {
		t.Fatalf("lo0 only: %s", cmdLines(d))
	}
	if _, d := VnetTeardownCmds("web", 7, effective(t, "web", map[string]any{"vnet": 1, "dhcp": 1, "interfaces": "vnet0:bridge0,vnet1:bridge1"})); cmdLines(d) != "ifconfig vnet0.7 destroy\nifconfig vnet1.7 destroy" {
		t.Fatalf("dhcp: %s", cmdLines(d))
	}
	if _, d := VnetTeardownCmds("web", 7, effective(t, "web", map[string]any{"vnet": 1})); len(d) != 0 {
		t.Fatalf("no address, no NIC: %s", cmdLines(d))
	}
	if got, err := ParseDHCPAddress("epair0b: flags=8843<UP> metric 0 mtu 1500\n\toptions=8<VLAN_MTU>\n\tinet 192.168.1.50 netmask 0xffffff00 broadcast 192.168.1.255\n"); err != nil || got != "192.168.1.50/24" {
		t.Fatal(got, err)
	}
	if _, err := ParseDHCPAddress("epair0b: flags\n"); err == nil {
		t.Fatal("parsed nothing")
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
	first, then := NATBackendCmds("pf")
	if cmdLines(first) != "sysctl -q net.inet.ip.forwarding=1\nkldload pf" || cmdLines(then) != "pfctl -e" {
		t.Fatal(cmdLines(first), cmdLines(then))
	}
	first, then = NATBackendCmds("ipfw")
	if cmdLines(first) != "sysctl -q net.inet.ip.forwarding=1\nsysctl net.inet.ip.fw.enable=1" ||
		cmdLines(then) != "kenv net.inet.ip.fw.default_to_accept=1\nkldload -n ipfw\nkldload -n ipfw_nat\nsysctl -q net.inet.ip.fw.enable=1" {
		t.Fatal(cmdLines(first), cmdLines(then))
	}
	if env := PrestartEnv(true, "172.16.0.1", "vnet0|172.16.0.2/30", extAddr{"10.0.0.10", "10.0.0.255"}); strings.Join(env, " ") != "INTERNAL_DEFAULT_ROUTER=172.16.0.1 INTERNAL_IP=172.16.0.2 EXT_HOST=10.0.0.10 EXT_BCAST=10.0.0.255 INTERNAL_BROADCAST_IP=172.16.0.3" {
		t.Fatalf("%v", env)
	}
	if env := PrestartEnv(false, "auto", "em0|172.16.0.1,lo0|127.0.0.2", extAddr{}); strings.Join(env, " ") != "INTERNAL_DEFAULT_ROUTER=auto INTERNAL_IP=172.16.0.1 INTERNAL_BROADCAST_IP=172.16.0.1" {
		t.Fatalf("%v", env)
	}
}

func TestJailCmds(t *testing.T) {
	c := JailStartCmd("/var/run/jail.ioc-web.conf", true, "web.example", "web")
	if cmdLine(c) != "jail -v -f /var/run/jail.ioc-web.conf -c" || strings.Join(c.Env, " ") != "IOCAGE_HOSTNAME=web.example IOCAGE_NAME=ioc-web" {
		t.Fatalf("%q %v", cmdLine(c), c.Env)
	}
	for _, tc := range []struct {
		c    host.Cmd
		want string
	}{
		{JailRemoveCmd("/r/jail.ioc-web.conf", true, false, "web"), "jail -q -f /r/jail.ioc-web.conf -r ioc-web"},
		{JailRemoveCmd("/r/jail.ioc-web.conf", false, true, "web"), "jail -q -v -r ioc-web"},
		{CpusetCmd("0-1", 7), "cpuset -l 0-1 -j 7"},
		{PkgCmd(7, []string{"install", "-y", "nginx"}), "pkg -j 7 install -y nginx"},
	} {
		if got := cmdLine(tc.c); got != tc.want {
			t.Errorf("%q, want %q", got, tc.want)
		}
	}
	if got := cmdLines(UmountCmds("/t/jails/web")); got != "umount -afF /t/jails/web/fstab\numount -f /t/jails/web/root/dev/fd\numount -f /t/jails/web/root/dev\numount -f /t/jails/web/root/proc\numount -f /t/jails/web/root/compat/linux/proc" {
		t.Fatal(got)
	}
	p := effective(t, "web", map[string]any{"memoryuse": "deny=1g", "pcpu": "deny=50"})
	if got := cmdLines(RCTLCmds("web", p)); got != "rctl -r jail:ioc-web:\nrctl -a jail:ioc-web:memoryuse:deny=1g\nrctl -a jail:ioc-web:pcpu:deny=50" {
		t.Fatal(got)
	}
	if RCTLCmds("web", effective(t, "web", nil)) != nil {
		t.Fatal("rctl without limits")
	}
	j := &Jail{Name: "web", JID: 7, Props: effective(t, "web", map[string]any{"exec_fib": "1"})}
	if got := cmdLines(SoftRestartCmds(j, j.Props)); got != "setfib 1 jexec ioc-web /bin/sh /etc/rc.shutdown\npkill -j 7\nsetfib 1 jexec ioc-web /bin/sh /etc/rc" {
		t.Fatal(got)
	}
}

func TestExecCmds(t *testing.T) {
	j := &Jail{Name: "web", Props: effective(t, "web", map[string]any{"login_flags": "-f admin"})}
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
		c, err := ExecCmd(j, tc.argv, tc.hu, tc.ju)
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
	if env, clean := ExecEnv(effective(t, "web", map[string]any{"exec_clean": 0}), getenv, false); env != nil || clean {
		t.Fatalf("%v", env)
	}
}

// A small inventory for planning tests.
func planInventory(t *testing.T, jails map[string]map[string]any) *Inventory {
	inv := &Inventory{}
	names := []string{}
	for n := range jails {
		names = append(names, n)
	}
	sortStrings(names)
	for _, n := range names {
		inv.Jails = append(inv.Jails, &Jail{Name: n, Props: effective(t, n, jails[n])})
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

func planString(items []*planItem) string {
	var out []string
	for _, it := range items {
		s := it.j.Name + "@" + string(rune('0'+it.batch))
		if !it.selected {
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
	targets, bulk, err := inv.resolveTargets(nil, true)
	if err != nil || !bulk || len(targets) != 3 {
		t.Fatalf("%v %v %v", targets, bulk, err)
	}
	items, err := inv.startPlan(targets)
	if err != nil || planString(items) != "a@0 e@0(dep) d@0(dep) c@0 b@1" {
		t.Fatalf("%s %v", planString(items), err)
	}
	if len(items[3].waitFor) != 1 || items[3].waitFor[0] != 2 {
		t.Fatalf("c waits for %v", items[3].waitFor)
	}
	all, _, _ := inv.resolveTargets([]string{"ALL"}, false)
	if items, _ := inv.startPlan(all); planString(items) != "e@0 off@0 a@1 d@1 c@1 b@2" {
		t.Fatalf("ALL: %s", planString(items))
	}
	stopItems, err := inv.stopPlan(targets)
	if err != nil {
		t.Fatal(err)
	}
	if got := planString(stopItems); got != "b@0 c@1 a@1" && got != "b@0 a@1 c@1" {
		t.Fatalf("stop: %s", got)
	}
	// Stop: a jail waits for the jails of its batch that depend on it.
	inv2 := planInventory(t, map[string]map[string]any{"db": {}, "web": {"depends": "db"}})
	sp, err := inv2.stopPlan(inv2.Jails)
	if err != nil {
		t.Fatal(err)
	}
	if planString(sp) != "web@0 db@0" || len(sp[1].waitFor) != 1 || sp[1].waitFor[0] != 0 {
		t.Fatalf("stop with depends: %s %v", planString(sp), sp[1].waitFor)
	}
	if _, _, err := inv.resolveTargets([]string{"a"}, true); err == nil {
		t.Fatal("--rc with names accepted")
	}
	if _, _, err := inv.resolveTargets(nil, false); err == nil || err.Error() != "Please specify jail(s) or ALL" {
		t.Fatalf("%v", err)
	}
	cyc := planInventory(t, map[string]map[string]any{"x": {"depends": "y"}, "y": {"depends": "x"}, "z": {"depends": "z"}})
	if _, err := cyc.startPlan(cyc.Jails[:1]); !errors.Is(err, ErrCycle) || err.Error() != "dependency cycle: x -> y -> x" {
		t.Fatalf("%v", err)
	}
	if _, err := cyc.startPlan(cyc.Jails[2:]); err == nil || err.Error() != "dependency cycle: z -> z" {
		t.Fatalf("%v", err)
	}
}

// runPlan honours batches and waits, fails dependents of a failure, and
// flushes in plan order whatever the completion order.
func TestRunPlan(t *testing.T) {
	inv := planInventory(t, map[string]map[string]any{
		"a": {"priority": "1"}, "b": {"priority": "1", "depends": "a"}, "c": {"priority": "1"}, "d": {"priority": "2"},
	})
	items, err := inv.startPlan(inv.Jails)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var ran []string
	var flushed []string
	results := runPlan(context.Background(), items, 4, "started", func(ctx context.Context, it *planItem, res *jobResult) {
		mu.Lock()
		ran = append(ran, it.j.Name)
		mu.Unlock()
		res.out.WriteString(it.j.Name)
		if it.j.Name == "a" {
			res.err = errors.New("boom")
		}
	}, func(it *planItem, res *jobResult) {
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
	var me *MultiError
	if !errors.As(err, &me) || err.Error() != "failed to start 2 jail(s): a, b" {
		t.Fatalf("%v", err)
	}
}

func TestPendingUmounts(t *testing.T) {
	mounted := ParseMountP("/dev/ada0p2\t\t/\t\t\tufs\trw\t\t1 1\n/src\t\t/t/jails/web/root/usr/my\\040src nullfs\tro\t\t0 0\nproc\t\t\t/t/jails/web/root/proc procfs\trw\t\t0 0\n")
	if !mounted["/t/jails/web/root/usr/my src"] || !mounted["/t/jails/web/root/proc"] {
		t.Fatalf("%v", mounted)
	}
	cmds := UmountCmds("/t/jails/web")
	if got := cmdLines(PendingUmounts(cmds, mounted, []string{"/t/jails/web/root/usr/my src"})); got != "umount -afF /t/jails/web/fstab\numount -f /t/jails/web/root/proc" {
		t.Fatal(got)
	}
	if got := PendingUmounts(cmds, map[string]bool{}, nil); len(got) != 0 {
		t.Fatal(cmdLines(got))
	}
}

// A stop of several jails reads the rctl rules and the live devfs
// rulesets once, not once per jail.
func TestStopReadsOnce(t *testing.T) {
	rec := &host.Recorder{}
	rec.On([]string{"rctl"}, "jail:ioc-a:memoryuse:deny=1073741824\n", nil)
	rec.On([]string{"jls", "name", "devfs_ruleset"}, "ioc-a 1000\nioc-b 1001\n", nil)
	r := (&Host{Run: rec}).newRun(&Inventory{}, Paths{RunDir: t.TempDir()}, false, nil)
	ctx := context.Background()
	for _, n := range []string{"a", "b"} {
		rules, ok := r.rctlRules(ctx)
		if !ok || strings.Contains(rules, "jail:ioc-b:") {
			t.Fatal(rules)
		}
		if rs, ok := r.liveRuleset(ctx, &Jail{Name: n}); !ok || (n == "a") != (rs == 1000) {
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
	h := &Host{ZFS: f, Run: rec}
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
	inv, err := h.Load(context.Background(), Options{Create: true, State: true})
	if err != nil {
		t.Fatal(err)
	}
	run := t.TempDir()
	err = h.StartJails(ctx, inv, []string{"web"}, StartOptions{Paths: Paths{RunDir: run, NATDir: run}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
	lines := strings.Join(rec.Lines(), "\n")
	if !strings.Contains(lines, "jail -q -f "+ConfPath(run, "web")+" -r ioc-web") || !strings.Contains(lines, "devfs rule -s 1000 delset") {
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
	sp, err := inv.stopPlan(inv.Jails)
	if planString(sp) != "web@0 db@0" || len(sp[1].waitFor) != 1 || sp[1].waitFor[0] != 0 {
		t.Fatalf("stop with an unknown depends: %s %v", planString(sp), sp[1].waitFor)
	}
	var nf *NotFoundError
	if !errors.As(err, &nf) || nf.Name != "gone" || !strings.HasPrefix(err.Error(), "web depends on gone: ") {
		t.Fatalf("unknown depends reported as %v", err)
	}
	if _, err := inv.startPlan(inv.Jails); err == nil {
		t.Fatal("start with an unknown depends accepted")
	}
}

// A jail whose dependent failed to stop is itself not stopped, and says so.
func TestRunPlanStopCascade(t *testing.T) {
	inv := planInventory(t, map[string]map[string]any{"db": {}, "web": {"depends": "db"}})
	items, err := inv.stopPlan(inv.Jails)
	if err != nil {
		t.Fatal(err)
	}
	results := runPlan(context.Background(), items, 2, "stopped", func(ctx context.Context, it *planItem, res *jobResult) {
		if it.j.Name == "web" {
			res.err = errors.New("boom")
		}
	}, func(*planItem, *jobResult) {})
	if results[1].err == nil || results[1].err.Error() != "db: not stopped: web failed" {
		t.Fatalf("db: %v", results[1].err)
	}
}
