package fbsdsim

import (
	"strings"
	"testing"
)

func TestSetfib(t *testing.T) {
	s := newKSim(t)
	s.fails(1, "usage: setfib [-[F]]value command", "setfib")
	s.fails(1, "usage: setfib", "setfib", "0")
	s.fails(1, "setfib: 1: invalid FIB (max 0)", "setfib", "1", "route", "add", "default", "10.0.0.1")
	s.fails(1, "setfib: x: invalid FIB (max 0)", "setfib", "-F", "x", "true")
	s.fails(127, "setfib: no-such-utility-here: No such file or directory", "setfib", "0", "no-such-utility-here")

	// The FIB reaches a simulated route(8) run through setfib, which is
	// logged as its own call.
	s.env["JCAGE_SIM_FIBS"] = "2"
	wantEq(t, "setfib 1 route", s.ok("setfib", "1", "route", "add", "default", "10.0.0.1"), "add net default: gateway 10.0.0.1 fib 1\n")
	s.assertLogged("route", "add", "default", "10.0.0.1")
	w := s.world()
	found := false
	for _, r := range w.net().Routes {
		if r.FIB == 1 && r.Dest == "default" {
			found = true
		}
	}
	if !found {
		t.Fatalf("route not in fib 1: %+v", w.net().Routes)
	}
	calls, _ := ReadCalls(s.state)
	if n := len(calls); n < 2 || calls[n-2].Tool != "setfib" {
		t.Fatalf("calls %+v", calls)
	}
	// Other utilities are run from PATH with the caller's streams.
	out := s.ok("setfib", "-F", "0", "sh", "-c", "echo fib=$JCAGE_SIM_FIB; exit 0")
	wantEq(t, "sh", strings.TrimSpace(out), "fib=0")
	r := s.run("setfib", "-0", "sh", "-c", "exit 5")
	if r.code != 5 {
		t.Fatalf("status %d", r.code)
	}
}
