package fbsdsim

import (
	"strings"
	"testing"
)

func TestIfconfigEpair(t *testing.T) {
	s := newKSim(t)
	wantEq(t, "create", s.ok("ifconfig", "epair", "create"), "epair0a\n")
	s.assertLogged("ifconfig", "epair", "create")
	wantEq(t, "create 2", s.ok("ifconfig", "epair", "create", "up"), "epair1a\n")
	wantEq(t, "create 7", s.ok("ifconfig", "epair7", "create"), "epair7a\n")
	s.fails(1, "ifconfig: SIOCIFCREATE2: File exists", "ifconfig", "epair7", "create")
	wantEq(t, "-l", s.ok("ifconfig", "-l"), "em0 lo0 epair0a epair0b epair1a epair1b epair7a epair7b\n")
	wantEq(t, "-g", s.ok("ifconfig", "-g", "epair"), "epair0a\nepair0b\nepair1a\nepair1b\nepair7a\nepair7b\n")
	wantEq(t, "destroy", s.ok("ifconfig", "epair0a", "destroy"), "")
	wantEq(t, "-l after destroy", s.ok("ifconfig", "-l"), "em0 lo0 epair1a epair1b epair7a epair7b\n")
	s.fails(1, "ifconfig: interface epair0b does not exist\n", "ifconfig", "epair0b", "up")
	// The freed unit is used again.
	wantEq(t, "reuse unit", s.ok("ifconfig", "epair", "create"), "epair0a\n")
	s.fails(1, "ifconfig: SIOCIFDESTROY: Invalid argument", "ifconfig", "em0", "destroy")
}

func TestIfconfigRenameAndParams(t *testing.T) {
	s := newKSim(t)
	s.ok("ifconfig", "epair", "create")
	wantEq(t, "rename", s.ok("ifconfig", "epair0a", "name", "vnet0.12", "mtu", "9000"), "vnet0.12\n")
	wantEq(t, "quiet params", s.ok("ifconfig", "vnet0.12", "description", "associated with jail: x", "link", "02:ab:cd:ef:00:0a", "up"), "")
	out := s.ok("ifconfig", "vnet0.12")
	for _, want := range []string{"vnet0.12: flags=8843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST> metric 0 mtu 9000\n",
		"\tdescription: associated with jail: x\n", "\tether 02:ab:cd:ef:00:0a\n", "\tgroups: epair\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	if f := strings.Fields(strings.SplitN(out, "\n", 2)[0]); f[5] != "9000" {
		t.Errorf("sixth word of the first line is %q", f[5])
	}
	s.fails(1, "ifconfig: malformed link-level address", "ifconfig", "vnet0.12", "ether", "zz")
	s.fails(1, "ifconfig: ioctl SIOCSIFMTU (set mtu): Invalid argument", "ifconfig", "vnet0.12", "mtu", "10")
	s.fails(1, "ifconfig: ioctl SIOCSIFNAME (set name): File exists", "ifconfig", "vnet0.12", "name", "em0")
	s.fails(1, "ifconfig: bogus: bad value", "ifconfig", "vnet0.12", "bogus")
}

func TestIfconfigAddresses(t *testing.T) {
	s := newKSim(t)
	s.ok("ifconfig", "em0", "inet", "10.0.0.20/24", "alias")
	s.ok("ifconfig", "lo0", "alias", "127.0.1.5/32")
	s.fails(1, "ifconfig: ioctl (SIOCAIFADDR): File exists", "ifconfig", "em0", "inet", "10.0.0.20/24", "alias")
	s.ok("ifconfig", "em0", "inet6", "2001:db8::1", "prefixlen", "64", "alias")
	out := s.ok("ifconfig", "em0", "inet")
	wantEq(t, "inet", out, "em0: flags=8843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST> metric 0 mtu 1500\n"+
		"\tinet 10.0.0.10 netmask 0xffffff00 broadcast 10.0.0.255\n"+
		"\tinet 10.0.0.20 netmask 0xffffff00 broadcast 10.0.0.255\n")
	s.ok("ifconfig", "em0", "inet", "10.0.0.20", "-alias")
	s.fails(1, "ifconfig: ioctl (SIOCDIFADDR): Can't assign requested address", "ifconfig", "em0", "inet", "10.0.0.20", "-alias")
	s.fails(1, "ifconfig: 10.0.0.300: bad value", "ifconfig", "em0", "inet", "10.0.0.300/24", "alias")
	if !strings.Contains(s.ok("ifconfig", "em0", "inet6"), "\tinet6 2001:db8::1 prefixlen 64\n") {
		t.Fatal("inet6 address missing")
	}
}

