package fbsdsim

import (
	"strings"
	"testing"
)

func TestRouteDefault(t *testing.T) {
	s := newKSim(t)
	r := s.run("route", "add", "default", "10.0.0.1")
	if r.code != 1 || r.stdout != "add net default: gateway 10.0.0.1 fib 0: route already in table\n" || r.stderr != "" {
		t.Fatalf("add existing: %+v", r)
	}
	wantEq(t, "delete", s.ok("route", "delete", "default"), "delete net default\n")
	r = s.run("route", "delete", "default")
	if r.code != 1 || r.stderr != "route: route has not been found\n" || r.stdout != "delete net default fib 0: not in table\n" {
		t.Fatalf("delete missing: %+v", r)
	}
	s.fails(1, "route: route has not been found", "route", "-n", "get", "default")
	wantEq(t, "add", s.ok("route", "add", "default", "10.0.0.254"), "add net default: gateway 10.0.0.254\n")
	wantEq(t, "-q add", s.ok("route", "-q", "add", "-net", "192.168.5.0/24", "10.0.0.1"), "")
	out := s.ok("route", "-n", "get", "default")
	if !strings.Contains(out, "    gateway: 10.0.0.254\n") || !strings.Contains(out, "  interface: em0\n") {
		t.Fatalf("get:\n%s", out)
	}
	r = s.run("route", "add", "-net", "172.16.0.0/12", "192.168.99.1")
	if r.code != 1 || r.stdout != "add net 172.16.0.0: gateway 192.168.99.1 fib 0: Network is unreachable\n" {
		t.Fatalf("unreachable: %+v", r)
	}
	// IPv6: -6 before the command or as a modifier; the gateway's scope
	// names the interface.
	wantEq(t, "-6", s.ok("route", "add", "-6", "default", "fe80::1%em0"), "add net default: gateway fe80::1%em0\n")
	r = s.run("route", "-6", "add", "default", "fe80::1%em0")
	if r.code != 1 || !strings.Contains(r.stdout, "route already in table") {
		t.Fatalf("-6 again: %+v", r)
	}
	s.ok("route", "delete", "-inet6", "default")
	s.fails(1, "route: bad address: nothere", "route", "add", "default", "nothere")
	s.fails(64, "route: botched keyword: -bogus\nusage: route [-46dnqtv] command [[modifiers] args]", "route", "add", "-bogus", "default", "10.0.0.1")
	s.fails(64, "route: botched keyword: frobnicate", "route", "frobnicate")
	s.fails(64, "usage: route", "route")
	s.assertLogged("route")
	s.env["JCAGE_SIM_UID"] = "1001"
	s.fails(1, "route: writing to routing socket: Operation not permitted\n", "route", "add", "default", "10.0.0.2")
	s.ok("route", "-n", "get", "default")
}

func TestRouteFibs(t *testing.T) {
	s := newKSim(t)
	s.fails(1, "route: fib 1: Invalid argument", "route", "add", "default", "10.0.0.1", "-fib", "1")
	s.env["JCAGE_SIM_FIBS"] = "2"
	wantEq(t, "fib 1", s.ok("route", "add", "default", "10.0.0.1", "-fib", "1"), "add net default: gateway 10.0.0.1 fib 1\n")
	s.env["JCAGE_SIM_FIB"] = "1"
	out := s.ok("route", "-n", "get", "default")
	if !strings.Contains(out, "        fib: 1\n") {
		t.Fatalf("get in fib 1:\n%s", out)
	}
	wantEq(t, "flush", s.ok("route", "flush"), "default              10.0.0.1             done\n")
}
