package fbsdsim

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

func TestCpusetJail(t *testing.T) {
	s := newKSim(t)
	root := s.dir("r")
	s.ok("jail", "-c", "name=ioc-a", "path="+root, "persist")
	wantEq(t, "root set", s.ok("cpuset", "-g", "-s", "0"), "cpuset 0 mask: 0, 1, 2, 3\ncpuset 0 domain policy: first-touch mask: 0\n")
	wantEq(t, "set", s.ok("cpuset", "-l", "0-1", "-j", "ioc-a"), "")
	s.assertLogged("cpuset", "-l", "0-1", "-j", "ioc-a")
	wantEq(t, "get", s.ok("cpuset", "-g", "-j", "1"), "jail 1 mask: 0, 1\njail 1 domain policy: first-touch mask: 0\n")
	wantEq(t, "id", s.ok("cpuset", "-g", "-i", "-j", "ioc-a"), "jail 1 cpuset id: 2\n")
	wantEq(t, "by set id", s.ok("cpuset", "-g", "-s", "2"), "cpuset 2 mask: 0, 1\ncpuset 2 domain policy: first-touch mask: 0\n")
	s.ok("cpuset", "-l", "all", "-j", "ioc-a")
	wantEq(t, "all", s.ok("cpuset", "-g", "-j", "ioc-a"), "jail 1 mask: 0, 1, 2, 3\njail 1 domain policy: first-touch mask: 0\n")
	s.fails(1, "cpuset: jail \"nope\" not found", "cpuset", "-l", "0", "-j", "nope")
	s.fails(1, "cpuset: Malformed list 0-", "cpuset", "-l", "0-", "-j", "ioc-a")
	s.fails(1, "cpuset: List entry 5000 exceeds maximum of 1023", "cpuset", "-l", "5000", "-j", "ioc-a")
	s.fails(1, "cpuset: setaffinity: Invalid argument", "cpuset", "-l", "0,7", "-j", "ioc-a")
	s.fails(1, "usage: cpuset", "cpuset", "-j", "ioc-a")
	s.fails(1, "usage: cpuset", "cpuset", "-g", "-l", "0", "-j", "ioc-a")
	s.fails(1, "cpuset: illegal option -- z", "cpuset", "-z")
	s.env["JCAGE_SIM_NCPU"] = "8"
	s.ok("cpuset", "-l", "0,7", "-j", "ioc-a")
	s.ok("jail", "-r", "ioc-a")
	s.fails(1, "cpuset: getaffinity: No such process", "cpuset", "-g", "-s", "2")
}

func TestCpusetProcessAndCommand(t *testing.T) {
	s := newKSim(t)
	pid := strconv.Itoa(os.Getpid())
	wantEq(t, "pid", s.ok("cpuset", "-g", "-p", pid), "pid "+pid+" mask: 0, 1, 2, 3\npid "+pid+" domain policy: first-touch mask: 0\n")
	s.ok("cpuset", "-l", "1", "-p", pid)
	s.fails(1, "cpuset: getaffinity: No such process", "cpuset", "-g", "-p", "999999999")
	out := s.ok("cpuset", "-l", "0", "sh", "-c", "echo ran")
	wantEq(t, "command", strings.TrimSpace(out), "ran")
	s.fails(127, "cpuset: no-such-cmd-x: No such file or directory", "cpuset", "-l", "0", "no-such-cmd-x")
}
