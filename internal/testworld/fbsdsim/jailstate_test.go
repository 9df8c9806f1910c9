package fbsdsim

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

var kernelTools = []string{"jail", "jls", "jexec", "mount", "mount_nullfs", "umount", "devfs",
	"ifconfig", "route", "rctl", "cpuset", "setfib"}

func TestKernelToolsRegistered(t *testing.T) {
	have := strings.Join(Tools(), " ")
	for _, n := range kernelTools {
		if !strings.Contains(" "+have+" ", " "+n+" ") {
			t.Errorf("%s not registered (have %s)", n, have)
		}
	}
}

// Every call, refused or not, is one line in calls.jsonl.
func TestKernelToolsLogEveryCall(t *testing.T) {
	s := newKSim(t)
	for i, n := range kernelTools {
		r := s.run(n, "-Z", "x")
		if r.code == 0 {
			t.Errorf("%s -Z accepted", n)
		}
		if !strings.HasPrefix(r.stderr, n+": ") && !strings.HasPrefix(r.stderr, "usage: ") {
			t.Errorf("%s -Z: stderr %q is not in the tool's style", n, r.stderr)
		}
		s.assertLogged(n, "-Z", "x")
		calls, _ := ReadCalls(s.state)
		if len(calls) != i+1 {
			t.Fatalf("after %s: %d calls logged, want %d", n, len(calls), i+1)
		}
	}
}

func TestWorldDefaultsAndRefusedEdits(t *testing.T) {
	s := newKSim(t)
	w := s.world()
	if w.net().find(0, "em0") == nil || w.net().find(0, "lo0") == nil || len(w.net().Routes) != 1 {
		t.Fatalf("default network %+v", w.net())
	}
	if len(w.devfs().Index) != 5 {
		t.Fatalf("default rulesets %v", w.devfs().Index)
	}
	e := &Env{State: s.state, Getenv: func(string) string { return "" }}
	// An edit that returns false writes nothing.
	e.editWorld(func(w *simWorld) bool { w.net().Ifaces = nil; return false })
	if s.world().net().find(0, "em0") == nil {
		t.Fatal("refused edit was saved")
	}
	// A saved world is read back as saved, not merged with defaults.
	e.editWorld(func(w *simWorld) bool { w.net().find(0, "em0").Name = "vtnet0"; return true })
	w = s.world()
	if w.net().find(0, "em0") != nil || w.net().find(0, "vtnet0") == nil {
		t.Fatalf("renamed interface: %+v", w.net().Ifaces)
	}
}

func TestWorldEditsDoNotLoseUpdates(t *testing.T) {
	s := newKSim(t)
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if r := s.run("ifconfig", fmt.Sprintf("bridge%d", i), "create"); r.code != 0 {
				t.Errorf("bridge%d: %+v", i, r)
			}
		}(i)
	}
	wg.Wait()
	if n := len(s.world().net().Ifaces); n != 22 {
		t.Fatalf("%d interfaces, want 22", n)
	}
}

func TestJailLookup(t *testing.T) {
	w := newWorld(&Env{State: t.TempDir()})
	tbl := w.jails()
	tbl.add(&simJail{JID: 3, Name: "web"})
	tbl.add(&simJail{JID: 7, Name: "db"})
	if j, _ := tbl.lookup("7"); j == nil || j.Name != "db" {
		t.Fatal("by jid")
	}
	if j, _ := tbl.lookup("web"); j == nil || j.JID != 3 {
		t.Fatal("by name")
	}
	if _, msg := tbl.lookup("9"); msg != "jail 9 not found" {
		t.Fatal(msg)
	}
	if _, msg := tbl.lookup("x"); msg != `jail "x" not found` {
		t.Fatal(msg)
	}
	if _, msg := tbl.lookup("0"); msg != "jail 0 not found" {
		t.Fatal(msg)
	}
}
