package main

import (
	"strings"
	"testing"

	"github.com/jcage/jcage/internal/testworld/pool"
	"github.com/jcage/jcage/internal/testworld/world"
)

// On real ZFS with datasets that are not jcage's beside the tree (deeper
// than a jail root, on the same pool and on another), list reads the
// pool's root and the iocage tree, and nothing else: at most three
// external calls, and no zfs call that reaches outside POOL/iocage.
func TestSystemListReadsOnlyTheTree(t *testing.T) {
	w := world.New(t)
	w.Must("activate", w.Pool.Name)
	w.LayJail("www", nil)
	w.LayJail("db", nil)
	other := pool.New(t)
	for _, ds := range []string{w.Pool.Name + "/poudriere/jails/p1/root", w.Pool.Name + "/vm/b1/disk0/x", other.Name + "/usr/home/u/x"} {
		w.ZFS("create", "-p", "-o", "canmount=off", ds)
	}

	r := w.Jcage("-D", "list", "-h")
	if r.Code != 0 || r.Stdout != "None\tdb\tdown\t14.3-RELEASE\t-\nNone\twww\tdown\t14.3-RELEASE\t-\n" {
		t.Fatalf("list -h: %+v", r)
	}
	var calls []string
	for _, l := range strings.Split(r.Stderr, "\n") {
		if strings.HasPrefix(l, "+ ") {
			calls = append(calls, l)
		}
	}
	if len(calls) > 3 {
		t.Fatalf("%d external calls:\n%s", len(calls), strings.Join(calls, "\n"))
	}
	zcalls := 0
	for _, c := range calls {
		argv := strings.Fields(c)[1:]
		if !strings.HasSuffix(argv[0], "zfs") {
			continue
		}
		zcalls++
		operand := argv[len(argv)-1]
		switch {
		case operand == w.Pool.Name && !strings.Contains(c, " -r ") && !strings.Contains(c, " -d "):
			// the pinned pool's root: its marker
		case operand == w.Pool.Name+"/iocage" && strings.Contains(c, " -d 3 "):
			// the tree, down to the jail roots
		default:
			t.Errorf("a zfs call beyond the tree: %s", c)
		}
	}
	if zcalls != 2 {
		t.Fatalf("%d zfs calls, want the pool root and the tree:\n%s", zcalls, strings.Join(calls, "\n"))
	}
}
