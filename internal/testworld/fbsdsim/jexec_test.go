package fbsdsim

import (
	"testing"
)

func TestJexec(t *testing.T) {
	s := newKSim(t)
	root := s.dir("r")
	s.ok("jail", "-c", "name=ioc-a", "path="+root, "persist")
	wantEq(t, "by name", s.ok("jexec", "ioc-a", "/bin/sh", "-c", "echo hi"), "")
	s.assertLogged("jexec", "ioc-a", "/bin/sh", "-c", "echo hi")
	s.ok("jexec", "-l", "-u", "root", "1", "/usr/bin/true")
	s.ok("jexec", "-U", "root", "ioc-a")
	s.fails(1, "jexec: jail \"nope\" not found\n", "jexec", "nope", "ls")
	s.fails(1, "jexec: jail 7 not found\n", "jexec", "7", "ls")
	s.fails(1, "usage: jexec [-l] [-u username | -U username] jail [command ...]", "jexec", "-u", "root", "-U", "root", "ioc-a")
	s.fails(1, "usage: jexec", "jexec")
	s.fails(1, "jexec: illegal option -- x", "jexec", "-x", "ioc-a")
	s.fails(1, "jexec: bob: no such user", "jexec", "-U", "bob", "ioc-a", "id")
	s.file(root+"/etc/passwd", "root:*:0:0::0:0:Charlie &:/root:/bin/sh\nbob:*:1001:1001::0:0:Bob:/home/bob:/bin/sh\n")
	s.ok("jexec", "-U", "bob", "ioc-a", "id")
	s.fails(1, "jexec: nosuchhostuser: no such user", "jexec", "-u", "nosuchhostuser", "ioc-a", "id")

	s.env["JCAGE_SIM_JEXEC_STDOUT"] = "\tinet 10.0.0.5 netmask 0xffffff00 broadcast 10.0.0.255"
	s.env["JCAGE_SIM_JEXEC_EXIT"] = "3"
	r := s.run("jexec", "ioc-a", "ifconfig", "epair0b", "inet")
	if r.code != 3 || r.stdout != "\tinet 10.0.0.5 netmask 0xffffff00 broadcast 10.0.0.255\n" {
		t.Fatalf("scripted jexec: %+v", r)
	}
}
