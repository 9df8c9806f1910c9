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

	"github.com/jcage/jcage/internal/jail"
	"github.com/jcage/jcage/internal/zfs"
)

var snapLayout = zfs.Layout{Pool: "tank"}

// snapTemplate lays a template out as iocage does: under templates/.
func (h *harness) snapTemplate(name string) {
	h.t.Helper()
	if err := h.zfs.Create(context.Background(), snapLayout.TemplateRoot(name), zfs.CreateOptions{Parents: true}); err != nil {
		h.t.Fatal(err)
	}
	c, err := jail.ConfigFromMap(map[string]any{"CONFIG_VERSION": "34", "host_hostuuid": name, "release": "13.2-RELEASE", "template": 1})
	if err != nil {
		h.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(h.zfs.MountPath(snapLayout.Template(name)), "config.json"), c.Marshal(), 0o644); err != nil {
		h.t.Fatal(err)
	}
}

// snapMust runs a command that has to succeed.
func (h *harness) snapMust(args ...string) string {
	h.t.Helper()
	if code := h.jcage(args...); code != 0 {
		h.t.Fatalf("%v: exit %d\nstdout %q\nstderr %q", args, code, h.stdout.String(), h.stderr.String())
	}
	return h.stdout.String()
}

// snapRefused runs a command that has to fail with stderr, changing nothing.
func (h *harness) snapRefused(stderr string, args ...string) {
	h.t.Helper()
	before := strings.Join(h.zfs.Names(), "\n")
	if code := h.jcage(args...); code != 1 || h.stderr.String() != stderr+"\n" {
		h.t.Fatalf("%v: exit %d\nstderr %q\nwant   %q", args, code, h.stderr.String(), stderr+"\n")
	}
	if after := strings.Join(h.zfs.Names(), "\n"); after != before {
		h.t.Fatalf("%v changed ZFS:\n%s", args, after)
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

	out := h.snapMust("snapshot", "web")
	m := regexp.MustCompile(`^Snapshot: tank/iocage/jails/web@(\d{4}-\d\d-\d\d_\d\d:\d\d:\d\d) created\.\n$`).FindStringSubmatch(out)
	if m == nil || !h.snapExists("tank/iocage/jails/web/root@"+m[1]) {
		t.Fatalf("default name: %q", out)
	}

	n := h.zfs.Calls("snapshot")
	if out := h.snapMust("snapshot", "-n", "s1", "we"); out != "Snapshot: tank/iocage/jails/web@s1 created.\n" {
		t.Fatalf("-n: %q", out)
	}
	if h.zfs.Calls("snapshot")-n != 1 || !h.snapExists("tank/iocage/jails/web/root@s1") {
		t.Fatalf("one recursive snapshot call expected, got %d", h.zfs.Calls("snapshot")-n)
	}
	if out := h.snapMust("snapshot", "--name", "t1", "tmpl"); out != "Snapshot: tank/iocage/templates/tmpl@t1 created.\n" {
		t.Fatalf("template: %q", out)
	}
	h.snapRefused("Snapshot already exists", "snapshot", "-n", "s1", "web")

	for _, bad := range []string{"a@b", "a/b", "bad name", "..", "ALL"} {
		n := h.zfs.Calls("snapshot")
		if code := h.jcage("snapshot", "-n", bad, "web"); code != 1 || h.zfs.Calls("snapshot") != n {
			t.Fatalf("name %q: exit %d, %d snapshot calls", bad, code, h.zfs.Calls("snapshot")-n)
		}
	}
	h.snapRefused("jail 'nope' not found!", "snapshot", "nope")
	h.snapRefused("Usage: jcage snapshot [-n NAME] JAIL|ALL", "snapshot")
	h.snapRefused("Usage: jcage snapshot [-n NAME] JAIL|ALL", "snapshot", "web", "db")
	// The book's order, flags after the jail, works too.
	if out := h.snapMust("snapshot", "web", "-n", "late"); out != "Snapshot: tank/iocage/jails/web@late created.\n" {
		t.Fatalf("flag after the jail: %q", out)
	}

	out = h.snapMust("snapshot", "-n", "b", "ALL")
	want := "Snapshot: tank/iocage/jails/db@b created.\nSnapshot: tank/iocage/jails/web@b created.\nSnapshot: tank/iocage/templates/tmpl@b created.\n"
	if out != want {
		t.Fatalf("ALL:\n%s", out)
	}
	// ALL unwinds: the failure on the template takes db's and web's back.
	h.zfs.FailOn("snapshot", "tank/iocage/templates/tmpl@c", errors.New("cannot create snapshot: out of space"))
	h.snapRefused("cannot create snapshot: out of space", "snapshot", "-n", "c", "ALL")
	h.zfs.ClearFailures()

	h.uid = 1001
	h.snapRefused("You need to have root privileges to run snapshot", "snapshot", "web")
}

// createdCell matches snaplist's CREATED cells, which follow the fake's clock.
var createdCell = regexp.MustCompile(`[A-Z][a-z]{2} [A-Z][a-z]{2} [ 123]\d \d\d:\d\d \d{4}`)
var rfc3339 = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)

