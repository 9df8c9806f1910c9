package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/jcage/jcage/internal/config"
	"github.com/jcage/jcage/internal/layout"
	"github.com/jcage/jcage/internal/render"
	"github.com/jcage/jcage/internal/zfs"
)

var snapLayout = layout.Layout{Pool: "tank"}

// snapTemplate lays a template out as iocage does: under templates/.
func (h *harness) snapTemplate(name string) {
	h.t.Helper()
	if err := h.zfs.Create(context.Background(), snapLayout.TemplateRoot(name), zfs.CreateOptions{Parents: true}); err != nil {
		h.t.Fatal(err)
	}
	c, err := config.ConfigFromMap(map[string]any{"CONFIG_VERSION": "34", "host_hostuuid": name, "release": "13.2-RELEASE", "template": 1})
	if err != nil {
		h.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(h.zfs.MountPath(snapLayout.Template(name)), "config.json"), c.Marshal(), 0o644); err != nil {
		h.t.Fatal(err)
	}
}

// refused runs a verb that has to fail with stderr, changing nothing.
func refused[O any](h *harness, stderr string, run verbFunc[O], opts O) {
	h.t.Helper()
	before := strings.Join(h.zfs.Names(), "\n")
	if code := do(h, run, opts); code != 1 || h.stderr.String() != stderr+"\n" {
		h.t.Fatalf("%+v: exit %d\nstderr %q\nwant   %q", opts, code, h.stderr.String(), stderr+"\n")
	}
	if after := strings.Join(h.zfs.Names(), "\n"); after != before {
		h.t.Fatalf("%+v changed ZFS:\n%s", opts, after)
	}
}

func (h *harness) snapExists(name string) bool {
	_, err := h.zfs.Get(context.Background(), name)
	return err == nil
}

func TestSnapshotCommand(t *testing.T) {
	h := newTreeHarness(t)
	h.addJail("web", nil)
	h.addJail("db", nil)
	h.snapTemplate("tmpl")

	out := must(h, runSnapshot, snapshotOptions{jail: "web"})
	m := regexp.MustCompile(`^Snapshot: tank/iocage/jails/web@(\d{4}-\d\d-\d\d_\d\d:\d\d:\d\d) created\.\n$`).FindStringSubmatch(out)
	if m == nil || !h.snapExists("tank/iocage/jails/web/root@"+m[1]) {
		t.Fatalf("default name: %q", out)
	}

	n := h.zfs.Calls("snapshot")
	if out := must(h, runSnapshot, snapshotOptions{jail: "we", name: "s1"}); out != "Snapshot: tank/iocage/jails/web@s1 created.\n" {
		t.Fatalf("-n: %q", out)
	}
	if h.zfs.Calls("snapshot")-n != 1 || !h.snapExists("tank/iocage/jails/web/root@s1") {
		t.Fatalf("one recursive snapshot call expected, got %d", h.zfs.Calls("snapshot")-n)
	}
	if out := must(h, runSnapshot, snapshotOptions{jail: "tmpl", name: "t1"}); out != "Snapshot: tank/iocage/templates/tmpl@t1 created.\n" {
		t.Fatalf("template: %q", out)
	}
	refused(h, "Snapshot already exists", runSnapshot, snapshotOptions{jail: "web", name: "s1"})

	for _, bad := range []string{"a@b", "a/b", "bad name", "..", "ALL"} {
		n := h.zfs.Calls("snapshot")
		if code := do(h, runSnapshot, snapshotOptions{jail: "web", name: bad}); code != 1 || h.zfs.Calls("snapshot") != n {
			t.Fatalf("name %q: exit %d, %d snapshot calls", bad, code, h.zfs.Calls("snapshot")-n)
		}
	}
	refused(h, "jail 'nope' not found!", runSnapshot, snapshotOptions{jail: "nope"})

	out = must(h, runSnapshot, snapshotOptions{jail: "ALL", name: "b"})
	want := "Snapshot: tank/iocage/jails/db@b created.\nSnapshot: tank/iocage/jails/web@b created.\nSnapshot: tank/iocage/templates/tmpl@b created.\n"
	if out != want {
		t.Fatalf("ALL:\n%s", out)
	}
	// ALL unwinds: the failure on the template takes db's and web's back.
	h.zfs.FailOn("snapshot", "tank/iocage/templates/tmpl@c", errors.New("cannot create snapshot: out of space"))
	refused(h, "cannot create snapshot: out of space", runSnapshot, snapshotOptions{jail: "ALL", name: "c"})
	h.zfs.ClearFailures()
}

