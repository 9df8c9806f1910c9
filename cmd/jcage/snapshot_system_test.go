package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/jcage/jcage/internal/testworld/world"
)

// snapshot, snaplist, snapremove and rollback with the real binary on
// zfs-fuse, against jails laid out as iocage lays them out.
func TestSystemSnapshots(t *testing.T) {
	w := world.New(t)
	w.Must("activate", w.Pool.Name)
	web := w.LayJail("web", nil)
	w.LayJail("db", nil)
	jails := w.Pool.Name + "/iocage/jails/"
	snaps := func() string {
		return w.ZFS("list", "-H", "-o", "name", "-t", "snapshot", "-r", w.Pool.Name+"/iocage")
	}

	if out := w.Must("snapshot", "-n", "s1", "web"); out != "Snapshot: "+jails+"web@s1 created.\n" {
		t.Fatalf("snapshot -n: %q", out)
	}
	out := w.Must("snapshot", "db")
	if !regexp.MustCompile(`^Snapshot: ` + regexp.QuoteMeta(jails) + `db@\d{4}-\d\d-\d\d_\d\d:\d\d:\d\d created\.\n$`).MatchString(out) {
		t.Fatalf("snapshot with the default name: %q", out)
	}
	if r := w.Jcage("snapshot", "-n", "s1", "web"); r.Code != 1 || r.Stderr != "Snapshot already exists\n" {
		t.Fatalf("existing snapshot: %+v", r)
	}
	if r := w.Jcage("snapshot", "-n", "a/b", "web"); r.Code != 1 || strings.Contains(snaps(), "a/b") {
		t.Fatalf("bad name: %+v", r)
	}

	// A file written after s1, then a newer snapshot s2.
	after := filepath.Join(web, "root", "after.txt")
	if err := os.WriteFile(after, []byte("written after s1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	w.Must("snapshot", "-n", "s2", "web")
	got := snaps()
	for _, s := range []string{"web@s1", "web/root@s1", "web@s2", "web/root@s2"} {
		if !strings.Contains(got, jails+s+"\n") {
			t.Fatalf("%s missing from:\n%s", s, got)
		}
	}

	row := `\t[A-Z][a-z]{2} [A-Z][a-z]{2} [ 123]\d \d\d:\d\d \d{4}\t[0-9.]+[BKMG]\t[0-9.]+[BKMG]\n`
	list := regexp.MustCompile(`^s1` + row + `s1/root` + row + `s2` + row + `s2/root` + row + `$`)
	if out := w.Must("snaplist", "-h", "web"); !list.MatchString(out) {
		t.Fatalf("snaplist -h:\n%s", out)
	}
	if out := w.Must("snaplist", "-l", "web"); !strings.Contains(out, "| "+jails+"web/root@s2 |") || !strings.HasPrefix(out, "+---") {
		t.Fatalf("snaplist -l:\n%s", out)
	}

	// Rollback: refused without an answer, done on "y".
	r := w.JcageIn("", "rollback", "-n", "s1", "web")
	if r.Code != 1 || r.Stdout != "\nAre you sure? [y/N]: \n" ||
		!strings.Contains(r.Stderr, "These snapshots will be destroyed:\n  "+jails+"web@s2\n  "+jails+"web/root@s2\n") {
		t.Fatalf("rollback without an answer: %+v", r)
	}
	if _, err := os.Stat(after); err != nil {
		t.Fatalf("refused rollback lost the file: %v", err)
	}
	w.Tool("jail", "-c", "name=ioc-web", "path="+filepath.Join(web, "root"), "host.hostname=web", "persist")
	if r := w.Jcage("rollback", "-f", "-n", "s1", "web"); r.Code != 1 || r.Stderr != "Please stop web before trying to rollback!\n" {
		t.Fatalf("rollback of a running jail: %+v", r)
	}
	w.Tool("jail", "-r", "ioc-web")
	r = w.JcageIn("y\n", "rollback", "-n", "s1", "web")
	if r.Code != 0 || r.Stdout != "\nAre you sure? [y/N]: Rolled back to: "+jails+"web\n" {
		t.Fatalf("rollback: %+v", r)
	}
	if _, err := os.Stat(after); !os.IsNotExist(err) {
		t.Fatalf("the file written after s1 survived the rollback: %v", err)
	}
	if got := snaps(); strings.Contains(got, "@s2") || !strings.Contains(got, jails+"web/root@s1\n") {
		t.Fatalf("snapshots after rollback:\n%s", got)
	}

	// snapremove refuses while a clone depends on the snapshot, names
	// it, and takes it along with -R.
	scratch := w.Pool.Name + "/scratch"
	w.ZFS("clone", jails+"web/root@s1", scratch)
	r = w.Jcage("snapremove", "-n", "s1", "web")
	if r.Code != 1 || r.Stderr != "Snapshot: "+jails+"web@s1 has dependent clones: "+scratch+"; use -R to destroy them with it\n" {
		t.Fatalf("snapremove with a clone: %+v", r)
	}
	if !strings.Contains(snaps(), jails+"web/root@s1\n") {
		t.Fatal("refused snapremove destroyed the snapshot")
	}
	if out := w.Must("snapremove", "-R", "-n", "s1", "web"); out != "Clone: "+scratch+" destroyed\nSnapshot: "+jails+"web@s1 destroyed\n" {
		t.Fatalf("snapremove -R: %q", out)
	}
	if got := w.ZFS("list", "-H", "-o", "name", "-t", "all", "-r", w.Pool.Name); strings.Contains(got, "@s1") || strings.Contains(got, scratch+"\n") {
		t.Fatalf("after snapremove -R:\n%s", got)
	}
	if r := w.Jcage("snapremove", "-n", "s1", "web"); r.Code != 1 || r.Stderr != "Snapshot: "+jails+"web@s1 not found!\n" {
		t.Fatalf("snapremove of a missing snapshot: %+v", r)
	}
	// -n ALL -f clears db's snapshots.
	if out := w.Must("snapremove", "-n", "ALL", "-f", "db"); !strings.HasPrefix(out, "Snapshot: "+jails+"db@") {
		t.Fatalf("snapremove -n ALL: %q", out)
	}
	if got := snaps(); strings.Contains(got, jails+"db") {
		t.Fatalf("db snapshots left:\n%s", got)
	}
}
