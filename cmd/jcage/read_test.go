package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/jcage/jcage/internal/config"
	"github.com/jcage/jcage/internal/host"
	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/layout"
	"github.com/jcage/jcage/internal/plugin"
	"github.com/jcage/jcage/internal/render"
	"github.com/jcage/jcage/internal/zfs"
)

// addJail lays a jail out as iocage does: the dataset, its root and a thin
// config.json written in iocage's format.
func (h *harness) addJail(name string, props map[string]any) {
	h.t.Helper()
	ctx := context.Background()
	l := layout.Layout{Pool: "tank"}
	if err := h.zfs.Create(ctx, l.JailRoot(name), zfs.CreateOptions{Parents: true}); err != nil {
		h.t.Fatal(err)
	}
	base := map[string]any{"CONFIG_VERSION": "34", "host_hostuuid": name, "host_hostname": name, "release": "13.2-RELEASE", "type": "jail", "jail_zfs_dataset": "iocage/jails/" + name + "/data"}
	for k, v := range props {
		base[k] = v
	}
	c, err := config.ConfigFromMap(base)
	if err != nil {
		h.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(h.zfs.MountPath(l.Jail(name)), "config.json"), c.Marshal(), 0o644); err != nil {
		h.t.Fatal(err)
	}
}

// running makes the recorder's jls report these jails as running.
func (h *harness) running(jids map[string]int) {
	var js []string
	for name, jid := range jids {
		js = append(js, fmt.Sprintf(`{"jid":%d,"hostname":"%s","path":"/x","name":"%s","state":"ACTIVE","cpusetid":2,"ipv4_addrs":[],"ipv6_addrs":[]}`, jid, name, inventory.JailName(name)))
	}
	h.run.On([]string{"jls", "-v", "--libxo"}, `{"__version": "2", "jail-information": {"jail": [`+strings.Join(js, ",")+`]}}`+"\n", nil)
}

func newTreeHarness(t *testing.T) *harness {
	h := newHarness(t)
	if code := do(h, runActivate, activateOptions{pool: "tank"}); code != 0 {
		t.Fatalf("activate: %s", h.stderr.String())
	}
	h.running(nil)
	h.run.On([]string{"jls", "-j"}, "7\n", nil)
	return h
}

func TestListMatchesIocageSample(t *testing.T) {
	h := newTreeHarness(t)
	h.addJail("web", map[string]any{"ip4_addr": "em0|10.0.0.5/24"})
	h.addJail("db", nil)
	h.running(map[string]int{"web": 1})
	if code := do(h, runList, listOptions{}); code != 0 {
		t.Fatalf("list: %s", h.stderr.String())
	}
	// The sample of iocage's list table, sorted by name as iocage sorts.
	want := `+------+------+-------+--------------+----------+
| JID  | NAME | STATE |   RELEASE    |   IP4    |
+======+======+=======+==============+==========+
| None | db   | down  | 13.2-RELEASE | -        |
+------+------+-------+--------------+----------+
| 1    | web  | up    | 13.2-RELEASE | 10.0.0.5 |
+------+------+-------+--------------+----------+
`
	if got := h.stdout.String(); got != want {
		t.Fatalf("list:\n%s\nwant:\n%s", got, want)
	}
	do(h, runList, listOptions{format: render.FormatTSV})
	if got := h.stdout.String(); got != "None\tdb\tdown\t13.2-RELEASE\t-\n1\tweb\tup\t13.2-RELEASE\t10.0.0.5\n" {
		t.Fatalf("list -h: %q", got)
	}
	do(h, runList, listOptions{sort: "state", format: render.FormatTSV})
	if got := h.stdout.String(); !strings.HasPrefix(got, "1\tweb") {
		t.Fatalf("list -s state: %q", got)
	}
	do(h, runList, listOptions{format: render.FormatJSON})
	rows, err := jsonRows(h.stdout.Bytes(), "jails")
	if err != nil || len(rows) != 2 || rows[0]["jid"] != nil || rows[1]["jid"] != float64(1) {
		t.Fatalf("list --json: %v %s", err, h.stdout.String())
	}
	if code := do(h, runList, listOptions{sort: "bogus"}); code != 1 || !strings.HasPrefix(h.stderr.String(), "Invalid sort type specified, use one of:") {
		t.Fatalf("bad sort: %d %q", code, h.stderr.String())
	}
}

