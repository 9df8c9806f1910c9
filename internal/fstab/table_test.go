package fstab

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

var stamp = time.Date(2023, 11, 23, 11, 45, 10, 0, time.UTC)

// The line of iocage-behaviour.md §4.3, byte for byte.
func TestBasejailLine(t *testing.T) {
	e := BasejailEntry("/tank/iocage/releases/13.2-RELEASE/root/bin", "/tank/iocage/jails/web/root/bin", stamp)
	want := "/tank/iocage/releases/13.2-RELEASE/root/bin\t/tank/iocage/jails/web/root/bin\tnullfs\tro\t0\t0 # Added by iocage on 2023-11-23 11:45:10"
	if got := e.String(); got != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
	// The stamp is UTC whatever the clock's zone.
	e.Added = stamp.In(time.FixedZone("CET", 3600))
	if got := e.String(); got != want {
		t.Fatalf("zone leaked: %q", got)
	}
}

func TestBasejailDirs(t *testing.T) {
	rel := BasejailDirs("13.2-RELEASE")
	if len(rel) != 14 || rel[0] != "bin" || rel[13] != "usr/lib32" {
		t.Fatalf("RELEASE: %v", rel)
	}
	if st := BasejailDirs("14.1-STABLE"); len(st) != 13 || st[12] != "usr/libdata" {
		t.Fatalf("STABLE: %v", st)
	}
}

// Fourteen adds in a row leave the file iocage leaves: only the last line
// has a comment.
func TestAddKeepsOnlyLastComment(t *testing.T) {
	var tb Table
	for _, d := range BasejailDirs("13.2-RELEASE") {
		tb.Add(BasejailEntry("/r/"+d, "/j/"+d, stamp))
	}
	lines := strings.Split(strings.TrimSuffix(string(tb.Bytes()), "\n"), "\n")
	if len(lines) != 14 {
		t.Fatalf("%d lines", len(lines))
	}
	for i, l := range lines {
		if strings.Contains(l, "#") != (i == 13) {
			t.Fatalf("line %d: %q", i, l)
		}
	}
	if lines[0] != "/r/bin\t/j/bin\tnullfs\tro\t0\t0" {
		t.Fatalf("first line %q", lines[0])
	}
}

func TestEntryString(t *testing.T) {
	for _, tc := range []struct {
		e    Entry
		want string
	}{
		{Entry{Source: "tmpfs", Dest: "/j/root/tmp", FSType: "tmpfs", Options: "rw,mode=1777"}, "tmpfs\t/j/root/tmp\ttmpfs\trw,mode=1777\t0\t0"},
		{Entry{Source: "/my src", Dest: "/j/root/my dst", FSType: "nullfs", Options: "rw", Dump: 1, Pass: 2}, "/my\\040src\t/j/root/my\\040dst\tnullfs\trw\t1\t2"},
		{Entry{Source: "/a\tb", Dest: "/x", FSType: "nullfs", Options: "ro", Added: stamp}, "/a\\011b\t/x\tnullfs\tro\t0\t0 # Added by iocage on 2023-11-23 11:45:10"},
	} {
		if got := tc.e.String(); got != tc.want {
			t.Errorf("%+v:\n got  %q\n want %q", tc.e, got, tc.want)
		}
	}
	e := Entry{Source: "/my src", Dest: "/d", FSType: "nullfs", Options: "ro", Pass: 1}
	if got := e.Display(); got != "/my src\t/d\tnullfs\tro\t0\t1" {
		t.Fatalf("Display %q", got)
	}
}

func TestParseAsGetfsent(t *testing.T) {
	in := "# a comment\n" +
		"/src\\040a\t/root/mnt\tnullfs\tro\t0\t0 # Added by iocage on 2023-11-23 11:45:10\n" +
		"\n" +
		"   \n" +
		"tmpfs  /root/tmp tmpfs rw,mode=1777 0 0\n" +
		"bad line\n" +
		"/x /y nullfs noatime 0 0\n" +
		"/x /y nullfs noauto,xx,rw 0 0\n" +
		"/a /b nullfs ro\n" +
		"/bad\\q /b nullfs ro 0 0\n" +
		"  # indented comment\n" +
		"/c /d nullfs ro # trailing\n" +
		"a:b:rw:1\n" +
		"/e /f nullfs ro 3 4"
	tb := Parse([]byte(in))
	want := []Entry{
		{Source: "/src a", Dest: "/root/mnt", FSType: "nullfs", Options: "ro"},
		{Source: "tmpfs", Dest: "/root/tmp", FSType: "tmpfs", Options: "rw,mode=1777"},
		{Source: "/a", Dest: "/b", FSType: "nullfs", Options: "ro"},
		{Source: "/c", Dest: "/d", FSType: "nullfs", Options: "ro"},
		{Source: "a", Dest: "b", FSType: "ufs", Options: "rw", Dump: 1},
		{Source: "/e", Dest: "/f", FSType: "nullfs", Options: "ro", Dump: 3, Pass: 4},
	}
	if !reflect.DeepEqual(tb.Entries, want) {
		t.Fatalf("entries:\n%+v\nwant\n%+v", tb.Entries, want)
	}
	var rej []int
	for _, r := range tb.Rejected {
		rej = append(rej, r.Line)
	}
	if !reflect.DeepEqual(rej, []int{6, 7, 10}) {
		t.Fatalf("rejected lines %v", rej)
	}
	if w := tb.Rejected[0].Warning("/j/fstab"); w != "fstab: /j/fstab:6: Inappropriate file type or format" {
		t.Fatalf("warning %q", w)
	}
	// Written back the way iocage writes it: comments, blanks and rejected
	// lines gone, every entry TAB-separated.
	wantOut := "/src\\040a\t/root/mnt\tnullfs\tro\t0\t0\n" +
		"tmpfs\t/root/tmp\ttmpfs\trw,mode=1777\t0\t0\n" +
		"/a\t/b\tnullfs\tro\t0\t0\n" +
		"/c\t/d\tnullfs\tro\t0\t0\n" +
		"a\tb\tufs\trw\t1\t0\n" +
		"/e\t/f\tnullfs\tro\t3\t4\n"
	if got := string(tb.Bytes()); got != wantOut {
		t.Fatalf("bytes:\n%q\nwant\n%q", got, wantOut)
	}
	// A file jcage wrote reads back to the same entries.
	again := Parse(tb.Bytes())
	if !reflect.DeepEqual(again.Entries, tb.Entries) || len(again.Rejected) != 0 {
		t.Fatalf("re-read: %+v", again)
	}
}

