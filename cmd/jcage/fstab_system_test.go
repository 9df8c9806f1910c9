package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/jcage/jcage/internal/testworld/world"
)

// fstab with the real binary on zfs-fuse and the simulator's mount table:
// add, list, replace and remove on a running jail, the mounts they make,
// -e through a real $EDITOR, and a symlink root/mnt -> /etc refused with
// the host's /etc untouched.
func TestSystemFstab(t *testing.T) {
	w := world.New(t)
	w.Must("activate", w.Pool.Name)
	web := w.LayJail("web", nil)
	root := filepath.Join(web, "root")
	fstabPath := filepath.Join(web, "fstab")
	for _, d := range []string{"media", "data"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("/etc", filepath.Join(root, "mnt")); err != nil {
		t.Fatal(err)
	}
	srcs := t.TempDir()
	spaced, plain := filepath.Join(srcs, "my data"), filepath.Join(srcs, "plain")
	for _, d := range []string{spaced, plain} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	w.Tool("jail", "-c", "name=ioc-web", "path="+root, "host.hostname=web", "persist")
	calls := func(from int) []string {
		var out []string
		for _, c := range w.Calls()[from:] {
			if c.Tool == "mount" || c.Tool == "umount" {
				out = append(out, strings.Join(c.Argv, " "))
			}
		}
		return out
	}

	// The symlink to the host's /etc is refused on a running jail, and
	// nothing is mounted or written.
	etcBefore := dirState(t, "/etc")
	n := len(w.Calls())
	r := w.Jcage("fstab", "-a", "web", plain, "/mnt")
	if r.Code != 1 || r.Stderr != "Destination: /mnt resolves through the symlink /mnt -> /etc to /etc, outside the jail's root ("+root+")\n" {
		t.Fatalf("symlink out: %+v", r)
	}
	r = w.Jcage("fstab", "-a", "web", plain, "/mnt/ssh", "nullfs", "rw", "0", "0")
	if r.Code != 1 || !strings.Contains(r.Stderr, "outside the jail's root") {
		t.Fatalf("below the symlink: %+v", r)
	}
	if got := calls(n); len(got) != 0 {
		t.Fatalf("refused entry ran %q", got)
	}
	if dirState(t, "/etc") != etcBefore || strings.Contains(w.Tool("mount"), " on /etc") {
		t.Fatal("the host's /etc changed")
	}
	if b, _ := os.ReadFile(fstabPath); len(b) != 0 {
		t.Fatalf("refused entry written: %q", b)
	}

	// -a on the running jail: the line as iocage writes it, and the mount.
	n = len(w.Calls())
	if out := w.Must("fstab", "-a", "web", spaced, "/media", "nullfs", "ro", "0", "0"); out != "Successfully added mount to web's fstab\n" {
		t.Fatalf("-a: %q", out)
	}
	line := regexp.MustCompile(`^` + regexp.QuoteMeta(strings.ReplaceAll(spaced, " ", `\040`)+"\t"+root+"/media\tnullfs\tro\t0\t0") +
		` # Added by iocage on \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\n$`)
	if b, _ := os.ReadFile(fstabPath); !line.Match(b) {
		t.Fatalf("fstab %q", b)
	}
	if got := calls(n); strings.Join(got, "|") != "mount -t nullfs -o ro "+spaced+" "+root+"/media" {
		t.Fatalf("-a calls %q", got)
	}
	if !strings.Contains(w.Tool("mount"), spaced+" on "+root+"/media (nullfs, local, read-only)") {
		t.Fatalf("not mounted:\n%s", w.Tool("mount"))
	}
	if got := w.Must("fstab", "-lh", "web"); got != "0\t"+spaced+"\t"+root+"/media\tnullfs\tro\t0\t0\n" {
		t.Fatalf("-lh %q", got)
	}

	// -R: old unmounted, new mounted.
	n = len(w.Calls())
	if out := w.Must("fstab", "-R", "0", "web", plain+" /data nullfs rw 0 0"); out != "Index 0 replaced.\n" {
		t.Fatalf("-R: %q", out)
	}
	want := []string{"umount -f " + root + "/media", "mount -t nullfs -o rw " + plain + " " + root + "/data"}
	if got := calls(n); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("-R calls %q", got)
	}

	// A mount the simulator refuses (nullfs onto itself) leaves the file
	// as it was.
	before, _ := os.ReadFile(fstabPath)
	r = w.Jcage("fstab", "-a", "web", root+"/media", "/media", "nullfs", "ro", "0", "0")
	if r.Code != 1 || !strings.HasPrefix(r.Stderr, "Mounting entry failed: mount -t nullfs -o ro "+root+"/media "+root+"/media: ") {
		t.Fatalf("failed mount: %+v", r)
	}
	if after, _ := os.ReadFile(fstabPath); string(after) != string(before) {
		t.Fatalf("failed mount changed the fstab: %q", after)
	}

	// -r by index unmounts.
	n = len(w.Calls())
	if out := w.Must("fstab", "-r", "web", "0"); out != "Successfully removed mount from web's fstab\n" {
		t.Fatalf("-r: %q", out)
	}
	if got := calls(n); strings.Join(got, "|") != "umount -f "+root+"/data" {
		t.Fatalf("-r calls %q", got)
	}
	if strings.Contains(w.Tool("mount"), root+"/") {
		t.Fatalf("still mounted:\n%s", w.Tool("mount"))
	}
	if b, _ := os.ReadFile(fstabPath); len(b) != 0 {
		t.Fatalf("fstab after -r %q", b)
	}

	// -e runs $EDITOR on a copy and installs it, without mounting.
	editor := filepath.Join(t.TempDir(), "append-editor")
	script := "#!/bin/sh\nprintf 'tmpfs\\t" + root + "/media\\ttmpfs\\trw,mode=1777\\t0\\t0\\n' >> \"$1\"\n"
	if err := os.WriteFile(editor, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	w.Setenv("EDITOR", editor)
	n = len(w.Calls())
	w.Must("fstab", "-e", "web")
	if b, _ := os.ReadFile(fstabPath); string(b) != "tmpfs\t"+root+"/media\ttmpfs\trw,mode=1777\t0\t0\n" {
		t.Fatalf("after -e %q", b)
	}
	if got := calls(n); len(got) != 0 {
		t.Fatalf("-e mounted: %q", got)
	}
	if got := w.Must("fstab", "-lh", "web"); got != "0\ttmpfs\t"+root+"/media\ttmpfs\trw,mode=1777\t0\t0\n" {
		t.Fatalf("-lh after -e %q", got)
	}
}

// dirState is a directory's listing with sizes and times, enough to see a
// change made through a mount or a write.
func dirState(t *testing.T, dir string) string {
	t.Helper()
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString(fi.ModTime().String())
	for _, e := range ents {
		b.WriteString("\n" + e.Name())
		if info, err := e.Info(); err == nil {
			b.WriteString(" " + info.ModTime().String())
		}
	}
	return b.String()
}