func TestParseList(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want listOptions
	}{
		{[]string{"list"}, listOptions{sort: listSort, repo: plugin.DefaultRepository}},
		{[]string{"list", "-l", "-H", "-s", "state"}, listOptions{view: inventory.ListView{Long: true}, sort: "state", format: render.FormatTSV, repo: plugin.DefaultRepository}},
		{[]string{"list", "-tq", "--json"}, listOptions{view: inventory.ListView{Templates: true, Quick: true}, sort: listSort, format: render.FormatJSON, repo: plugin.DefaultRepository}},
		{[]string{"list", "-B", "-h"}, listOptions{view: inventory.ListView{Basejails: true}, sort: listSort, format: render.FormatTSV, repo: plugin.DefaultRepository}},
		{[]string{"list", "--base"}, listOptions{releases: true, sort: listSort, repo: plugin.DefaultRepository}},
		{[]string{"list", "-b"}, listOptions{releases: true, sort: listSort, repo: plugin.DefaultRepository}},
		{[]string{"list", "-PRO", "-g", "https://x/ix.git", "--branch", "14.3-RELEASE"},
			listOptions{plugins: true, remote: true, official: true, repo: "https://x/ix.git", branch: "14.3-RELEASE", sort: listSort}},
	} {
		if got, err := parseLine(t, parseList, tc.args...); err != nil || got != tc.want {
			t.Errorf("%q: %+v %v, want %+v", tc.args, got, err, tc.want)
		}
	}
}

func TestListCountsExternalCalls(t *testing.T) {
	h := newTreeHarness(t)
	for i := 0; i < 50; i++ {
		h.addJail(fmt.Sprintf("j%d", i), nil)
	}
	z0, r0 := h.zfs.Calls(""), len(h.run.Calls())
	for name, run := range map[string]func() int{
		"list":        func() int { return do(h, runList, listOptions{}) },
		"list -l":     func() int { return do(h, runList, listOptions{view: inventory.ListView{Long: true}}) },
		"df":          func() int { return do(h, runDf, dfOptions{}) },
		"get -r boot": func() int { return do(h, runGet, getOptions{args: []string{"boot"}, recursive: true}) },
	} {
		z1, r1 := h.zfs.Calls(""), len(h.run.Calls())
		if code := run(); code != 0 {
			t.Fatalf("%s: %s", name, h.stderr.String())
		}
		// The pool roots, the tree, and jls when the state is shown.
		if dz, dr := h.zfs.Calls("")-z1, len(h.run.Calls())-r1; dz != 2 || dz+dr > 3 {
			t.Fatalf("%s: %d zfs calls and %d other calls for 50 jails", name, dz, dr)
		}
	}
	_, _ = z0, r0
}

