package main

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/jcage/jcage/internal/testworld/world"
)

// Jails on real ZFS with the real binary: every kind of create, refusals
// that change nothing, concurrent invocations, templates, clone, rename
// and destroy with an exact boundary.
func TestSystemJails(t *testing.T) {
	w := world.New(t)
	w.Must("activate", w.Pool.Name)
	w.LayRelease("14.3-RELEASE")
	pool := w.Pool.Name

	if out := w.Must("create", "-r", "14.3-RELEASE", "-n", "www1", "ip4_addr=em0|10.0.0.5/24"); out != "www1 successfully created!\n" {
		t.Fatalf("create: %q", out)
	}
	if got := w.ZFS("get", "-H", "-o", "value", "origin", pool+"/iocage/jails/www1/root"); got != pool+"/iocage/releases/14.3-RELEASE/root@www1\n" {
		t.Fatalf("origin %q", got)
	}
	cfg, _ := os.ReadFile(filepath.Join(w.IOCRoot(), "jails/www1/config.json"))
	if !strings.HasPrefix(string(cfg), "{\n    \"cloned_release\": \"14.3-RELEASE\",\n") || !strings.Contains(string(cfg), `"release": "14.3-RELEASE-p1"`) {
		t.Fatalf("config.json:\n%s", cfg)
	}
	// On a host with jails the create reads only what it names: three
	// zfs calls, the names' list and the snapshot (at the same time),
	// then the clone.
	r := w.Jcage("-D", "create", "-r", "14.3-RELEASE", "-n", "www2")
	var zcalls []string
	for _, l := range strings.Split(r.Stderr, "\n") {
		if strings.HasPrefix(l, "+ zfs ") || strings.Contains(l, "/zfs ") && strings.HasPrefix(l, "+ ") {
			zcalls = append(zcalls, l)
		}
	}
	sort.Strings(zcalls[:min(2, len(zcalls))])
	if r.Code != 0 || len(zcalls) != 3 || !strings.HasPrefix(zcalls[0], "+ zfs list -H -o ") ||
		!strings.HasPrefix(zcalls[1], "+ zfs snapshot ") || !strings.HasPrefix(zcalls[2], "+ zfs clone -p ") {
		t.Fatalf("create www2: %+v\nzfs calls:\n%s", r, strings.Join(zcalls, "\n"))
	}
	if r := w.Jcage("create", "-r", "14.3-RELEASE", "-n", "www2"); r.Code != 1 || r.Stderr != "Jail: www2 already exists!\n" {
		t.Fatalf("create www2 again: %+v", r)
	}
	w.Must("create", "-r", "14.3-RELEASE", "-n", "thick", "-T")
	if got := w.ZFS("get", "-H", "-o", "value", "origin", pool+"/iocage/jails/thick/root"); got != "-\n" {
		t.Fatalf("thick origin %q", got)
	}
	if _, err := os.Stat(filepath.Join(w.IOCRoot(), "jails/thick/root/bin/freebsd-version")); err != nil {
		t.Fatalf("thick root not copied: %v", err)
	}
	w.Must("create", "-e", "-n", "empty")

	// Refused inputs change nothing.
	before := w.Datasets()
	for name, msg := range map[string]string{
		"bad name": "Invalid character in bad name, please remove it.\n",
		"../x":     "Invalid character in ../x, please remove it.\n",
		"a/b":      "Invalid character in a/b, please remove it.\n",
		"default":  "You cannot name a jail default, that is a reserved name.\n",
		"":         "",
	} {
		r := w.Jcage("create", "-r", "14.3-RELEASE", "-n", name)
		if r.Code != 1 || strings.Count(r.Stderr, "\n") != 1 || (msg != "" && r.Stderr != msg) {
			t.Errorf("create -n %q: %+v", name, r)
		}
	}
	if after := w.Datasets(); after != before {
		t.Fatalf("refused creates changed the pool:\n%s\n---\n%s", before, after)
	}

	// Concurrent invocations: distinct names all succeed; the same name
	// twice gives one success and one clear refusal; sets of distinct keys
	// on one jail all land.
	var wg sync.WaitGroup
	results := make([]world.Result, 6)
	for i, n := range []string{"p1", "p2", "p3", "p4", "same", "same"} {
		wg.Add(1)
		go func(i int, n string) {
			defer wg.Done()
			results[i] = w.Jcage("create", "-r", "14.3-RELEASE", "-n", n)
		}(i, n)
	}
	wg.Wait()
	for i := 0; i < 4; i++ {
		if results[i].Code != 0 {
			t.Fatalf("parallel create %d: %+v", i, results[i])
		}
	}
	if (results[4].Code == 0) == (results[5].Code == 0) {
		t.Fatalf("same name twice: %+v %+v", results[4], results[5])
	}
	loser := results[4]
	if loser.Code == 0 {
		loser = results[5]
	}
	if loser.Stderr != "Jail: same already exists!\n" {
		t.Fatalf("same name loser: %q", loser.Stderr)
	}
	keys := []string{"notes=a", "allow_raw_sockets=1", "boot=1", "priority=50", "hostid_strict_check=1", "devfs_ruleset=5"}
	for _, kv := range keys {
		wg.Add(1)
		go func(kv string) {
			defer wg.Done()
			if r := w.Jcage("set", kv, "p1"); r.Code != 0 {
				t.Errorf("set %s: %+v", kv, r)
			}
		}(kv)
	}
	wg.Wait()
	cfg, _ = os.ReadFile(filepath.Join(w.IOCRoot(), "jails/p1/config.json"))
	for _, want := range []string{`"notes": "a"`, `"allow_raw_sockets": 1`, `"boot": 1`, `"priority": "50"`, `"hostid_strict_check": 1`, `"devfs_ruleset": "5"`} {
		if !strings.Contains(string(cfg), want) {
			t.Fatalf("lost update %s:\n%s", want, cfg)
		}
	}

	// Templates, and a jail from one.
	w.Must("set", "template=yes", "p2")
	if got := w.ZFS("get", "-H", "-o", "value", "readonly", pool+"/iocage/templates/p2"); got != "on\n" {
		t.Fatalf("template readonly %q", got)
	}
	w.Must("create", "-t", "p2", "-n", "fromtpl")
	if got := w.Must("list", "-l", "-h"); !strings.Contains(got, "\tfromtpl\toff\tdown\tjail\t14.3-RELEASE-p1\t-\t-\tp2\tno\n") {
		t.Fatalf("list -l:\n%s", got)
	}
	if got := w.Must("list", "-t", "-h"); got != "None\tp2\tdown\t14.3-RELEASE\t-\n" {
		t.Fatalf("list -t %q", got)
	}

	// clone and rename.
	w.Must("clone", "p3", "-n", "p3copy")
	w.Must("rename", "p3copy", "p3moved")
	cfg, _ = os.ReadFile(filepath.Join(w.IOCRoot(), "jails/p3moved/config.json"))
	if !strings.Contains(string(cfg), `"host_hostuuid": "p3moved"`) {
		t.Fatalf("renamed config:\n%s", cfg)
	}

	// A jail laid out by iocage is handled like one jcage made.
	w.LayJail("legacy", map[string]any{"notes": "from iocage"})
	if got := w.Must("get", "notes", "legacy"); got != "from iocage\n" {
		t.Fatalf("get on iocage jail %q", got)
	}
	w.Must("set", "boot=1", "legacy")

	// destroy foo never touches foobar.
	w.Must("create", "-r", "14.3-RELEASE", "-n", "foo")
	w.Must("create", "-r", "14.3-RELEASE", "-n", "foobar")
	w.Must("destroy", "-f", "foo")
	after := w.Datasets()
	if strings.Contains(after, "/jails/foo\n") || !strings.Contains(after, "/jails/foobar/root\n") || strings.Contains(after, "root@foo\n") || !strings.Contains(after, "root@foobar\n") {
		t.Fatalf("destroy foo:\n%s", after)
	}
	if r := w.Jcage("destroy", "-f", "p3"); r.Code != 1 || !strings.Contains(r.Stderr, "has dependent jails") {
		t.Fatalf("destroy with a dependent clone: %+v", r)
	}
	w.Must("destroy", "-f", "-R", "p3")
	w.Must("destroy", "-f", "legacy")
	if got := w.Must("list", "-h"); strings.Contains(got, "p3") || strings.Contains(got, "legacy") {
		t.Fatalf("list after destroys:\n%s", got)
	}
}
