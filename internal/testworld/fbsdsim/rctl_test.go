package fbsdsim

import (
	"testing"
)

func TestRctlDisabledByDefault(t *testing.T) {
	s := newKSim(t)
	s.fails(1, "rctl: RACCT/RCTL present, but disabled; enable using kern.racct.enable=1 tunable\n", "rctl", "-a", "jail:x:memoryuse:deny=1g")
	s.fails(1, "RACCT/RCTL present, but disabled", "rctl")
}

func TestRctlRules(t *testing.T) {
	s := newKSim(t)
	s.env["JCAGE_SIM_RACCT"] = "1"
	wantEq(t, "empty", s.ok("rctl"), "")
	s.ok("rctl", "-a", "jail:ioc-web:memoryuse:deny=2g", "j:ioc-web:maxproc:deny=100", "jail:ioc-db:pcpu:deny=50")
	s.assertLogged("rctl", "-a", "jail:ioc-web:memoryuse:deny=2g", "j:ioc-web:maxproc:deny=100", "jail:ioc-db:pcpu:deny=50")
	wantEq(t, "list", s.ok("rctl"),
		"jail:ioc-web:memoryuse:deny=2147483648\njail:ioc-web:maxproc:deny=100\njail:ioc-db:pcpu:deny=50\n")
	wantEq(t, "filter", s.ok("rctl", "jail:ioc-db"), "jail:ioc-db:pcpu:deny=50\n")
	wantEq(t, "-h", s.ok("rctl", "-h", "jail:ioc-web::"), "jail:ioc-web:memoryuse:deny=2048M\njail:ioc-web:maxproc:deny=100\n")
	// Adding the same subject/resource/action replaces the amount.
	s.ok("rctl", "-a", "jail:ioc-web:memoryuse:deny=1g")
	wantEq(t, "replaced", s.ok("rctl", "::memoryuse"), "jail:ioc-web:memoryuse:deny=1073741824\n")
	s.ok("rctl", "-a", "jail:ioc-web:memoryuse:log=512m/jail")
	wantEq(t, "per", s.ok("rctl", "::memoryuse:log"), "jail:ioc-web:memoryuse:log=536870912\n")

	s.ok("rctl", "-r", "jail:ioc-web:")
	wantEq(t, "after -r", s.ok("rctl"), "jail:ioc-db:pcpu:deny=50\n")
	r := s.fails(1, "rctl: failed to remove rule 'jail:ioc-web': No such process\n", "rctl", "-r", "jail:ioc-web")
	wantEq(t, "no stdout", r.stdout, "")
	r = s.run("rctl", "-r", "jail:a", "jail:b")
	if r.code != 2 {
		t.Fatalf("exit is the number of failed arguments: %d", r.code)
	}
	s.fails(1, "rctl: failed to add rule 'jail:x:cputime:deny=10': Operation not supported", "rctl", "-a", "jail:x:cputime:deny=10")
	s.fails(1, "rctl: failed to add rule 'jail:x:bogus:deny=10': Invalid argument", "rctl", "-a", "jail:x:bogus:deny=10")
	s.fails(1, "rctl: failed to add rule 'jail:x:memoryuse': Invalid argument", "rctl", "-a", "jail:x:memoryuse")
	s.fails(1, "rctl: malformed rule 'jail': missing subject", "rctl", "-a", "jail")
	s.fails(1, "rctl: malformed rule 'jail:x:memoryuse:deny=lots': invalid numeric value 'lots'", "rctl", "-a", "jail:x:memoryuse:deny=lots")
	s.fails(1, "rctl: at most one of -a, -l, -r, or -u may be specified", "rctl", "-a", "-r", "jail:x")
	s.fails(1, "usage: rctl [ -h ] [-a rule | -l filter | -r filter | -u filter | filter]", "rctl", "-a")
	s.fails(1, "rctl: illegal option -- z", "rctl", "-z")

	s.fails(1, "rctl: failed to show resource consumption for 'jail:ioc-web': No such process", "rctl", "-u", "jail:ioc-web")
	root := s.dir("r")
	s.ok("jail", "-c", "name=ioc-web", "path="+root, "persist")
	out := s.ok("rctl", "-u", "jail:ioc-web")
	if len(out) == 0 || out[:10] != "cputime=0\n" {
		t.Fatalf("-u output %q", out)
	}
}

func TestHumanizeNumber(t *testing.T) {
	for n, want := range map[uint64]string{
		0: "0", 512: "512", 99999: "98K", 52428800: "50M", 1073741824: "1024M",
		5 * 1024 * 1024 * 1024 * 1024: "5120G", 1536: "1536",
	} {
		if got := humanizeNumber(n); got != want {
			t.Errorf("humanizeNumber(%d) = %q, want %q", n, got, want)
		}
	}
	for s, want := range map[string]uint64{"1k": 1024, "2G": 2 << 30, "10": 10, "3mb": 3 << 20} {
		if got, ok := expandNumber(s); !ok || got != want {
			t.Errorf("expandNumber(%q) = %d %v", s, got, ok)
		}
	}
}