func TestListLongTemplatesAndCorrupt(t *testing.T) {
	h := newTreeHarness(t)
	h.addJail("a_10", map[string]any{"boot": 1, "release": "13.2-RELEASE-p4", "ip6_addr": "em0|fd00::5/64"})
	h.addJail("a_2", map[string]any{"basejail": 1})
	h.addJail("broken", nil)
	l := layout.Layout{Pool: "tank"}
	if err := os.WriteFile(filepath.Join(h.zfs.MountPath(l.Jail("broken")), "config.json"), []byte("{nope"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code := do(h, runList, listOptions{view: inventory.ListView{Long: true}, format: render.FormatTSV}); code != 0 {
		t.Fatalf("list -l: %s", h.stderr.String())
	}
	want := "None\ta_2\toff\tdown\tjail\t13.2-RELEASE\t-\t-\t-\tyes\n" +
		"None\ta_10\ton\tdown\tjail\t13.2-RELEASE-p4\t-\tem0|fd00::5/64\t-\tno\n" +
		"-\tbroken\tN/A\tCORRUPT\tN/A\tN/A\tN/A\tN/A\tN/A\tN/A\n"
	if got := h.stdout.String(); got != want {
		t.Fatalf("list -l -h:\n%q\nwant\n%q", got, want)
	}
	do(h, runList, listOptions{view: inventory.ListView{Basejails: true}, format: render.FormatTSV})
	if got := h.stdout.String(); got != "None\ta_2\tdown\t13.2-RELEASE\t-\n" {
		t.Fatalf("list -B: %q", got)
	}
}

func TestGetForms(t *testing.T) {
	h := newTreeHarness(t)
	h.addJail("www1", map[string]any{"boot": 1, "notes": "Zürich"})
	h.addJail("www2", nil)
	h.running(map[string]int{"www1": 7})
	for _, tc := range []struct {
		opts getOptions
		want string
	}{
		{getOptions{args: []string{"boot", "www1"}}, "1\n"},
		{getOptions{args: []string{"notes", "www1"}}, "Zürich\n"},
		{getOptions{args: []string{"last_started", "www1"}}, "never\n"},
		{getOptions{args: []string{"www1"}, state: true}, "up\n"},
		{getOptions{args: []string{"www1"}, jid: true}, "7\n"},
		{getOptions{args: []string{"www2"}, jid: true}, "-\n"},
		{getOptions{pool: true}, "tank\n"},
		{getOptions{args: []string{"boot", "default"}}, "0\n"},
		{getOptions{args: []string{"boot"}, recursive: true, format: render.FormatTSV}, "www1\t1\nwww2\t0\n"},
		{getOptions{args: []string{"state", "www2"}}, "down\n"},
	} {
		if code := do(h, runGet, tc.opts); code != 0 || h.stdout.String() != tc.want {
			t.Errorf("%+v: code %d stdout %q stderr %q", tc.opts, code, h.stdout.String(), h.stderr.String())
		}
	}
	do(h, runGet, getOptions{args: []string{"boot"}, recursive: true})
	want := `+------+-------------+
| NAME | PROP - boot |
+======+=============+
| www1 | 1           |
+------+-------------+
| www2 | 0           |
+------+-------------+
`
	if h.stdout.String() != want {
		t.Fatalf("get -r boot:\n%s", h.stdout.String())
	}
	do(h, runGet, getOptions{args: []string{"www2"}, all: true})
	if out := h.stdout.String(); !strings.Contains(out, "\nstate:down\n") || !strings.HasPrefix(out, "CONFIG_VERSION:34\n") {
		t.Fatalf("get -a: %s", out)
	}
	if code := do(h, runGet, getOptions{args: []string{"bogus", "www1"}}); code != 1 || h.stderr.String() != "bogus is not a valid property!\n" {
		t.Fatalf("bogus: %d %q", code, h.stderr.String())
	}
	if code := do(h, runGet, getOptions{args: []string{"boot", "www"}}); code != 1 || !strings.HasPrefix(h.stderr.String(), "Multiple jails found for www:\n  www1 (") {
		t.Fatalf("ambiguous: %d %q", code, h.stderr.String())
	}
	if code := do(h, runGet, getOptions{args: []string{"boot", "nope"}}); code != 1 || h.stderr.String() != "jail 'nope' not found!\n" {
		t.Fatalf("missing: %d %q", code, h.stderr.String())
	}
}

func TestParseGetSetDf(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want getOptions
	}{
		{[]string{"get", "boot", "www1"}, getOptions{args: []string{"boot", "www1"}}},
		{[]string{"get", "-rh", "boot"}, getOptions{args: []string{"boot"}, recursive: true, format: render.FormatTSV}},
		{[]string{"get", "-a", "--json", "www1"}, getOptions{args: []string{"www1"}, all: true, format: render.FormatJSON}},
		{[]string{"get", "-s", "www1"}, getOptions{args: []string{"www1"}, state: true}},
		{[]string{"get", "-j", "www1"}, getOptions{args: []string{"www1"}, jid: true}},
		{[]string{"get", "-p"}, getOptions{args: []string{}, pool: true}},
		{[]string{"get", "-P", "-f", "adminpass", "plex"}, getOptions{args: []string{"adminpass", "plex"}, plugin: true, force: true}},
	} {
		if got, err := parseLine(t, parseGet, tc.args...); err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q: %+v %v, want %+v", tc.args, got, err, tc.want)
		}
	}
	for _, tc := range []struct {
		parse func(t *testing.T, args ...string) error
		args  []string
		msg   string
	}{
		{parsesWith(parseGet), []string{"get"}, "Usage: jcage get PROP JAIL"},
		{parsesWith(parseGet), []string{"get", "boot"}, "Usage: jcage get PROP JAIL"},
		{parsesWith(parseGet), []string{"get", "-r"}, "Usage: jcage get -r PROP"},
		{parsesWith(parseGet), []string{"get", "-a"}, "Usage: jcage get -a|-s|-j JAIL"},
		{parsesWith(parseGet), []string{"get", "-f", "boot", "www1"}, "--force (-f) is only applicable with --plugin (-P)!"},
		{parsesWith(parseSet), []string{"set", "boot=on"}, "Usage: jcage set KEY=VALUE [KEY=VALUE...] JAIL|default"},
	} {
		if err := tc.parse(t, tc.args...); err == nil || err.Error() != tc.msg {
			t.Errorf("%q: %v, want %q", tc.args, err, tc.msg)
		}
	}
	if got, err := parseLine(t, parseSet, "set", "-P", "a=1", "b=2", "plex"); err != nil || !got.plugin || strings.Join(got.args, " ") != "a=1 b=2 plex" {
		t.Errorf("set -P: %+v %v", got, err)
	}
	if got, err := parseLine(t, parseDf, "df", "-l", "-h", "-s", "used"); err != nil || got != (dfOptions{sort: "used", format: render.FormatTSV}) {
		t.Errorf("df: %+v %v", got, err)
	}
}

