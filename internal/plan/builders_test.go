package plan

import (
	"errors"
	"strings"
	"testing"

	"github.com/jcage/jcage/internal/argv"
	"github.com/jcage/jcage/internal/testworld/fixture"
)

func cmdLines(cs []argv.Cmd) string {
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
		{`echo "a\$b\n"`, []string{"echo", `a$b\n`}, false},
		{`echo 'unterminated`, nil, true},
		{`echo "unterminated`, nil, true},
	}
	for _, tc := range cases {
		got, err := ShellSplit(tc.in)
		if (err != nil) != tc.err || strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("ShellSplit(%q) = %q, %v", tc.in, got, err)
		}
	}
	for _, tc := range []struct {
		script, want, program string
		ok                    bool
	}{
		{`logger "jail up"; touch /tmp/x`, "/bin/sh -c logger jail up; touch /tmp/x", "", true},
		{"/usr/local/bin/hook", "/usr/local/bin/hook", "/usr/local/bin/hook", true},
		{"  ", "", "", false},
		{" /usr/bin/true ", "", "", false}, // the default no-op hook runs nothing
		{"/usr/bin/true && logger up", "/bin/sh -c /usr/bin/true && logger up", "", true},
	} {
		c, program, ok, err := HookCmd(tc.script)
		if err != nil || ok != tc.ok || program != tc.program || (ok && c.String() != tc.want) {
			t.Errorf("HookCmd(%q) = %q %q %v %v", tc.script, c.String(), program, ok, err)
		}
	}
	if _, _, _, err := HookCmd(`echo 'x`); err == nil || !strings.Contains(err.Error(), "No closing quotation") {
		t.Fatalf("unterminated hook: %v", err)
	}
	if got := JexecCmd("2", "a.b", "ls", "-l").String(); got != "setfib 2 jexec ioc-a_b ls -l" {
		t.Fatal(got)
	}
}

