package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jcage/jcage/internal/testworld/world"
)

// The read commands and set with the real binary on zfs-fuse, against jails
// laid out as iocage lays them out and running jails the simulator reports.
func TestSystemReadCommands(t *testing.T) {
	w := world.New(t)
	w.Must("activate", w.Pool.Name)
	web := w.LayJail("web", map[string]any{"ip4_addr": "em0|10.0.0.5/24", "boot": 1})
	w.LayJail("db", nil)
	broken := w.LayJail("broken", nil)
	if err := os.WriteFile(filepath.Join(broken, "config.json"), []byte(`{"CONFIG_VERSION": `), 0o644); err != nil {
		t.Fatal(err)
	}
	w.Tool("jail", "-c", "name=ioc-web", "path="+filepath.Join(web, "root"), "host.hostname=web", "persist")

	out := w.Must("list")
	want := `+------+--------+---------+--------------+----------+
| JID  |  NAME  |  STATE  |   RELEASE    |   IP4    |
+======+========+=========+==============+==========+
| -    | broken | CORRUPT | N/A          | N/A      |
+------+--------+---------+--------------+----------+
| None | db     | down    | 14.3-RELEASE | -        |
+------+--------+---------+--------------+----------+
| 1    | web    | up      | 14.3-RELEASE | 10.0.0.5 |
+------+--------+---------+--------------+----------+
`
	if out != want {
		t.Fatalf("list:\n%s\nwant:\n%s", out, want)
	}
	// defaults.json was created at CONFIG_VERSION 34 on this new host.
	b, err := os.ReadFile(filepath.Join(w.IOCRoot(), "defaults.json"))
	if err != nil || !strings.Contains(string(b), `"CONFIG_VERSION": "34"`) || strings.HasSuffix(string(b), "\n") {
		t.Fatalf("defaults.json: %v %q", err, b)
	}
	// iocage's state order: everything but "down" first, ties by name.
	if got := w.Must("list", "-h", "-s", "state"); !strings.HasPrefix(got, "-\tbroken\tCORRUPT\tN/A\tN/A\n1\tweb\tup\t") {
		t.Fatalf("list -h -s state: %q", got)
	}
	if rows, err := jsonRows([]byte(w.Must("list", "--json")), "jails"); err != nil || len(rows) != 3 {
		t.Fatalf("list --json: %v %v", err, rows)
	}
	if got := w.Must("get", "-s", "web"); got != "up\n" {
		t.Fatalf("get -s: %q", got)
	}
	if got := w.Must("get", "-j", "we"); got != "1\n" {
		t.Fatalf("get -j by prefix: %q", got)
	}
	if got := w.Must("get", "-rh", "boot"); got != "broken\tN/A\ndb\t0\nweb\t1\n" {
		t.Fatalf("get -rh boot: %q", got)
	}
	df := w.Must("df", "-h")
	if lines := strings.Split(strings.TrimSpace(df), "\n"); len(lines) != 3 || !strings.HasPrefix(lines[2], "web\t1.00x\tnone\tnone\t") {
		t.Fatalf("df -h: %q", df)
	}

	// set: one key changes, ZFS properties reach ZFS, the running jail gets
	// its live parameter through jail -m.
	before, _ := os.ReadFile(filepath.Join(web, "config.json"))
	if got := w.Must("set", "quota=1G", "allow_raw_sockets=1", "web"); got != "quota: none -> 1G\nallow_raw_sockets: 0 -> 1\n" {
		t.Fatalf("set: %q", got)
	}
	after, _ := os.ReadFile(filepath.Join(web, "config.json"))
	if strings.Count(string(after), "\n") != strings.Count(string(before), "\n")+2 {
		t.Fatalf("set changed more than two keys:\n%s\n---\n%s", before, after)
	}
	if got := w.ZFS("get", "-H", "-o", "value", "quota", w.Pool.Name+"/iocage/jails/web"); got != "1G\n" {
		t.Fatalf("zfs quota: %q", got)
	}
	var live bool
	for _, c := range w.Calls() {
		if c.Tool == "jail" && strings.Join(c.Argv, " ") == "jail -m jid=1 allow.raw_sockets=1" {
			live = true
		}
	}
	if !live {
		t.Fatalf("no jail -m in the call log: %+v", w.Calls())
	}
	// A refused value changes nothing and says why in one line.
	r := w.Jcage("set", "boot=perhaps", "db")
	if r.Code != 1 || strings.Count(r.Stderr, "\n") < 1 || r.Stdout != "" {
		t.Fatalf("refused set: %+v", r)
	}
	// Non-root may read but not change.
	if r := w.JcageAs(65534, "set", "boot=1", "db"); r.Code != 1 || r.Stderr != "You need to have root privileges to run set\n" {
		t.Fatalf("non-root set: %+v", r)
	}
}
