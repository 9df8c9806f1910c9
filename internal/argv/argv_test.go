package argv

import (
	"io"
	"strings"
	"testing"
)

// Every builder's exact command line, tool by tool.
func TestBuilders(t *testing.T) {
	for _, tc := range []struct {
		c    Cmd
		want string
	}{
		// jail(8)
		{JailCreate("/var/run/jail.ioc-web.conf", false), "jail -f /var/run/jail.ioc-web.conf -c"},
		{JailCreate("/var/run/jail.ioc-web.conf", true), "jail -v -f /var/run/jail.ioc-web.conf -c"},
		{JailRemove("/r/jail.ioc-web.conf", false, "ioc-web"), "jail -q -f /r/jail.ioc-web.conf -r ioc-web"},
		{JailRemove("", true, "ioc-web"), "jail -q -v -r ioc-web"},
		// jls(8)
		{JlsJID("ioc-web"), "jls -j ioc-web jid"},
		{JlsRulesets(), "jls name devfs_ruleset"},
		// jexec(8), setfib(1) and the shell
		{Jexec("ioc-web", "/bin/sh", "/etc/rc"), "jexec ioc-web /bin/sh /etc/rc"},
		{Jexec("7", "ifconfig"), "jexec 7 ifconfig"},
		{InJail("ioc-web", IfconfigMTU("epair3b", "1500")), "jexec ioc-web ifconfig epair3b mtu 1500"},
		{Setfib("2", Jexec("ioc-web", "ls", "-l")), "setfib 2 jexec ioc-web ls -l"},
		{Setfib("2", RouteGetDefault(false)), "setfib 2 route -n get default"},
		{Setfib("0", JexecAs("root", false, "ioc-web", "ls")), "setfib 0 jexec -u root ioc-web ls"},
		{JexecAs("www", true, "ioc-web", "id"), "jexec -U www ioc-web id"},
		{Shell("logger up; touch /tmp/x"), "/bin/sh -c logger up; touch /tmp/x"},
		{Sh("/tmp/iocage_nat_ipfw.conf"), "sh -c /tmp/iocage_nat_ipfw.conf"},
		{Login("-f", "admin"), "login -p -f admin"},
		{Service("rtsold", "start"), "service rtsold start"},
		{Command("/usr/local/bin/hook"), "/usr/local/bin/hook"},
		// ifconfig(8)
		{IfconfigAll(), "ifconfig"},
		{Ifconfig("bridge0"), "ifconfig bridge0"},
		{IfconfigInet("epair0b"), "ifconfig epair0b inet"},
		{IfconfigCreate("bridge0", ""), "ifconfig bridge0 create"},
		{IfconfigCreate("bridge0", "em0"), "ifconfig bridge0 create addm em0"},
		{EpairCreate(), "ifconfig epair create"},
		{IfconfigRename("epair3a", "vnet0.7", "1500"), "ifconfig epair3a name vnet0.7 mtu 1500"},
		{IfconfigRename("epair3b", "epair0b", ""), "ifconfig epair3b name epair0b"},
		{IfconfigMTU("epair3b", "9000"), "ifconfig epair3b mtu 9000"},
		{IfconfigLink("vnet0.7", "02ff604e07f1"), "ifconfig vnet0.7 link 02:ff:60:4e:07:f1"},
		{IfconfigLink("vnet0.7", "02:ff:60:4e:07:f1"), "ifconfig vnet0.7 link 02:ff:60:4e:07:f1"},
		{IfconfigLink("vnet0.7", "02ff60"), "ifconfig vnet0.7 link 02ff60"},
		{IfconfigDescription("vnet0.7", "associated with jail: web as nic: epair0b"), "ifconfig vnet0.7 description associated with jail: web as nic: epair0b"},
		{IfconfigAcceptRtadv("vnet0.7"), "ifconfig vnet0.7 inet6 auto_linklocal accept_rtadv autoconf"},
		{IfconfigVnet("epair3b", "ioc-web"), "ifconfig epair3b vnet ioc-web"},
		{IfconfigUnvnet("em1", "ioc-web"), "ifconfig em1 -vnet ioc-web"},
		{IfconfigAddm("bridge0", "em0", false), "ifconfig bridge0 addm em0"},
		{IfconfigAddm("bridge0", "vnet0.7", true), "ifconfig bridge0 addm vnet0.7 up"},
		{IfconfigInet4("vnet0.7", "172.16.0.1/30"), "ifconfig vnet0.7 inet 172.16.0.1/30"},
		{IfconfigAlias("epair0b", "10.0.0.5/24"), "ifconfig epair0b 10.0.0.5/24 alias"},
		{IfconfigAddAlias("lo0", "127.0.0.2/32"), "ifconfig lo0 alias 127.0.0.2/32"},
		{IfconfigInet6Up("epair0b", "2001:db8::5/64"), "ifconfig epair0b inet6 2001:db8::5/64 up"},
		{IfconfigUp("vnet0.7"), "ifconfig vnet0.7 up"},
		{IfconfigDestroy("vnet0.7"), "ifconfig vnet0.7 destroy"},
		{IfconfigNoOffload("em0"), "ifconfig em0 -tso4 -lro -vlanhwtso"},
		// route(8)
		{RouteGetDefault(false), "route -n get default"},
		{RouteGetDefault(true), "route -n get -inet6 default"},
		{RouteAddDefault("10.0.0.1", false), "route add default 10.0.0.1"},
		{RouteAddDefault("fe80::1%epair0b", true), "route add -6 default fe80::1%epair0b"},
		// devfs(8)
		{DevfsShowsets(), "devfs rule showsets"},
		{DevfsShow("5"), "devfs rule -s 5 show"},
		{DevfsAdd(1001, []string{"hide"}), "devfs rule -s 1001 add -"},
		{DevfsDelset(1000), "devfs rule -s 1000 delset"},
		// mount(8), umount(8)
		{Mount("procfs", "proc", "/j/root/proc"), "mount -t procfs proc /j/root/proc"},
		{MountList(), "mount -p"},
		{Umount("/j/root/dev"), "umount -f /j/root/dev"},
		{UmountFstab("/j/fstab"), "umount -afF /j/fstab"},
		// kldload(8), kenv(1), sysctl(8), pfctl(8)
		{Kldload("vmm"), "kldload -n vmm"},
		{KldloadNew("pf"), "kldload pf"},
		{Kenv("net.inet.ip.fw.default_to_accept", "1"), "kenv net.inet.ip.fw.default_to_accept=1"},
		{SysctlGet("kern.racct.enable"), "sysctl kern.racct.enable"},
		{SysctlSet("net.inet.ip.forwarding", "1", true), "sysctl -q net.inet.ip.forwarding=1"},
		{SysctlSet("net.inet.ip.fw.enable", "1", false), "sysctl net.inet.ip.fw.enable=1"},
		{PfctlEnable(), "pfctl -e"},
		{PfctlLoad("/tmp/iocage_nat_pf.conf"), "pfctl -f /tmp/iocage_nat_pf.conf"},
		// rctl(8), cpuset(1)
		{RctlList(), "rctl"},
		{RctlRemove("ioc-web"), "rctl -r jail:ioc-web:"},
		{RctlAdd("ioc-web", "memoryuse", "deny=1g"), "rctl -a jail:ioc-web:memoryuse:deny=1g"},
		{CpusetJail("0-1", 7), "cpuset -l 0-1 -j 7"},
		// sysrc(8), uname(1), zfs(8), pkill(1), pkg(8)
		{SysrcSet("/j/root/etc/rc.conf", "ifconfig_epair0b", "SYNCDHCP"), "sysrc -f /j/root/etc/rc.conf ifconfig_epair0b=SYNCDHCP"},
		{SysrcRemove("/j/root/etc/rc.conf", "rtsold_enable"), "sysrc -f /j/root/etc/rc.conf -x rtsold_enable"},
		{UnameRelease(), "uname -r"},
		{ZFSJail("ioc-web", "tank/iocage/jails/web/data"), "zfs jail ioc-web tank/iocage/jails/web/data"},
		{ZFSUnjail("ioc-web", "tank/iocage/jails/web/data"), "zfs unjail ioc-web tank/iocage/jails/web/data"},
		{ZFSMount("tank/data"), "zfs mount tank/data"},
		{ZFSUmount("tank/data"), "zfs umount tank/data"},
		{PkillJail(7), "pkill -j 7"},
		{PkgJail(7, "install", "-y", "nginx"), "pkg -j 7 install -y nginx"},
		{PkgStaticJail(7, "update", "-q", "-f"), "pkg-static -j 7 update -q -f"},
		{PkgStaticJail(7, "install", "-q", "-y", "pkg"), "pkg-static -j 7 install -q -y pkg"},
		// etcupdate(8), uname(1), xz(1)
		{Etcupdate("/t/jails/bj/root", "/t/releases/15.0-RELEASE/root/usr/src"), "etcupdate -F -D /t/jails/bj/root -s /t/releases/15.0-RELEASE/root/usr/src"},
		{UnameMachineRelease(), "uname -m -p -r"},
		{XzCompress(), "xz -z -c"},
		{XzDecompressSerial(), "xz -d -c"},
		{Jexec("ioc-a_b", "newaliases"), "jexec ioc-a_b newaliases"},
	} {
		if got := tc.c.String(); got != tc.want {
			t.Errorf("%q, want %q", got, tc.want)
		}
	}
}

// What a builder carries besides argv: jail(8)'s environment, the rules
// devfs reads from standard input, and a wrapped command's environment.
func TestBuilderData(t *testing.T) {
	c := JailCreate("/c", false, "IOCAGE_HOSTNAME=web", "IOCAGE_NAME=ioc-web")
	if strings.Join(c.Env, " ") != "IOCAGE_HOSTNAME=web IOCAGE_NAME=ioc-web" {
		t.Fatalf("%v", c.Env)
	}
	d := DevfsAdd(1001, []string{"hide", "path null unhide"})
	if b, _ := io.ReadAll(d.Stdin); string(b) != "hide\npath null unhide\n" {
		t.Fatalf("%q", b)
	}
	w := Setfib("1", InJail("ioc-web", Cmd{Name: "id", Env: []string{"A=1"}, Clean: true}))
	if w.String() != "setfib 1 jexec ioc-web id" || !w.Clean || strings.Join(w.Env, " ") != "A=1" {
		t.Fatalf("%+v", w)
	}
	if got := (Cmd{Name: "ls", Args: []string{"-l"}}).Argv(); strings.Join(got, "|") != "ls|-l" {
		t.Fatalf("%q", got)
	}
}