func TestSet(t *testing.T) {
	h := newTreeHarness(t)
	h.addJail("www1", nil)
	path := filepath.Join(h.zfs.MountPath("tank/iocage/jails/www1"), "config.json")
	before, _ := os.ReadFile(path)
	if code := do(h, runSet, setOptions{args: []string{"boot=on", "notes=hello world", "quota=10G", "www1"}}); code != 0 {
		t.Fatalf("set: %s", h.stderr.String())
	}
	if got := h.stdout.String(); got != "boot: 0 -> 1\nnotes: none -> hello world\nquota: none -> 10G\n" {
		t.Fatalf("set stdout %q", got)
	}
	after, _ := os.ReadFile(path)
	if strings.Count(string(after), "\n") != strings.Count(string(before), "\n")+3 {
		t.Fatalf("set changed more than its keys:\n%s\n---\n%s", before, after)
	}
	d, _ := h.zfs.Get(context.Background(), "tank/iocage/jails/www1", "quota")
	if d.Prop("quota") != "10G" {
		t.Fatalf("zfs quota %q", d.Prop("quota"))
	}
	// A refused value anywhere in the list changes nothing.
	snapshot, _ := os.ReadFile(path)
	if code := do(h, runSet, setOptions{args: []string{"notes=changed", "boot=maybe", "www1"}}); code != 1 {
		t.Fatalf("bad bool accepted")
	}
	if now, _ := os.ReadFile(path); string(now) != string(snapshot) {
		t.Fatal("refused set changed the file")
	}
	if code := do(h, runSet, setOptions{args: []string{"release=14.0-RELEASE", "www1"}}); code != 1 || h.stderr.String() != "release cannot be changed by the user.\n" {
		t.Fatalf("readonly: %q", h.stderr.String())
	}
	if code := do(h, runSet, setOptions{args: []string{"nat_prefix=172.16", "www1"}}); code != 1 || h.stderr.String() != "nat_prefix can only be changed for defaults!\n" {
		t.Fatalf("default-only: %q", h.stderr.String())
	}
	if code := do(h, runSet, setOptions{args: []string{"boot=1", "default"}}); code != 0 || h.stdout.String() != "Default Property: boot has been updated to 1\n" {
		t.Fatalf("set default: %d %q %q", code, h.stdout.String(), h.stderr.String())
	}
}

