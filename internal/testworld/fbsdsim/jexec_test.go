package fbsdsim

import (
	"os"
	"strings"
	"testing"
)

func TestJexec(t *testing.T) {
	s := newKSim(t)
	root := s.dir("r")
	for _, b := range []string{"bin/sh", "usr/bin/true", "usr/bin/id", "sbin/ifconfig"} {
		s.file(root+"/"+b, "\x7fELF")
		os.Chmod(root+"/"+b, 0o555)
	}
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

// Commands run through jexec are run in the jail's view: the jail's root
// must hold the program (execvp), sh reports a missing one as sh does,
// and a VNET jail's ifconfig and route see its own stack.
func TestJexecRunsInsideTheJail(t *testing.T) {
	s := newKSim(t)
	root := s.dir("r")
	for _, b := range []string{"bin/sh", "sbin/ifconfig", "sbin/route"} {
		s.file(root+"/"+b, "\x7fELF")
		os.Chmod(root+"/"+b, 0o555)
	}
	s.ok("jail", "-c", "name=v", "path="+root, "persist", "vnet")
	s.fails(1, "jexec: execvp: nosuch: No such file or directory", "jexec", "v", "nosuch", "x")
	s.fails(1, "jexec: execvp: service: No such file or directory", "jexec", "v", "service", "rtsold", "start")
	r := s.fails(127, "sh: nosuch: not found", "jexec", "v", "/bin/sh", "-c", "nosuch arg")
	_ = r
	s.fails(127, "sh: cannot open /etc/rc: No such file or directory", "jexec", "v", "/bin/sh", "/etc/rc")
	// The jail's own stack: lo0 only, no em0; a route to a gateway no
	// interface reaches fails as route(8) reports it.
	if out := s.ok("jexec", "v", "ifconfig", "-l"); strings.TrimSpace(out) != "lo0" {
		t.Fatalf("ifconfig -l in the jail: %q", out)
	}
	s.fails(1, "", "jexec", "v", "ifconfig", "em0", "up")
	r = s.run("jexec", "v", "route", "add", "default", "192.168.7.1")
	if r.code != 1 || !strings.Contains(r.stdout, "Network is unreachable") {
		t.Fatalf("route add to an unreachable gateway: %+v", r)
	}
	a := strings.TrimSpace(s.ok("ifconfig", "epair", "create"))
	b := strings.TrimSuffix(a, "a") + "b"
	s.ok("ifconfig", b, "vnet", "v")
	s.ok("jexec", "v", "ifconfig", b, "inet", "192.168.7.5/24", "up")
	s.ok("jexec", "v", "route", "add", "default", "192.168.7.1")
	if out := s.ok("jexec", "v", "route", "-n", "get", "default"); !strings.Contains(out, "192.168.7.1") {
		t.Fatalf("the jail's default route:\n%s", out)
	}
	if out := s.ok("route", "-n", "get", "default"); strings.Contains(out, "192.168.7.1") {
		t.Fatalf("the jail's default route leaked to the host:\n%s", out)
	}
}