func TestTableEdits(t *testing.T) {
	tb := Parse([]byte("/a\t/j/a\tnullfs\tro\t0\t0\n/b\t/j/b\tnullfs\tro\t0\t0\n/c\t/j/c\tnullfs\tro\t0\t0\n"))
	if i := tb.Find(Entry{Source: "/b", Dest: "/j/b/", FSType: "nullfs", Options: "ro"}); i != 1 {
		t.Fatalf("Find %d", i)
	}
	if i := tb.Find(Entry{Source: "/b", Dest: "/j/b", FSType: "nullfs", Options: "rw"}); i != -1 {
		t.Fatalf("Find with other options %d", i)
	}
	if i := tb.IndexOfDest("/j/c/"); i != 2 {
		t.Fatalf("IndexOfDest %d", i)
	}
	if err := tb.Replace(3, Entry{}); err == nil || err.Error() != "Index 3 not found." {
		t.Fatalf("Replace out of range: %v", err)
	}
	if err := tb.Replace(0, Entry{Source: "/z", Dest: "/j/z", FSType: "nullfs", Options: "rw", Added: stamp}); err != nil {
		t.Fatal(err)
	}
	if e, err := tb.Remove(1); err != nil || e.Source != "/b" {
		t.Fatalf("Remove: %+v %v", e, err)
	}
	if _, err := tb.Remove(5); err != ErrNoMatch {
		t.Fatalf("Remove out of range: %v", err)
	}
	want := "/z\t/j/z\tnullfs\trw\t0\t0\n/c\t/j/c\tnullfs\tro\t0\t0\n"
	if got := string(tb.Bytes()); got != want {
		t.Fatalf("after edits %q", got)
	}
}

func TestLoadSave(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "fstab")
	tb, err := Load(path)
	if err != nil || len(tb.Entries) != 0 {
		t.Fatalf("missing file: %+v %v", tb, err)
	}
	tb.Add(Entry{Source: "/a", Dest: "/j/a", FSType: "nullfs", Options: "ro", Added: stamp})
	if err := tb.Save(path); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o644 {
		t.Fatalf("mode %v %v", fi.Mode(), err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	tb.Add(Entry{Source: "/b", Dest: "/j/b", FSType: "nullfs", Options: "ro"})
	if err := tb.Save(path); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode not kept: %v", fi.Mode())
	}
	got, _ := os.ReadFile(path)
	if string(got) != "/a\t/j/a\tnullfs\tro\t0\t0\n/b\t/j/b\tnullfs\tro\t0\t0\n" {
		t.Fatalf("file %q", got)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Fatalf("temp files left: %v", ents)
	}
}

func TestParseFields(t *testing.T) {
	e, err := ParseFields([]string{"/a b", "/c", "nullfs", "ro", "1", "2"})
	if err != nil || e != (Entry{Source: "/a b", Dest: "/c", FSType: "nullfs", Options: "ro", Dump: 1, Pass: 2}) {
		t.Fatalf("%+v %v", e, err)
	}
	for _, tc := range []struct {
		f    []string
		want string
	}{
		{[]string{"/a", "/b", "nullfs", "ro", "x", "0"}, "Dump: x must be a digit!"},
		{[]string{"/a", "/b", "nullfs", "ro", "12", "0"}, "Dump: 12 must be one digit long!"},
		{[]string{"/a", "/b", "nullfs", "ro", "0", ""}, "Pass:  must be a digit!"},
		{[]string{"/a", "/b", "nullfs", "ro", "0", "-1"}, "Pass: -1 must be a digit!"},
		{[]string{"/a", "/b", "nullfs", "ro", "0"}, ErrFieldCount.Error()},
	} {
		if _, err := ParseFields(tc.f); err == nil || err.Error() != tc.want {
			t.Errorf("%v: %v, want %q", tc.f, err, tc.want)
		}
	}
}