func TestSnaplistCommand(t *testing.T) {
	h := newTreeHarness(t)
	h.addJail("web", nil)
	h.snapMust("snapshot", "-n", "first", "web")
	h.snapMust("snapshot", "-n", "second_2", "web")
	h.snapMust("snapshot", "-n", "second_10", "web")
	ctx := context.Background()
	// Neither a data child's snapshot nor one without its root twin is listed.
	if err := h.zfs.Create(ctx, snapLayout.JailData("web"), zfs.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	h.snapMust("snapshot", "-n", "withdata", "web")
	if err := h.zfs.Snapshot(ctx, "tank/iocage/jails/web@alone", false); err != nil {
		t.Fatal(err)
	}

	out := createdCell.ReplaceAllString(h.snapMust("snaplist", "web"), "Thu Nov 23 11:45 2023")
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

	tsv := createdCell.ReplaceAllString(h.snapMust("snaplist", "-h", "-l", "-s", "name", "web"), "C")
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
	if tsv := h.snapMust("snaplist", "-H", "-s", "NAME", "web"); !strings.Contains(tsv, "second_2/root\t") || strings.Index(tsv, "second_2\t") > strings.Index(tsv, "second_10\t") {
		t.Fatalf("-s name:\n%s", tsv)
	}
	for _, key := range []string{"rsize", "used", "created"} {
		h.snapMust("snaplist", "-h", "-s", key, "web")
	}

	rows, err := jsonRows([]byte(h.snapMust("snaplist", "--json", "web")), "snapshots")
	if err != nil || len(rows) != 8 ||
		rows[0]["name"] != "first" || rows[0]["rsize"] != float64(64<<10) || !rfc3339.MatchString(fmt.Sprint(rows[0]["created"])) {
		t.Fatalf("--json: %v %s", err, h.stdout.String())
	}

	n := h.zfs.Calls("")
	h.snapRefused("Invalid sort type specified, use one of:\n  name\n  created\n  rsize\n  used", "snaplist", "-s", "jid", "web")
	if h.zfs.Calls("") != n {
		t.Fatal("a bad sort key reached zfs")
	}
	h.snapRefused("jail 'nope' not found!", "snaplist", "nope")

	// No root needed, as in iocage.
	h.uid = 1001
	if out := h.snapMust("snaplist", "-h", "web"); strings.Count(out, "\n") != 8 {
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
		h.snapMust("snapshot", "-n", fmt.Sprintf("s%d", i), "ALL")
	}
	for _, args := range [][]string{{"snaplist", "j07"}, {"snaplist", "-l", "ALL"}, {"snaplist", "--json", "ALL"}} {
		n := h.zfs.Calls("")
		h.snapMust(args...)
		// One read of the pool roots and one of the tree (finding the
		// jail), one of the snapshots, however many jails and snapshots
		// there are.
		if got := h.zfs.Calls("") - n; got != 3 {
			t.Fatalf("%v: %d zfs calls", args, got)
		}
	}
	out := createdCell.ReplaceAllString(h.snapMust("snaplist", "-h", "-s", "name", "ALL"), "C")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	// As in the fork, -s name sorts by the snapshot name alone; ties keep
	// the jails' order.
	if len(lines) != 21*5*2 || lines[0] != "j00\ts0\tC\t64K\t64K" || lines[1] != "j01\ts0\tC\t64K\t64K" || lines[21] != "j00\ts0/root\tC\t64K\t64K" {
		t.Fatalf("snaplist ALL: %d lines, first %q %q", len(lines), lines[0], lines[1])
	}
	if !strings.HasPrefix(h.snapMust("snaplist", "ALL"), "+------+") || !strings.Contains(h.stdout.String(), "| JAIL |") {
		t.Fatalf("snaplist ALL table:\n%s", h.stdout.String())
	}
	if rows, err := jsonRows([]byte(h.snapMust("snaplist", "--json", "ALL")), "snapshots"); err != nil || rows[0]["jail"] == nil {
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
		h.snapMust("snapshot", "-n", s, "web")
	}
	h.snapMust("snapshot", "-n", "s1", "db")

	if out := h.snapMust("snapremove", "-n", "s3", "web"); out != "Snapshot: tank/iocage/jails/web@s3 destroyed\n" {
		t.Fatalf("snapremove: %q", out)
	}
	if h.snapExists("tank/iocage/jails/web@s3") || h.snapExists("tank/iocage/jails/web/root@s3") {
		t.Fatal("s3 or its root twin survived")
	}
	h.snapRefused("Snapshot: tank/iocage/jails/web@s3 not found!", "snapremove", "-n", "s3", "web")
	h.snapRefused(`Missing option "--name" / "-n".`, "snapremove", "web")
	h.snapRefused("invalid snapshot name \"a/b\": '@' and '/' are not allowed", "snapremove", "-n", "a/b", "web")
	h.snapRefused("Usage: jcage snapremove -n NAME [-R] [-f] JAIL|ALL", "snapremove", "-n", "s1")

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
	h.snapRefused("Snapshot: tank/iocage/jails/web@s1 has dependent clones: tank/iocage/jails/kid/root (jail kid), tank/scratch; use -R to destroy them with it",
		"snapremove", "-n", "s1", "web")
	if h.zfs.Calls("destroy") != destroys {
		t.Fatal("a refused snapremove called zfs destroy")
	}

	// -n ALL asks for -f, then skips what clones use.
	h.snapRefused(`Mass snapshot deletion requires "force" (-f).`, "snapremove", "-n", "ALL", "web")
	out := h.snapMust("snapremove", "-n", "ALL", "-f", "web")
	if out != "Snapshot: tank/iocage/jails/web@s2 destroyed\n" || h.stderr.String() != "Skipped snapshot tank/iocage/jails/web@s1: used by clones.\n" {
		t.Fatalf("-n ALL: stdout %q stderr %q", out, h.stderr.String())
	}

	// -R refuses while the clone's jail runs, then takes the clones along.
	h.running(map[string]int{"kid": 4})
	h.snapRefused("Cannot destroy tank/iocage/jails/kid/root with tank/iocage/jails/web@s1: jail kid is running", "snapremove", "-R", "-n", "s1", "web")
	h.running(nil)
	out = h.snapMust("snapremove", "-R", "-n", "s1", "web")
	want := "Clone: tank/iocage/jails/kid/root destroyed\nClone: tank/scratch destroyed\nSnapshot: tank/iocage/jails/web@s1 destroyed\n"
	if out != want || h.snapExists("tank/scratch") || h.snapExists(snapLayout.JailRoot("kid")) || !h.snapExists("tank/iocage/jails/db@s1") {
		t.Fatalf("-R: %q", out)
	}

	// ALL jails: every jail that has the snapshot; none is an error.
	h.snapMust("snapshot", "-n", "x", "web")
	out = h.snapMust("snapremove", "-n", "x", "ALL")
	if out != "Snapshot: tank/iocage/jails/web@x destroyed\n" {
		t.Fatalf("snapremove ALL: %q", out)
	}
	h.snapRefused("Snapshot: x not found!", "snapremove", "-n", "x", "ALL")

	// A zfs failure is reported as zfs says it.
	h.zfs.FailOn("destroy", "tank/iocage/jails/db@s1", errors.New("cannot destroy snapshot tank/iocage/jails/db@s1: dataset is busy"))
	h.snapRefused("cannot destroy snapshot tank/iocage/jails/db@s1: dataset is busy", "snapremove", "-n", "s1", "db")
	h.zfs.ClearFailures()
	h.zfs.FailOn("destroy", "tank/iocage/jails/db@s1", fmt.Errorf("cannot destroy: %w", zfs.ErrHasClones))
	h.snapRefused("Snapshot: tank/iocage/jails/db@s1 has dependent clones; use -R to destroy them with it", "snapremove", "-n", "s1", "db")
	h.zfs.ClearFailures()

	// No root check, as in iocage: zfs decides.
	h.uid = 1001
	if out := h.snapMust("snapremove", "-n", "s1", "db"); out != "Snapshot: tank/iocage/jails/db@s1 destroyed\n" {
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
	h.snapMust("snapshot", "-n", "s1", "web")
	after := h.snapRootFile("web", "after.txt")
	if err := os.WriteFile(after, []byte("written after s1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	h.snapMust("set", "notes=changed", "web")
	h.snapMust("snapshot", "-n", "s2", "web")

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
	if code := h.jcage("rollback", "-n", "s1", "web"); code != 1 ||
		h.stdout.String() != "\nAre you sure? [y/N]: \n" ||
		h.stderr.String() != warning+"no answer on standard input: nothing done (pass -f to skip the question)\n" {
		t.Fatalf("no answer: %d\nstdout %q\nstderr %q", code, h.stdout.String(), h.stderr.String())
	}
	unchanged()
	// "n" ends quietly, as in iocage.
	h.stdin = "n\n"
	if code := h.jcage("rollback", "-n", "s1", "web"); code != 0 || h.stdout.String() != "\nAre you sure? [y/N]: " {
		t.Fatalf("no: %d %q", code, h.stdout.String())
	}
	unchanged()

	// Refusals come before the question.
	h.stdin = "y\n"
	h.snapRefused("tank/iocage/jails/web@nope does not exist", "rollback", "-n", "nope", "web")
	h.snapRefused(`Missing option "--name" / "-n".`, "rollback", "web")
	h.snapRefused("invalid snapshot name \"s 1\": use letters, digits and . _ : - only", "rollback", "-n", "s 1", "web")
	h.snapRefused("jail 'nope' not found!", "rollback", "-n", "s1", "nope")
	h.running(map[string]int{"web": 7})
	h.snapRefused("Please stop web before trying to rollback!", "rollback", "-n", "s1", "web")
	h.running(nil)
	if err := h.zfs.Clone(ctx, "tank/iocage/jails/web/root@s2", "tank/keep", zfs.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	h.snapRefused("Cannot roll back to tank/iocage/jails/web@s1: the newer snapshot tank/iocage/jails/web/root@s2 has dependent clones: tank/keep; destroy or promote them first",
		"rollback", "-n", "s1", "web")
	if err := h.zfs.Destroy(ctx, "tank/keep", zfs.DestroyOptions{}); err != nil {
		t.Fatal(err)
	}
	h.uid = 1001
	h.snapRefused("You need to have root privileges to run rollback", "rollback", "-n", "s1", "web")
	h.uid = 0
	unchanged()

	// An invalid answer asks again; yes rolls back root and jail dataset.
	h.stdin = "maybe\nYES\n"
	if code := h.jcage("rollback", "-n", "s1", "web"); code != 0 {
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
	if got := h.snapMust("get", "notes", "web"); got != "none\n" {
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
	if out := h.snapMust("rollback", "-f", "-n", "s1", "web"); out != "Rolled back to: tank/iocage/jails/web\n" || h.stderr.Len() != 0 {
		t.Fatalf("-f: %q %q", out, h.stderr.String())
	}
	if _, err := os.Stat(after); !os.IsNotExist(err) || !h.snapExists(snapLayout.JailData("web")) {
		t.Fatalf("-f rollback: %v", err)
	}
	h.stdin = "y\n"
	h.snapMust("rollback", "-n", "s1", "web")
	if !strings.Contains(h.stderr.String(), "No snapshot is newer than s1: none will be destroyed.\n"+
		"These datasets have no snapshot s1 and stay as they are:\n  tank/iocage/jails/web/data\n") {
		t.Fatalf("warning %q", h.stderr.String())
	}

	// A zfs failure stops the rollback with zfs's words.
	h.zfs.FailOn("rollback", "tank/iocage/jails/web/root@s1", errors.New("cannot rollback 'tank/iocage/jails/web/root': dataset is busy"))
	if code := h.jcage("rollback", "-f", "-n", "s1", "web"); code != 1 || h.stderr.String() != "cannot rollback 'tank/iocage/jails/web/root': dataset is busy\n" {
		t.Fatalf("failure: %d %q", code, h.stderr.String())
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
		e := &env{stdin: strings.NewReader(c.in), stdout: &h.stdout, stderr: &h.stderr}
		got, err := confirm(e, "Sure?")
		if got != c.want || (err != nil) != c.err {
			t.Errorf("%q: %v %v", c.in, got, err)
		}
	}
	// Nothing after the answer is consumed.
	r := strings.NewReader("y\nrest")
	h := newHarness(t)
	if ok, err := confirm(&env{stdin: r, stdout: &h.stdout, stderr: &h.stderr}, "Sure?"); !ok || err != nil || r.Len() != 4 {
		t.Fatalf("read past the answer: %v %v %d", ok, err, r.Len())
	}
}