func TestSetOnRunningJailAppliesLive(t *testing.T) {
	h := newTreeHarness(t)
	h.addJail("www1", nil)
	h.running(map[string]int{"www1": 3})
	if code := do(h, runSet, setOptions{args: []string{"allow_raw_sockets=1", "memoryuse=deny=1G", "www1"}}); code != 0 {
		t.Fatalf("set: %s", h.stderr.String())
	}
	var live []string
	for _, c := range h.run.Calls() {
		if c.Name == "jail" || c.Name == "rctl" {
			live = append(live, c.String())
		}
	}
	want := []string{"jail -m jid=3 allow.raw_sockets=1", "rctl -a jail:ioc-www1:memoryuse:deny=1G"}
	if strings.Join(live, "|") != strings.Join(want, "|") {
		t.Fatalf("live calls %q, want %q", live, want)
	}
}

var _ = host.Cmd{}

func TestDfAndLongListTables(t *testing.T) {
	h := newTreeHarness(t)
	h.addJail("web", map[string]any{"ip4_addr": "em0|10.0.0.5/24", "boot": 1, "release": "13.2-RELEASE-p4"})
	h.addJail("db", map[string]any{"ip6_addr": "em0|fd00::7/64"})
	if err := h.zfs.SetProps(context.Background(), "tank/iocage/jails/web", map[string]string{"quota": "10737418240"}); err != nil {
		t.Fatal(err)
	}
	h.running(map[string]int{"web": 12})
	got := must(h, runDf, dfOptions{})
	wantDf := `+------+-------+------+------+-----+-----+
| NAME |  CRT  | RES  | QTA  | USE | AVA |
+======+=======+======+======+=====+=====+
| db   | 1.00x | none | none | 64K | 1G  |
+------+-------+------+------+-----+-----+
| web  | 1.00x | none | 10G  | 64K | 1G  |
+------+-------+------+------+-----+-----+
`
	if got != wantDf {
		t.Fatalf("df:\n%s\nwant:\n%s", got, wantDf)
	}
	got = must(h, runList, listOptions{view: inventory.ListView{Long: true}})
	wantLong := `+------+------+------+-------+------+-----------------+-----------------+----------------+----------+----------+
| JID  | NAME | BOOT | STATE | TYPE |     RELEASE     |       IP4       |      IP6       | TEMPLATE | BASEJAIL |
+======+======+======+=======+======+=================+=================+================+==========+==========+
| None | db   | off  | down  | jail | 13.2-RELEASE    | -               | em0|fd00::7/64 | -        | no       |
+------+------+------+-------+------+-----------------+-----------------+----------------+----------+----------+
| 12   | web  | on   | up    | jail | 13.2-RELEASE-p4 | em0|10.0.0.5/24 | -              | -        | no       |
+------+------+------+-------+------+-----------------+-----------------+----------------+----------+----------+
`
	if got != wantLong {
		t.Fatalf("list -l:\n%s\nwant:\n%s", got, wantLong)
	}
	got = must(h, runGet, getOptions{args: []string{"web"}, all: true})
	for _, line := range []string{"boot:1\n", "ip4_addr:em0|10.0.0.5/24\n", "last_started:never\n", "state:up\n", "release:13.2-RELEASE-p4\n"} {
		if !strings.Contains(got, line) {
			t.Fatalf("get -a lacks %q:\n%s", line, got)
		}
	}
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	for i := 1; i < len(lines); i++ {
		if a, b, _ := strings.Cut(lines[i-1], ":"); b != "" && a > strings.SplitN(lines[i], ":", 2)[0] {
			t.Fatalf("get -a not sorted at %q > %q", lines[i-1], lines[i])
		}
	}
	var obj map[string]any
	must(h, runGet, getOptions{args: []string{"web"}, all: true, format: render.FormatJSON})
	if err := json.Unmarshal(h.stdout.Bytes(), &obj); err != nil || obj["name"] != "web" {
		t.Fatalf("get -a --json: %v %s", err, h.stdout.String())
	}
	must(h, runDf, dfOptions{format: render.FormatJSON})
	rows, err := jsonRows(h.stdout.Bytes(), "jails")
	if err != nil || len(rows) != 2 || rows[1]["qta"] != float64(10<<30) {
		t.Fatalf("df --json: %v %s", err, h.stdout.String())
	}
}
