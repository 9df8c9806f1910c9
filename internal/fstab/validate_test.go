package fstab

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	root := jailTree(t)
	src := t.TempDir()
	srcFile := filepath.Join(src, "f")
	if err := os.WriteFile(srcFile, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tb := &Table{Entries: []Entry{{Source: src, Dest: root + "/usr/home", FSType: "nullfs", Options: "ro"}}}
	ok := Entry{Source: src, Dest: root + "/mnt", FSType: "nullfs", Options: "ro"}
	with := func(f func(e *Entry)) Entry { e := ok; f(&e); return e }
	for _, tc := range []struct {
		name string
		e    Entry
		skip int
		want string // "" = valid
	}{
		{"nullfs", ok, -1, ""},
		{"tmpfs", Entry{Source: "tmpfs", Dest: root + "/mnt", FSType: "tmpfs", Options: "rw,mode=1777"}, -1, ""},
		{"mount on the root", with(func(e *Entry) { e.Dest = root }), -1, ""},
		{"duplicate", with(func(e *Entry) { e.Dest = root + "/usr/home/" }), -1, "Destination: " + root + "/usr/home/ already exists!"},
		{"replacing itself", with(func(e *Entry) { e.Dest = root + "/usr/home" }), 0, ""},
		{"missing destination", with(func(e *Entry) { e.Dest = root + "/nope" }), -1, "Destination: " + root + "/nope does not exist or is not a directory."},
		{"file destination", with(func(e *Entry) { e.Dest = root + "/file" }), -1, "does not exist or is not a directory."},
		{"outside", with(func(e *Entry) { e.Dest = "/etc" }), -1, "Destination: /etc must include jail's mountpoint! (" + root + ")"},
		{"dot-dot out", with(func(e *Entry) { e.Dest = root + "/../x" }), -1, "must include jail's mountpoint!"},
		{"relative destination", with(func(e *Entry) { e.Dest = "mnt" }), -1, "Destination: mnt must use an absolute path!"},
		{"symlink out", with(func(e *Entry) { e.Dest = root + "/etclink" }), -1, "Destination: /etclink resolves through the symlink /etclink -> /etc"},
		{"symlink in, unresolved", with(func(e *Entry) { e.Dest = root + "/home" }), -1, "Destination: /home resolves through a symlink to " + root + "/usr/home; give that path instead"},
		{"relative source", with(func(e *Entry) { e.Source = "data" }), -1, "Source: data must use an absolute path!"},
		{"missing source", with(func(e *Entry) { e.Source = src + "/nope" }), -1, "Source: " + src + "/nope does not exist!"},
		{"file source", with(func(e *Entry) { e.Source = srcFile }), -1, "Source: " + srcFile + " does not exist!"},
		{"options without rw or ro", with(func(e *Entry) { e.Options = "noatime" }), -1, "Options: noatime must include rw or ro"},
		{"options with ro later", with(func(e *Entry) { e.Options = "noatime,ro" }), -1, ""},
		{"hash in source", with(func(e *Entry) { e.Source = src + "#x" }), -1, "Source: " + src + "#x must not contain '#'"},
		{"blank in options", with(func(e *Entry) { e.Options = "ro, noatime" }), -1, `Options: "ro, noatime" must not contain blanks`},
		{"blank in type", with(func(e *Entry) { e.FSType = "null fs" }), -1, `FSType: "null fs" must not contain blanks`},
		{"empty type", with(func(e *Entry) { e.FSType = "" }), -1, "FSType: must not be empty"},
		{"newline in destination", with(func(e *Entry) { e.Dest = root + "/mnt\n/etc" }), -1, `Destination: "` + root + `/mnt\n/etc" must not contain control characters`},
		{"escape in source", with(func(e *Entry) { e.Source = src + "\x1b[2J" }), -1, `Source: "` + src + `\x1b[2J" must not contain control characters`},
		{"carriage return in options", with(func(e *Entry) { e.Options = "ro\r" }), -1, `Options: "ro\r" must not contain control characters`},
		{"tab in type", with(func(e *Entry) { e.FSType = "null\tfs" }), -1, `FSType: "null\tfs" must not contain control characters`},
	} {
		err := tb.Validate(tc.e, root, tc.skip)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestWarnings(t *testing.T) {
	short := Entry{Dest: "/" + strings.Repeat("x", 87)}
	long := Entry{Dest: "/" + strings.Repeat("x", 88)}
	if Warnings(short) != nil {
		t.Fatal("88 characters warned")
	}
	if w := Warnings(long); len(w) != 1 || w[0] != LongDestWarning {
		t.Fatalf("%v", w)
	}
}

func TestRewriteLegacy(t *testing.T) {
	ioc := t.TempDir()
	root := filepath.Join(ioc, "jails", "www1", "root")
	for _, d := range []string{root + "/mnt", ioc + "/releases/13.2-RELEASE/root/bin"} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	tb := &Table{Entries: []Entry{
		{Source: "/usr/src", Dest: "/iocage/jails/www1/root/mnt", FSType: "nullfs", Options: "ro"},
		{Source: "/usr/src", Dest: "/mnt/iocage/jails/www1/root/mnt", FSType: "nullfs", Options: "ro"},
		{Source: "/mnt/mnt/iocage/releases/13.2-RELEASE/root/bin", Dest: "/mnt/mnt/iocage/jails/www1/root/mnt", FSType: "nullfs", Options: "ro"},
		{Source: "/usr/src", Dest: "/iocage/jails/www1/root/nope", FSType: "nullfs", Options: "ro"},
		{Source: "/usr/src", Dest: "/elsewhere/iocage/jails/www1/root/mnt", FSType: "nullfs", Options: "ro"},
		{Source: "tmpfs", Dest: root + "/mnt", FSType: "tmpfs", Options: "rw"},
	}}
	msgs := tb.RewriteLegacy(ioc, root)
	want := []string{
		"Invalid destination: /iocage/jails/www1/root/mnt replaced with " + root + "/mnt",
		"Invalid destination: /mnt/iocage/jails/www1/root/mnt replaced with " + root + "/mnt",
		"Invalid destination: /mnt/mnt/iocage/jails/www1/root/mnt replaced with " + root + "/mnt",
		"Invalid source: /mnt/mnt/iocage/releases/13.2-RELEASE/root/bin replaced with " + ioc + "/releases/13.2-RELEASE/root/bin",
	}
	if strings.Join(msgs, "\n") != strings.Join(want, "\n") {
		t.Fatalf("messages:\n%s\nwant\n%s", strings.Join(msgs, "\n"), strings.Join(want, "\n"))
	}
	for i, d := range []string{root + "/mnt", root + "/mnt", root + "/mnt", "/iocage/jails/www1/root/nope", "/elsewhere/iocage/jails/www1/root/mnt", root + "/mnt"} {
		if tb.Entries[i].Dest != d {
			t.Errorf("entry %d: %q, want %q", i, tb.Entries[i].Dest, d)
		}
	}
}
