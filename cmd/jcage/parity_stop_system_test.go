package main

import (
	"os"
	"path/filepath"
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

// rename sets jailed=off on the jail's data datasets before zfs rename,
// as iocage.py rename does.
func TestSystemRenameJailZFS(t *testing.T) {
	w, _ := startWorld(t)
	w.LayJail("zj", map[string]any{"jail_zfs": 1})
	data := w.Pool.Name + "/iocage/jails/zj/data"
	w.ZFS("create", "-o", "mountpoint=none", data)
	w.ZFS("create", data+"/sub")
	w.ZFS("set", "jailed=on", data)
	w.Must("rename", "zj", "zk")
	moved := w.Pool.Name + "/iocage/jails/zk/data"
	for _, ds := range []string{moved, moved + "/sub"} {
		if got := strings.TrimSpace(w.ZFS("get", "-H", "-o", "value", "jailed", ds)); got != "off" {
			t.Fatalf("%s jailed=%s", ds, got)
		}
	}
}

// create and set ip6_addr keep rtsold_enable in the jail's rc.conf in
// line with accept_rtadv.
func TestSystemRtsoldEnable(t *testing.T) {
	w, _ := startWorld(t)
	w.LayRelease("14.3-RELEASE")
	w.Must("create", "-r", "14.3-RELEASE", "-n", "slaac", "ip6_addr=vnet0|accept_rtadv")
	rc := filepath.Join(w.IOCRoot(), "jails", "slaac", "root", "etc", "rc.conf")
	if b, _ := os.ReadFile(rc); !strings.Contains(string(b), "rtsold_enable=\"YES\"\n") {
		t.Fatalf("rc.conf after create:\n%s", b)
	}
	w.Must("set", "ip6_addr=none", "slaac")
	if b, _ := os.ReadFile(rc); !strings.Contains(string(b), "rtsold_enable=\"NO\"\n") || strings.Count(string(b), "rtsold_enable=") != 1 {
		t.Fatalf("rc.conf after set:\n%s", b)
	}
}