// createdCell matches snaplist's CREATED cells, which follow the fake's clock.
var createdCell = regexp.MustCompile(`[A-Z][a-z]{2} [A-Z][a-z]{2} [ 123]\d \d\d:\d\d \d{4}`)
var rfc3339 = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)

func TestSnaplistCommand(t *testing.T) {
	h := newTreeHarness(t)
	h.addJail("web", nil)
	must(h, runSnapshot, snapshotOptions{jail: "web", name: "first"})
	must(h, runSnapshot, snapshotOptions{jail: "web", name: "second_2"})
	must(h, runSnapshot, snapshotOptions{jail: "web", name: "second_10"})
	ctx := context.Background()
	// Neither a data child's snapshot nor one without its root twin is listed.
	if err := h.zfs.Create(ctx, snapLayout.JailData("web"), zfs.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	must(h, runSnapshot, snapshotOptions{jail: "web", name: "withdata"})
	if err := h.zfs.Snapshot(ctx, "tank/iocage/jails/web@alone", false); err != nil {
		t.Fatal(err)
	}

	out := createdCell.ReplaceAllString(must(h, runSnaplist, snaplistOptions{jail: "web"}), "Thu Nov 23 11:45 2023")
	want := `+----------------+-----------------------+-------+------+
|      NAME      |        CREATED        | RSIZE | USED |
+================+=======================+=======+======+
| first          | Thu Nov 23 11:45 2023 | 64K   | 64K  |
+----------------+-----------------------+-------+------+
| first/root     | Thu Nov 23 11:45 2023 | 64K   | 64K  |
+----------------+-----------------------+-------+------+
| second_2       | Thu Nov 23 11:45 2023 | 64K   | 64K  |
+----------------+-----------------------+-------+------+
| second_2/root  | Thu Nov 23 11:45 2023 | 64K   | 64K  |
+----------------+-----------------------+-------+------+
| second_10      | Thu Nov 23 11:45 2023 | 64K   | 64K  |
+----------------+-----------------------+-------+------+
| second_10/root | Thu Nov 23 11:45 2023 | 64K   | 64K  |
+----------------+-----------------------+-------+------+
| withdata       | Thu Nov 23 11:45 2023 | 64K   | 64K  |
+----------------+-----------------------+-------+------+
| withdata/root  | Thu Nov 23 11:45 2023 | 64K   | 64K  |
+----------------+-----------------------+-------+------+
`
	if out != want {
		t.Fatalf("snaplist:\n%s\nwant:\n%s", out, want)
	}

	tsv := createdCell.ReplaceAllString(must(h, runSnaplist, snaplistOptions{jail: "web", format: render.FormatTSV, long: true, sort: "name"}), "C")
	// iocage's name key compares long names as text, so "/root@" sorts
	// before "@".
	wantTSV := "tank/iocage/jails/web/root@first\tC\t64K\t64K\n" +
		"tank/iocage/jails/web/root@second_2\tC\t64K\t64K\n" +
		"tank/iocage/jails/web/root@second_10\tC\t64K\t64K\n" +
		"tank/iocage/jails/web/root@withdata\tC\t64K\t64K\n" +
		"tank/iocage/jails/web@first\tC\t64K\t64K\n" +
		"tank/iocage/jails/web@second_2\tC\t64K\t64K\n" +
		"tank/iocage/jails/web@second_10\tC\t64K\t64K\n" +
		"tank/iocage/jails/web@withdata\tC\t64K\t64K\n"
	if tsv != wantTSV {
		t.Fatalf("snaplist -h -l -s name:\n%s", tsv)
	}
	// Short names sort as iocage's name key does: second_2 before second_10.
	if tsv := must(h, runSnaplist, snaplistOptions{jail: "web", format: render.FormatTSV, sort: "NAME"}); !strings.Contains(tsv, "second_2/root\t") || strings.Index(tsv, "second_2\t") > strings.Index(tsv, "second_10\t") {
		t.Fatalf("-s name:\n%s", tsv)
	}
	for _, key := range []string{"rsize", "used", "created"} {
		must(h, runSnaplist, snaplistOptions{jail: "web", format: render.FormatTSV, sort: key})
	}

	rows, err := jsonRows([]byte(must(h, runSnaplist, snaplistOptions{jail: "web", format: render.FormatJSON})), "snapshots")
	if err != nil || len(rows) != 8 ||
		rows[0]["name"] != "first" || rows[0]["rsize"] != float64(64<<10) || !rfc3339.MatchString(fmt.Sprint(rows[0]["created"])) {
		t.Fatalf("--json: %v %s", err, h.stdout.String())
	}

	n := h.zfs.Calls("")
	refused(h, "Invalid sort type specified, use one of:\n  name\n  created\n  rsize\n  used", runSnaplist, snaplistOptions{jail: "web", sort: "jid"})
	if h.zfs.Calls("") != n {
		t.Fatal("a bad sort key reached zfs")
	}
	refused(h, "jail 'nope' not found!", runSnaplist, snaplistOptions{jail: "nope"})

	// No root needed, as in iocage.
	h.uid = 1001
	if out := must(h, runSnaplist, snaplistOptions{jail: "web", format: render.FormatTSV}); strings.Count(out, "\n") != 8 {
		t.Fatalf("non-root snaplist: %q", out)
	}
}

func TestSnaplistAllAndCallCounts(t *testing.T) {
	h := newTreeHarness(t)
	for i := 0; i < 20; i++ {
		h.addJail(fmt.Sprintf("j%02d", i), nil)
	}
	h.snapTemplate("tmpl")
	for i := 0; i < 5; i++ {
		must(h, runSnapshot, snapshotOptions{jail: "ALL", name: fmt.Sprintf("s%d", i)})
	}
	for _, opts := range []snaplistOptions{{jail: "j07"}, {jail: "ALL", long: true}, {jail: "ALL", format: render.FormatJSON}} {
		n := h.zfs.Calls("")
		must(h, runSnaplist, opts)
		// One read of the pool roots and one of the tree (finding the
		// jail), one of the snapshots, however many jails and snapshots
		// there are.
		if got := h.zfs.Calls("") - n; got != 3 {
			t.Fatalf("%+v: %d zfs calls", opts, got)
		}
	}
	out := createdCell.ReplaceAllString(must(h, runSnaplist, snaplistOptions{jail: "ALL", format: render.FormatTSV, sort: "name"}), "C")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	// As in the fork, -s name sorts by the snapshot name alone; ties keep
	// the jails' order.
	if len(lines) != 21*5*2 || lines[0] != "j00\ts0\tC\t64K\t64K" || lines[1] != "j01\ts0\tC\t64K\t64K" || lines[21] != "j00\ts0/root\tC\t64K\t64K" {
		t.Fatalf("snaplist ALL: %d lines, first %q %q", len(lines), lines[0], lines[1])
	}
	if !strings.HasPrefix(must(h, runSnaplist, snaplistOptions{jail: "ALL"}), "+------+") || !strings.Contains(h.stdout.String(), "| JAIL |") {
		t.Fatalf("snaplist ALL table:\n%s", h.stdout.String())
	}
	if rows, err := jsonRows([]byte(must(h, runSnaplist, snaplistOptions{jail: "ALL", format: render.FormatJSON})), "snapshots"); err != nil || rows[0]["jail"] == nil {
		t.Fatalf("--json ALL: %v", err)
	}
}

func TestSnapremoveCommand(t *testing.T) {
	h := newTreeHarness(t)
	ctx := context.Background()
	h.addJail("web", nil)
	h.addJail("db", nil)
	h.addJail("kid", nil)
	for _, s := range []string{"s1", "s2", "s3"} {
		must(h, runSnapshot, snapshotOptions{jail: "web", name: s})
	}
	must(h, runSnapshot, snapshotOptions{jail: "db", name: "s1"})

	if out := must(h, runSnapremove, snapremoveOptions{jail: "web", name: "s3"}); out != "Snapshot: tank/iocage/jails/web@s3 destroyed\n" {
		t.Fatalf("snapremove: %q", out)
	}
	if h.snapExists("tank/iocage/jails/web@s3") || h.snapExists("tank/iocage/jails/web/root@s3") {
		t.Fatal("s3 or its root twin survived")
	}
	refused(h, "Snapshot: tank/iocage/jails/web@s3 not found!", runSnapremove, snapremoveOptions{jail: "web", name: "s3"})
	refused(h, "invalid snapshot name \"a/b\": '@' and '/' are not allowed", runSnapremove, snapremoveOptions{jail: "web", name: "a/b"})

	// kid is a clone of web@s1, as `clone` makes one; another clone of
	// web@s1 lives outside the iocage tree.
	if err := h.zfs.Destroy(ctx, snapLayout.JailRoot("kid"), zfs.DestroyOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := h.zfs.Clone(ctx, "tank/iocage/jails/web/root@s1", snapLayout.JailRoot("kid"), zfs.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := h.zfs.Clone(ctx, "tank/iocage/jails/web@s1", "tank/scratch", zfs.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	destroys := h.zfs.Calls("destroy")
	refused(h, "Snapshot: tank/iocage/jails/web@s1 has dependent clones: tank/iocage/jails/kid/root (jail kid), tank/scratch; use -R to destroy them with it", runSnapremove, snapremoveOptions{jail: "web", name: "s1"})
	if h.zfs.Calls("destroy") != destroys {
		t.Fatal("a refused snapremove called zfs destroy")
	}

	// -n ALL skips what clones use.
	out := must(h, runSnapremove, snapremoveOptions{jail: "web", name: "ALL"})
	if out != "Snapshot: tank/iocage/jails/web@s2 destroyed\n" || h.stderr.String() != "Skipped snapshot tank/iocage/jails/web@s1: used by clones.\n" {
		t.Fatalf("-n ALL: stdout %q stderr %q", out, h.stderr.String())
	}

	// -R refuses while the clone's jail runs, then takes the clones along.
	h.running(map[string]int{"kid": 4})
	refused(h, "Cannot destroy tank/iocage/jails/kid/root with tank/iocage/jails/web@s1: jail kid is running", runSnapremove, snapremoveOptions{jail: "web", clones: true, name: "s1"})
	h.running(nil)
	out = must(h, runSnapremove, snapremoveOptions{jail: "web", clones: true, name: "s1"})
	want := "Clone: tank/iocage/jails/kid/root destroyed\nClone: tank/scratch destroyed\nSnapshot: tank/iocage/jails/web@s1 destroyed\n"
	if out != want || h.snapExists("tank/scratch") || h.snapExists(snapLayout.JailRoot("kid")) || !h.snapExists("tank/iocage/jails/db@s1") {
		t.Fatalf("-R: %q", out)
	}

	// ALL jails: every jail that has the snapshot; none is an error.
	must(h, runSnapshot, snapshotOptions{jail: "web", name: "x"})
	out = must(h, runSnapremove, snapremoveOptions{jail: "ALL", name: "x"})
	if out != "Snapshot: tank/iocage/jails/web@x destroyed\n" {
		t.Fatalf("snapremove ALL: %q", out)
	}
	refused(h, "Snapshot: x not found!", runSnapremove, snapremoveOptions{jail: "ALL", name: "x"})

	// A zfs failure is reported as zfs says it.
	h.zfs.FailOn("destroy", "tank/iocage/jails/db@s1", errors.New("cannot destroy snapshot tank/iocage/jails/db@s1: dataset is busy"))
	refused(h, "cannot destroy snapshot tank/iocage/jails/db@s1: dataset is busy", runSnapremove, snapremoveOptions{jail: "db", name: "s1"})
	h.zfs.ClearFailures()
	h.zfs.FailOn("destroy", "tank/iocage/jails/db@s1", fmt.Errorf("cannot destroy: %w", zfs.ErrHasClones))
	refused(h, "Snapshot: tank/iocage/jails/db@s1 has dependent clones; use -R to destroy them with it", runSnapremove, snapremoveOptions{jail: "db", name: "s1"})
	h.zfs.ClearFailures()

	// No root check, as in iocage: zfs decides.
	h.uid = 1001
	if out := must(h, runSnapremove, snapremoveOptions{jail: "db", name: "s1"}); out != "Snapshot: tank/iocage/jails/db@s1 destroyed\n" {
		t.Fatalf("non-root: %q", out)
	}
}

func (h *harness) snapRootFile(name, rel string) string {
	return filepath.Join(h.zfs.MountPath(snapLayout.JailRoot(name)), rel)
}

func TestRollbackCommand(t *testing.T) {
	h := newTreeHarness(t)
	ctx := context.Background()
	h.addJail("web", nil)
	must(h, runSnapshot, snapshotOptions{jail: "web", name: "s1"})
	after := h.snapRootFile("web", "after.txt")
	if err := os.WriteFile(after, []byte("written after s1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	must(h, runSet, setOptions{args: []string{"notes=changed", "web"}})
	must(h, runSnapshot, snapshotOptions{jail: "web", name: "s2"})

	warning := "\nThis will destroy ALL data created including ALL snapshots taken after the snapshot s1\n" +
		"These snapshots will be destroyed:\n  tank/iocage/jails/web@s2\n  tank/iocage/jails/web/root@s2\n"
	unchanged := func() {
		t.Helper()
		if _, err := os.Stat(after); err != nil || !h.snapExists("tank/iocage/jails/web@s2") || h.zfs.Calls("rollback") != 0 {
			t.Fatalf("rollback changed the jail: %v", err)
		}
	}

	// No answer (no terminal, empty stdin): refused.
	h.stdin = ""
	if code := do(h, runRollback, rollbackOptions{jail: "web", name: "s1"}); code != 1 ||
		h.stdout.String() != "\nAre you sure? [y/N]: \n" ||
		h.stderr.String() != warning+"no answer on standard input: nothing done (pass -f to skip the question)\n" {
		t.Fatalf("no answer: %d\nstdout %q\nstderr %q", code, h.stdout.String(), h.stderr.String())
	}
	unchanged()
	// "n" ends quietly, as in iocage.
	h.stdin = "n\n"
	if code := do(h, runRollback, rollbackOptions{jail: "web", name: "s1"}); code != 0 || h.stdout.String() != "\nAre you sure? [y/N]: " {
		t.Fatalf("no: %d %q", code, h.stdout.String())
	}
	unchanged()

	// Refusals come before the question.
	h.stdin = "y\n"
	refused(h, "tank/iocage/jails/web@nope does not exist", runRollback, rollbackOptions{jail: "web", name: "nope"})
	refused(h, "invalid snapshot name \"s 1\": use letters, digits and . _ : - only", runRollback, rollbackOptions{jail: "web", name: "s 1"})
	refused(h, "jail 'nope' not found!", runRollback, rollbackOptions{jail: "nope", name: "s1"})
	h.running(map[string]int{"web": 7})
	refused(h, "Please stop web before trying to rollback!", runRollback, rollbackOptions{jail: "web", name: "s1"})
	h.running(nil)
	if err := h.zfs.Clone(ctx, "tank/iocage/jails/web/root@s2", "tank/keep", zfs.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	refused(h, "Cannot roll back to tank/iocage/jails/web@s1: the newer snapshot tank/iocage/jails/web/root@s2 has dependent clones: tank/keep; destroy or promote them first", runRollback, rollbackOptions{jail: "web", name: "s1"})
	if err := h.zfs.Destroy(ctx, "tank/keep", zfs.DestroyOptions{}); err != nil {
		t.Fatal(err)
	}
	unchanged()

	// An invalid answer asks again; yes rolls back root and jail dataset.
	h.stdin = "maybe\nYES\n"
	if code := do(h, runRollback, rollbackOptions{jail: "web", name: "s1"}); code != 0 {
		t.Fatalf("yes: %d %q", code, h.stderr.String())
	}
	if got := h.stdout.String(); got != "\nAre you sure? [y/N]: \nAre you sure? [y/N]: Rolled back to: tank/iocage/jails/web\n" {
		t.Fatalf("stdout %q", got)
	}
	if got := h.stderr.String(); got != warning+"Error: invalid input\n" {
		t.Fatalf("stderr %q", got)
	}
	if _, err := os.Stat(after); !os.IsNotExist(err) {
		t.Fatalf("the file written after s1 survived: %v", err)
	}
	if h.snapExists("tank/iocage/jails/web@s2") || h.snapExists("tank/iocage/jails/web/root@s2") || !h.snapExists("tank/iocage/jails/web/root@s1") {
		t.Fatal("newer snapshots survived")
	}
	if got := must(h, runGet, getOptions{args: []string{"notes", "web"}}); got != "none\n" {
		t.Fatalf("config.json not rolled back: notes=%q", got)
	}
	if h.zfs.Calls("rollback") != 2 {
		t.Fatalf("rollback calls %d", h.zfs.Calls("rollback"))
	}

	// -f: no question, iocage's one line. A dataset made after the
	// snapshot is named in the warning only, and left alone.
	if err := os.WriteFile(after, []byte("again\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := h.zfs.Create(ctx, snapLayout.JailData("web"), zfs.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	h.stdin = ""
	if out := must(h, runRollback, rollbackOptions{jail: "web", force: true, name: "s1"}); out != "Rolled back to: tank/iocage/jails/web\n" || h.stderr.Len() != 0 {
		t.Fatalf("-f: %q %q", out, h.stderr.String())
	}
	if _, err := os.Stat(after); !os.IsNotExist(err) || !h.snapExists(snapLayout.JailData("web")) {
		t.Fatalf("-f rollback: %v", err)
	}
	h.stdin = "y\n"
	must(h, runRollback, rollbackOptions{jail: "web", name: "s1"})
	if !strings.Contains(h.stderr.String(), "No snapshot is newer than s1: none will be destroyed.\n"+
		"These datasets have no snapshot s1 and stay as they are:\n  tank/iocage/jails/web/data\n") {
		t.Fatalf("warning %q", h.stderr.String())
	}

	// A zfs failure stops the rollback with zfs's words.
	h.zfs.FailOn("rollback", "tank/iocage/jails/web/root@s1", errors.New("cannot rollback 'tank/iocage/jails/web/root': dataset is busy"))
	if code := do(h, runRollback, rollbackOptions{jail: "web", force: true, name: "s1"}); code != 1 || h.stderr.String() != "cannot rollback 'tank/iocage/jails/web/root': dataset is busy\n" {
		t.Fatalf("failure: %d %q", code, h.stderr.String())
	}
}

func TestParseSnapshotVerbs(t *testing.T) {
	// The book's order, flags after the jail, works too.
	for _, args := range [][]string{{"snapshot", "-n", "s1", "web"}, {"snapshot", "web", "-n", "s1"}, {"snapshot", "--name", "s1", "web"}} {
		if got, err := parseLine(t, parseSnapshot, args...); err != nil || got != (snapshotOptions{jail: "web", name: "s1"}) {
			t.Errorf("%q: %+v %v", args, got, err)
		}
	}
	if got, err := parseLine(t, parseSnaplist, "snaplist", "-hl", "-s", "name", "ALL"); err != nil ||
		got != (snaplistOptions{jail: "ALL", long: true, sort: "name", format: render.FormatTSV}) {
		t.Errorf("snaplist: %+v %v", got, err)
	}
	if got, err := parseLine(t, parseSnaplist, "snaplist", "--json", "web"); err != nil ||
		got != (snaplistOptions{jail: "web", sort: snaplistSort, format: render.FormatJSON}) {
		t.Errorf("snaplist --json: %+v %v", got, err)
	}
	if got, err := parseLine(t, parseSnapremove, "snapremove", "-R", "-n", "s1", "web"); err != nil || got != (snapremoveOptions{jail: "web", name: "s1", clones: true}) {
		t.Errorf("snapremove: %+v %v", got, err)
	}
	if got, err := parseLine(t, parseSnapremove, "snapremove", "-n", "ALL", "-f", "web"); err != nil || got != (snapremoveOptions{jail: "web", name: "ALL"}) {
		t.Errorf("snapremove -n ALL -f: %+v %v", got, err)
	}
	if got, err := parseLine(t, parseRollback, "rollback", "-f", "-n", "s1", "web"); err != nil || got != (rollbackOptions{jail: "web", name: "s1", force: true}) {
		t.Errorf("rollback: %+v %v", got, err)
	}
	for _, tc := range []struct {
		parse func(t *testing.T, args ...string) error
		args  []string
		msg   string
	}{
		{parsesWith(parseSnapshot), []string{"snapshot"}, "Usage: jcage snapshot [-n NAME] JAIL|ALL"},
		{parsesWith(parseSnapshot), []string{"snapshot", "web", "db"}, "Usage: jcage snapshot [-n NAME] JAIL|ALL"},
		{parsesWith(parseSnaplist), []string{"snaplist"}, "Usage: jcage snaplist [-h] [-l] [-s name|created|rsize|used] JAIL|ALL"},
		{parsesWith(parseSnapremove), []string{"snapremove", "web"}, `Missing option "--name" / "-n".`},
		{parsesWith(parseSnapremove), []string{"snapremove", "-n", "s1"}, "Usage: jcage snapremove -n NAME [-R] [-f] JAIL|ALL"},
		{parsesWith(parseSnapremove), []string{"snapremove", "-n", "ALL", "web"}, `Mass snapshot deletion requires "force" (-f).`},
		{parsesWith(parseRollback), []string{"rollback", "web"}, `Missing option "--name" / "-n".`},
		{parsesWith(parseRollback), []string{"rollback", "-n", "s1"}, "Usage: jcage rollback -n NAME [-f] JAIL"},
	} {
		if err := tc.parse(t, tc.args...); err == nil || err.Error() != tc.msg {
			t.Errorf("%q: %v, want %q", tc.args, err, tc.msg)
		}
	}
}

func TestConfirm(t *testing.T) {
	for _, c := range []struct {
		in   string
		want bool
		err  bool
	}{
		{"y\n", true, false}, {"Yes\n", true, false}, {" y \n", true, false}, {"y", true, false},
		{"n\n", false, false}, {"\n", false, false}, {"NO\n", false, false},
		{"", false, true}, {"what\n", false, true}, {"what\ny\n", true, false},
	} {
		h := newHarness(t)
		d := deps{stdin: strings.NewReader(c.in), stderr: &h.stderr}
		got, err := d.confirm(&h.stdout, "Sure?")
		if got != c.want || (err != nil) != c.err {
			t.Errorf("%q: %v %v", c.in, got, err)
		}
	}
	// Nothing after the answer is consumed.
	r := strings.NewReader("y\nrest")
	h := newHarness(t)
	if ok, err := (deps{stdin: r, stderr: &h.stderr}).confirm(&h.stdout, "Sure?"); !ok || err != nil || r.Len() != 4 {
		t.Fatalf("read past the answer: %v %v %d", ok, err, r.Len())
	}
}