func TestDevfsRules(t *testing.T) {
	p := fixture.Effective(t, "d", map[string]any{"bpf": 1, "allow_tun": 1})
	rules := DefaultDevfsRules(p)
	if rules[0] != "hide" || rules[1] != "path null unhide" || len(rules) != 1+len(devfsUnhidden)+2 {
		t.Fatalf("%q", rules)
	}
	if rules[len(rules)-3] != "path zfs unhide" || rules[len(rules)-2] != "path bpf* unhide" || rules[len(rules)-1] != "path tun* unhide" {
		t.Fatalf("tail %q", rules[len(rules)-3:])
	}
	fuse := DefaultDevfsRules(fixture.Effective(t, "d", map[string]any{"allow_mount_fusefs": 1}))
	if fuse[len(fuse)-1] != "path fuse unhide" {
		t.Fatalf("%q", fuse[len(fuse)-1])
	}
	if got := CloneDevfsRules("100 include 1\n200 path bpf* unhide\n\n300 path pf mode 660\n"); strings.Join(got, "|") != "include 1|path bpf* unhide|path pf mode 660" {
		t.Fatalf("%q", got)
	}
	if m := (Ruleset{Number: 1005, ClonedFrom: "5"}).Message(); m != "  + Using devfs_ruleset: 1005 (cloned from devfs_ruleset 5)" {
		t.Fatal(m)
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
	n := &Net{Ifaces: ifs, GW4: "10.0.0.1", If4: "em0", If6: "em0"}
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
	if got := (&Net{Ifaces: ifs}).CheckAliases("10.0.0.5", false); got != "10.0.0.5" {
		t.Fatalf("without a default route: %q", got)
	}
	if lo, err := n.UnusedLoopback(); err != nil || lo != "127.0.0.3" {
		t.Fatal(lo, err)
	}
	if d, err := (&Net{If6: "em1"}).DefaultIface(); err != nil || d != "em1" {
		t.Fatal(d, err)
	}
	if _, err := (&Net{}).DefaultIface(); err == nil {
		t.Fatal("a default interface without routes")
	}
	if e := n.ExtAddr(); e != (ExtAddr{"10.0.0.10", "10.0.0.255"}) {
		t.Fatalf("%+v", e)
	}
	if !n.Has("bridge0") || n.Has("em9") {
		t.Fatal("Has")
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
		Name: "web", JID: 7, Fib: "0", Nic: NIC{"vnet0", "bridge0"}, EpairA: "epair3a", MTU: "1500",
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
	if cmds[optional].String() != "ifconfig bridge0 addm em0" {
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
		c    argv.Cmd
		want string
	}{
		{VnetAddrCmd("0", "web", "vnet1", "10.1.0.5/24", false), "setfib 0 jexec ioc-web ifconfig epair1b 10.1.0.5/24 alias"},
		{VnetAddrCmd("1", "web", "vnet0", "2001:db8::5/64", true), "setfib 1 jexec ioc-web ifconfig epair0b inet6 2001:db8::5/64 up"},
		{VnetAddrCmd("0", "web", "lo0", "127.0.0.2", false), "setfib 0 jexec ioc-web ifconfig lo0 127.0.0.2 alias"},
		{DefaultRouteCmd("0", "web", "10.0.0.1", false), "setfib 0 jexec ioc-web route add default 10.0.0.1"},
		{DefaultRouteCmd("0", "web", "fe80::1%epair0b", true), "setfib 0 jexec ioc-web route add -6 default fe80::1%epair0b"},
	} {
		if got := tc.c.String(); got != tc.want {
			t.Errorf("%q, want %q", got, tc.want)
		}
	}
	if got, err := ParseDHCPAddress("epair0b: flags=8843<UP> metric 0 mtu 1500\n\toptions=8<VLAN_MTU>\n\tinet 192.168.1.50 netmask 0xffffff00 broadcast 192.168.1.255\n"); err != nil || got != "192.168.1.50/24" {
		t.Fatal(got, err)
	}
	if _, err := ParseDHCPAddress("epair0b: flags\n"); err == nil {
		t.Fatal("parsed nothing")
	}
}

// The stop destroys the NICs the start made, and nothing else.
func TestVnetTeardown(t *testing.T) {
	p := fixture.Effective(t, "web", map[string]any{"vnet": 1, "interfaces": "vnet0:bridge0,vnet1:bridge1", "ip4_addr": "vnet0|10.0.0.5/24", "vnet_interfaces": "em1 em2"})
	release, destroy := VnetTeardownCmds("web", 7, p)
	if cmdLines(release) != "ifconfig em1 -vnet ioc-web\nifconfig em2 -vnet ioc-web" ||
		cmdLines(destroy) != "ifconfig vnet0.7 destroy" {
		t.Fatalf("%s\n%s", cmdLines(release), cmdLines(destroy))
	}
	// The start made no NIC for lo0, and one per NIC for DHCP.
	if _, d := VnetTeardownCmds("web", 7, fixture.Effective(t, "web", map[string]any{"vnet": 1, "ip4_addr": "lo0|127.0.0.3"})); len(d) != 0 {
		t.Fatalf("lo0 only: %s", cmdLines(d))
	}
	if _, d := VnetTeardownCmds("web", 7, fixture.Effective(t, "web", map[string]any{"vnet": 1, "dhcp": 1, "interfaces": "vnet0:bridge0,vnet1:bridge1"})); cmdLines(d) != "ifconfig vnet0.7 destroy\nifconfig vnet1.7 destroy" {
		t.Fatalf("dhcp: %s", cmdLines(d))
	}
	if _, d := VnetTeardownCmds("web", 7, fixture.Effective(t, "web", map[string]any{"vnet": 1})); len(d) != 0 {
		t.Fatalf("no address, no NIC: %s", cmdLines(d))
	}
	if _, d := VnetTeardownCmds("web", 7, fixture.Effective(t, "web", map[string]any{"vnet": 1, "nat": 1})); cmdLines(d) != "ifconfig vnet0.7 destroy" {
		t.Fatalf("nat: %s", cmdLines(d))
	}
}

func TestHookEnv(t *testing.T) {
	if env := PrestartEnv(true, "172.16.0.1", "vnet0|172.16.0.2/30", ExtAddr{"10.0.0.10", "10.0.0.255"}); strings.Join(env, " ") != "INTERNAL_DEFAULT_ROUTER=172.16.0.1 INTERNAL_IP=172.16.0.2 EXT_HOST=10.0.0.10 EXT_BCAST=10.0.0.255 INTERNAL_BROADCAST_IP=172.16.0.3" {
		t.Fatalf("%v", env)
	}
	if env := PrestartEnv(false, "auto", "em0|172.16.0.1,lo0|127.0.0.2", ExtAddr{}); strings.Join(env, " ") != "INTERNAL_DEFAULT_ROUTER=auto INTERNAL_IP=172.16.0.1 INTERNAL_BROADCAST_IP=172.16.0.1" {
		t.Fatalf("%v", env)
	}
	if env := PoststartEnv(7, "a.b"); strings.Join(env, " ") != "JID=7 JNAME=ioc-a_b" {
		t.Fatalf("%v", env)
	}
	if env := JailEnv("web.example", "web"); strings.Join(env, " ") != "IOCAGE_HOSTNAME=web.example IOCAGE_NAME=ioc-web" {
		t.Fatalf("%v", env)
	}
}

func TestStopCmds(t *testing.T) {
	if got := cmdLines(UmountCmds("/t/jails/web", "/t/jails/web/root")); got != "umount -afF /t/jails/web/fstab\numount -f /t/jails/web/root/dev/fd\numount -f /t/jails/web/root/dev\numount -f /t/jails/web/root/proc\numount -f /t/jails/web/root/compat/linux/proc" {
		t.Fatal(got)
	}
	p := fixture.Effective(t, "web", map[string]any{"memoryuse": "deny=1g", "pcpu": "deny=50"})
	if got := RCTLRules(p); len(got) != 2 || got[0] != [2]string{"memoryuse", "deny=1g"} || got[1] != [2]string{"pcpu", "deny=50"} {
		t.Fatalf("%v", got)
	}
	if RCTLRules(fixture.Effective(t, "web", nil)) != nil {
		t.Fatal("rctl without limits")
	}
	p = fixture.Effective(t, "web", map[string]any{"exec_fib": "1"})
	if got := cmdLines(SoftRestartCmds("web", 7, p)); got != "setfib 1 jexec ioc-web /bin/sh /etc/rc.shutdown\npkill -j 7\nsetfib 1 jexec ioc-web /bin/sh /etc/rc" {
		t.Fatal(got)
	}
}

func TestPendingUmounts(t *testing.T) {
	mounted := ParseMountP("/dev/ada0p2\t\t/\t\t\tufs\trw\t\t1 1\n/src\t\t/t/jails/web/root/usr/my\\040src nullfs\tro\t\t0 0\nproc\t\t\t/t/jails/web/root/proc procfs\trw\t\t0 0\n")
	if !mounted["/t/jails/web/root/usr/my src"] || !mounted["/t/jails/web/root/proc"] {
		t.Fatalf("%v", mounted)
	}
	cmds := UmountCmds("/t/jails/web", "/t/jails/web/root")
	if got := cmdLines(PendingUmounts(cmds, mounted, []string{"/t/jails/web/root/usr/my src"})); got != "umount -afF /t/jails/web/fstab\numount -f /t/jails/web/root/proc" {
		t.Fatal(got)
	}
	if got := PendingUmounts(cmds, map[string]bool{}, nil); len(got) != 0 {
		t.Fatal(cmdLines(got))
	}
}

func TestStepError(t *testing.T) {
	cause := errors.New("boom ")
	e := &StepError{Before: "web: exec_prestop failed: ", After: ". Please use --force flag to force stop jail", Err: cause}
	if e.Error() != "web: exec_prestop failed: boom. Please use --force flag to force stop jail" || !errors.Is(e, cause) {
		t.Fatal(e)
	}
	if e := (&StepError{Before: "Refusing to start web: ", Err: cause, Text: "jail: bad"}); e.Error() != "Refusing to start web: jail: bad" {
		t.Fatal(e)
	}
}
