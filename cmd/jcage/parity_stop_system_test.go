package main

import (
	"strings"
	"testing"
)

// A VNET jail whose only address is lo0|ADDR has no NIC to tear down, and
// the refusal to destroy a jail with a clone names the clone once.
func TestSystemStopAndDestroyMessages(t *testing.T) {
	w, _ := startWorld(t)
	layStartable(t, w, "loonly", map[string]any{"vnet": 1, "ip4_addr": "lo0|127.0.0.50", "defaultrouter": "none"})
	w.Must("start", "loonly")
	r := w.Jcage("stop", "loonly")
	if r.Code != 0 || strings.Contains(r.Stdout+r.Stderr, "FAILED") || strings.Contains(r.Stdout+r.Stderr, "does not exist") {
		t.Fatalf("stop of a lo0-only vnet jail: %+v", r)
	}

	w.LayRelease("14.3-RELEASE")
	w.Must("create", "-r", "14.3-RELEASE", "-n", "orig")
	w.Must("clone", "orig", "-n", "copy")
	r = w.Jcage("destroy", "-f", "orig")
	if r.Code != 1 || r.Stderr != "orig has dependent jails (who may also have dependents), use --recursive to destroy:\ncopy\n" {
		t.Fatalf("destroy with a clone: %+v", r)
	}
}