func TestIfconfigBridgeAndVnet(t *testing.T) {
	s := newKSim(t)
	wantEq(t, "bridge", s.ok("ifconfig", "bridge", "create"), "bridge0\n")
	s.fails(1, "ifconfig: interface bridge0 already exists", "ifconfig", "bridge0", "create")
	s.fails(1, "ifconfig: SIOCIFCREATE2: File exists", "ifconfig", "bridge0", "create", "addm", "em0")
	wantEq(t, "bridge3", s.ok("ifconfig", "bridge3", "create"), "")
	s.ok("ifconfig", "epair", "create")
	s.ok("ifconfig", "bridge0", "addm", "em0", "addm", "epair0a", "up")
	s.fails(1, "ifconfig: BRDGADD epair0a: File exists", "ifconfig", "bridge0", "addm", "epair0a")
	s.fails(1, "ifconfig: BRDGADD epair0a: Device busy", "ifconfig", "bridge3", "addm", "epair0a")
	s.fails(1, "ifconfig: BRDGADD nope0: No such file or directory", "ifconfig", "bridge0", "addm", "nope0")
	out := s.ok("ifconfig", "bridge0")
	if !strings.Contains(out, "\tmember: em0 flags=143<LEARNING,DISCOVER,AUTOEDGE,AUTOPTP>\n") ||
		!strings.Contains(out, "\tmember: epair0a flags=143") {
		t.Fatalf("bridge members:\n%s", out)
	}
	s.ok("ifconfig", "bridge0", "deletem", "em0")

	root := s.dir("r")
	s.ok("jail", "-c", "name=v", "path="+root, "persist", "vnet")
	s.ok("jail", "-c", "name=plain", "path="+root, "persist")
	s.fails(1, "ifconfig: jail \"nope\" not found", "ifconfig", "epair0b", "vnet", "nope")
	s.fails(1, "ifconfig: SIOCSIFVNET: Invalid argument", "ifconfig", "epair0b", "vnet", "plain")
	s.ok("ifconfig", "epair0b", "vnet", "v")
	s.fails(1, "ifconfig: interface epair0b does not exist", "ifconfig", "epair0b")
	wantEq(t, "-j", s.ok("ifconfig", "-j", "v", "-l"), "lo0 epair0b\n")
	s.ok("ifconfig", "-j", "v", "epair0b", "inet", "10.9.0.2/24", "up")
	s.ok("ifconfig", "epair0b", "-vnet", "v")
	w := s.world()
	b := w.net().find(0, "epair0b")
	if b == nil || len(b.Inet) != 0 {
		t.Fatalf("reclaimed epair0b %+v", b)
	}
	// Destroying the host side takes the jail side with it.
	s.ok("ifconfig", "epair0b", "vnet", "1")
	s.ok("ifconfig", "epair0a", "destroy")
	if s.world().net().named("epair0b") != nil {
		t.Fatal("epair0b outlived its pair")
	}
	wantEq(t, "cloners", s.ok("ifconfig", "-C"), "bridge epair lo tap tun\n")
	s.fails(1, "ifconfig: SIOCIFCREATE2: Invalid argument", "ifconfig", "vlan0", "create")
	s.fails(1, "ifconfig: illegal option -- Z", "ifconfig", "-Z")
}
