package fstab

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// jailTree lays out a jail root with the symlinks the cases need.
func jailTree(t *testing.T) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "root")
	for _, d := range []string{"mnt", "usr/home", "etc", "data/sub"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(root, "file"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for link, target := range map[string]string{
		"etclink":  "/etc",                // absolute: the host's /etc
		"absin":    "/usr/home",           // absolute: the jail's /usr/home to the jail, the host's to mount(8)
		"relout":   "../../..",            // relative, climbs out
		"up":       "..",                  // the jail dataset's directory
		"home":     "usr/home",            // relative, inside
		"a":        "b",                   // chain inside: a -> b -> usr/home
		"b":        "usr/home",            //
		"c":        "d",                   // chain out: c -> d -> /etc
		"d":        "/etc",                //
		"self":     ".",                   // the root itself
		"slash":    "/",                   // the host's root
		"l1":       "l2",                  // loop
		"l2":       "l1",                  //
		"back":     root + "/usr/home",    // absolute host path of a place inside
		"data/rel": "../usr/home",         // relative from a subdirectory, inside
		"data/esc": "../../../../../../x", // relative from a subdirectory, out
	} {
		if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestResolve(t *testing.T) {
	root := jailTree(t)
	for _, tc := range []struct {
		dest string
		want string // host path below root ("" = root), or "!" + part of the refusal
	}{
		{"/mnt", "/mnt"},
		{"/mnt/", "/mnt"},
		{"//mnt//./", "/mnt"},
		{"/", ""},
		{"/nope/deeper", "/nope/deeper"},
		{"/mnt/../usr", "/usr"},
		{"/home", "/usr/home"},
		{"/a", "/usr/home"},
		{"/data/rel", "/usr/home"},
		{"/home/../etc", "/etc"}, // lexical: ".." is applied before any lookup
		{"mnt", "!must use an absolute path!"},
		{"", "!must use an absolute path!"},
		{"/../etc", `!climbs out of the jail's root`},
		{"/mnt/../../etc", `!climbs out of the jail's root`},
		{"/..", `!climbs out of the jail's root`},
		{"/etclink", "!resolves through the symlink /etclink -> /etc to /etc, outside the jail's root"},
		{"/etclink/x", "!resolves through the symlink /etclink -> /etc to /etc/x, outside"},
		{"/absin", "!resolves through the symlink /absin -> /usr/home to /usr/home, outside"},
		{"/relout", "!resolves through the symlink /relout -> ../../.."},
		{"/up", "!outside the jail's root"},
		{"/c", "!resolves through the symlink /c -> d, /d -> /etc to /etc"},
		{"/self", "!to the jail's root itself"},
		{"/slash", "!/slash -> / to /, outside"},
		{"/l1", "!too many levels of symbolic links"},
		{"/back", "!outside the jail's root"},
		{"/data/esc", "!outside the jail's root"},
	} {
		got, err := Resolve(root, tc.dest)
		if strings.HasPrefix(tc.want, "!") {
			if err == nil || !strings.Contains(err.Error(), tc.want[1:]) || !errors.Is(err, ErrOutsideRoot) {
				t.Errorf("Resolve(%q) = %q, %v; want refusal %q", tc.dest, got, err, tc.want[1:])
			} else if !strings.HasPrefix(err.Error(), "Destination: "+tc.dest+" ") {
				t.Errorf("Resolve(%q): message %q does not name the destination", tc.dest, err)
			}
			continue
		}
		if err != nil || got != root+tc.want {
			t.Errorf("Resolve(%q) = %q, %v; want %q", tc.dest, got, err, root+tc.want)
		}
	}
}

// The root's own path is taken as given, even through a symlink: only
// what lies below it is the jail's to control.
func TestResolveRootBehindSymlink(t *testing.T) {
	root := jailTree(t)
	alias := filepath.Join(filepath.Dir(root), "alias")
	if err := os.Symlink(root, alias); err != nil {
		t.Fatal(err)
	}
	if got, err := Resolve(alias, "/mnt"); err != nil || got != alias+"/mnt" {
		t.Fatalf("%q %v", got, err)
	}
	if _, err := Resolve(alias, "/etclink"); err == nil {
		t.Fatal("escape through an aliased root accepted")
	}
	if _, err := Resolve("relative/root", "/mnt"); err == nil {
		t.Fatal("relative jail root accepted")
	}
}

func TestInJailAndWithin(t *testing.T) {
	for _, tc := range []struct{ dest, want string }{
		{"/mnt", "/j/root/mnt"}, {"mnt/", "/j/root/mnt"}, {"/../../etc", "/j/root/etc"}, {"/", "/j/root"},
	} {
		if got := InJail("/j/root", tc.dest); got != tc.want {
			t.Errorf("InJail(%q) = %q", tc.dest, got)
		}
	}
	for _, tc := range []struct {
		root, p string
		want    bool
	}{
		{"/j/root", "/j/root", true}, {"/j/root", "/j/root/x", true}, {"/j/root", "/j/rootx", false},
		{"/j/root", "/j", false}, {"/j/root/", "/j/root/x/../y", true}, {"/", "/etc", true},
	} {
		if got := Within(tc.root, tc.p); got != tc.want {
			t.Errorf("Within(%q, %q) = %v", tc.root, tc.p, got)
		}
	}
}
