package fbsdsim

import (
	"testing"
)

func TestFailureInjection(t *testing.T) {
	s := newKSim(t)
	root := s.dir("r")
	s.env["JCAGE_SIM_FAIL"] = "jail -c; ifconfig bridge"
	s.fails(1, "jail: simulated failure\n", "jail", "-q", "-c", "name=a", "path="+root, "persist")
	s.assertLogged("jail", "-q", "-c", "name=a", "path="+root, "persist")
	if n := len(s.world().jails().sorted()); n != 0 {
		t.Fatalf("a failed call changed state: %d jails", n)
	}
	s.ok("jls")
	s.fails(1, "ifconfig: simulated failure", "ifconfig", "bridge", "create")
	s.ok("ifconfig", "epair", "create")

	// The first two matching calls succeed, then they fail with the
	// configured status and text.
	s.env["JCAGE_SIM_FAIL"] = "jail -c"
	s.env["JCAGE_SIM_FAIL_AFTER"] = "2"
	s.env["JCAGE_SIM_FAIL_CODE"] = "3"
	s.env["JCAGE_SIM_FAIL_MESSAGE"] = `"c" already exists`
	s.ok("jail", "-c", "name=a", "path="+root, "persist")
	s.ok("jail", "-c", "name=b", "path="+root, "persist")
	s.fails(3, "jail: \"c\" already exists\n", "jail", "-c", "name=c", "path="+root, "persist")
	s.ok("jail", "-r", "a")
	s.env["JCAGE_SIM_FAIL_AFTER"] = "x"
	s.fails(70, "JCAGE_SIM_FAIL_AFTER", "jail", "-c", "name=d")
}
