package main

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/jcage/jcage/internal/host"
	"github.com/jcage/jcage/internal/layout"
	"github.com/jcage/jcage/internal/render"
)

// fstabJail lays out a jail with the given directories in its root and
// returns the jail's directory and root.
func fstabJail(h *harness, name string, dirs ...string) (dir, root string) {
	h.t.Helper()
	h.addJail(name, nil)
	l := layout.Layout{Pool: "tank"}
	dir, root = h.zfs.MountPath(l.Jail(name)), h.zfs.MountPath(l.JailRoot(name))
	for _, d := range dirs {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			h.t.Fatal(err)
		}
	}
	return dir, root
}

func fstabRun(h *harness, opts fstabOptions) string {
	h.t.Helper()
	return must(h, runFstab, opts)
}

func fstabRefused(h *harness, want string, opts fstabOptions) {
	h.t.Helper()
	if code := do(h, runFstab, opts); code != 1 || !strings.Contains(h.stderr.String(), want) {
		h.t.Fatalf("fstab %+v: exit %d, stderr %q, want %q", opts, code, h.stderr.String(), want)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return string(b)
}

// stamped matches iocage's comment with any time.
var stamped = regexp.MustCompile(` # Added by iocage on \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\n$`)

func TestFstabAddListRemoveReplace(t *testing.T) {
	h := newTreeHarness(t)
	src := t.TempDir()
	spaced := filepath.Join(t.TempDir(), "my data")
	if err := os.Mkdir(spaced, 0o755); err != nil {
		t.Fatal(err)
	}
	dir, root := fstabJail(h, "www1", "mnt", "media", "my mnt", src)
	path := filepath.Join(dir, "fstab")

	// Full form, six arguments.
	if out := fstabRun(h, fstabOptions{action: "add", jail: "www1", rest: []string{src, "/mnt", "nullfs", "ro", "0", "0"}}); out != "Successfully added mount to www1's fstab\n" {
		t.Fatalf("stdout %q", out)
	}
	got := readFile(t, path)
	if !strings.HasPrefix(got, src+"\t"+root+"/mnt\tnullfs\tro\t0\t0 # Added by iocage on ") || !stamped.MatchString(got) {
		t.Fatalf("fstab %q", got)
	}
	// Short form: SRC at the same path inside the jail, nullfs ro 0 0.
	fstabRun(h, fstabOptions{action: "add", jail: "www1", rest: []string{src}})
	// One quoted string holding six fields.
	fstabRun(h, fstabOptions{action: "add", jail: "www1", rest: []string{"tmpfs /media tmpfs rw,mode=1777 0 0"}})
	// Blanks are vis-encoded.
	fstabRun(h, fstabOptions{action: "add", jail: "www1", rest: []string{spaced, "/my mnt", "nullfs", "rw", "0", "0"}})
	vis := strings.ReplaceAll(spaced, " ", `\040`)
	want := src + "\t" + root + "/mnt\tnullfs\tro\t0\t0\n" +
		src + "\t" + root + src + "\tnullfs\tro\t0\t0\n" +
		"tmpfs\t" + root + "/media\ttmpfs\trw,mode=1777\t0\t0\n" +
		vis + "\t" + root + `/my\040mnt` + "\tnullfs\trw\t0\t0"
	got = readFile(t, path)
	if !strings.HasPrefix(got, want+" # Added by iocage on ") || !stamped.MatchString(got) {
		t.Fatalf("fstab:\n%q\nwant prefix\n%q", got, want)
	}

	// -h: INDEX then the decoded fields, tab-separated.
	tsv := fstabRun(h, fstabOptions{action: "list", jail: "www1", format: render.FormatTSV})
	wantTSV := "0\t" + src + "\t" + root + "/mnt\tnullfs\tro\t0\t0\n" +
		"1\t" + src + "\t" + root + src + "\tnullfs\tro\t0\t0\n" +
		"2\ttmpfs\t" + root + "/media\ttmpfs\trw,mode=1777\t0\t0\n" +
		"3\t" + spaced + "\t" + root + "/my mnt\tnullfs\trw\t0\t0\n"
	if tsv != wantTSV {
		t.Fatalf("-lh:\n%q\nwant\n%q", tsv, wantTSV)
	}
	if again := fstabRun(h, fstabOptions{action: "list", jail: "www1", format: render.FormatTSV}); again != tsv {
		t.Fatalf("-lh combined: %q", again)
	}
	table := fstabRun(h, fstabOptions{action: "list", jail: "www1"})
	lines := strings.Split(table, "\n")
	if !strings.HasPrefix(lines[1], "| INDEX |") || !strings.HasPrefix(lines[3], "| 0     | "+src) || strings.Count(table, "\n") != 11 {
		t.Fatalf("table:\n%s", table)
	}
	rows, err := jsonRows([]byte(fstabRun(h, fstabOptions{action: "list", jail: "www1", format: render.FormatJSON})), "entries")
	if err != nil || len(rows) != 4 {
		t.Fatalf("json: %v %v", rows, err)
	}
	if r := rows[3]; r["index"] != float64(3) || r["source"] != spaced || r["destination"] != root+"/my mnt" || r["pass"] != float64(0) || r["options"] != "rw" {
		t.Fatalf("json row %v", r)
	}

	// -r by index, by full entry (six arguments, one string, short form).
	if out := fstabRun(h, fstabOptions{action: "remove", jail: "www1", rest: []string{"2"}}); out != "Successfully removed mount from www1's fstab\n" {
		t.Fatalf("-r stdout %q", out)
	}
	fstabRun(h, fstabOptions{action: "remove", jail: "www1", rest: []string{spaced, "/my mnt", "nullfs", "rw", "0", "0"}})
	fstabRun(h, fstabOptions{action: "remove", jail: "www1", rest: []string{src}})
	if got := readFile(t, path); got != src+"\t"+root+"/mnt\tnullfs\tro\t0\t0\n" {
		t.Fatalf("after removals %q", got)
	}
	before := readFile(t, path)
	fstabRefused(h, "No matching fstab entry.", fstabOptions{action: "remove", jail: "www1", rest: []string{"5"}})
	fstabRefused(h, "No matching fstab entry.", fstabOptions{action: "remove", jail: "www1", rest: []string{src + " /mnt nullfs rw 0 0"}})
	if readFile(t, path) != before {
		t.Fatal("refused -r changed the file")
	}

	// -R INDEX replaces, with a fresh comment.
	if out := fstabRun(h, fstabOptions{action: "replace", jail: "www1", rest: []string{src + " /media nullfs rw 0 0"}, replace: "0"}); out != "Index 0 replaced.\n" {
		t.Fatalf("-R stdout %q", out)
	}
	if got := readFile(t, path); !strings.HasPrefix(got, src+"\t"+root+"/media\tnullfs\trw\t0\t0 # Added") {
		t.Fatalf("after -R %q", got)
	}
	// Replacing an entry with itself is no duplicate.
	fstabRun(h, fstabOptions{action: "replace", jail: "www1", rest: []string{src, "/media", "nullfs", "ro", "0", "0"}, replace: "0"})
	before = readFile(t, path)
	fstabRefused(h, "Index 3 not found.", fstabOptions{action: "replace", jail: "www1", rest: []string{src, "/mnt", "nullfs", "ro", "0", "0"}, replace: "3"})
	fstabRefused(h, `-R: INDEX must be a number, not "x"`, fstabOptions{action: "replace", jail: "www1", rest: []string{src}, replace: "x"})
	if readFile(t, path) != before {
		t.Fatal("refused -R changed the file")
	}
	// Nothing ran: the jail is stopped.
	for _, c := range h.run.Calls() {
		if c.Name == "mount" || c.Name == "umount" {
			t.Fatalf("stopped jail got %s", c.String())
		}
	}
}

func TestFstabRefusesAndChangesNothing(t *testing.T) {
	h := newTreeHarness(t)
	src := t.TempDir()
	dir, root := fstabJail(h, "www1", "mnt", "etc", "srv/data")
	path := filepath.Join(dir, "fstab")
	if err := os.Symlink("/etc", filepath.Join(root, "evil")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("srv/data", filepath.Join(root, "data")); err != nil {
		t.Fatal(err)
	}
	fstabRun(h, fstabOptions{action: "add", jail: "www1", rest: []string{src, "/mnt", "nullfs", "ro", "0", "0"}})
	before := readFile(t, path)
	for _, tc := range []struct {
		want string
		opts fstabOptions
	}{
		{"Destination: /evil resolves through the symlink /evil -> /etc to /etc, outside the jail's root (" + root + ")", fstabOptions{action: "add", jail: "www1", rest: []string{src, "/evil", "nullfs", "ro", "0", "0"}}},
		{"Destination: /evil resolves through the symlink /evil -> /etc", fstabOptions{action: "add", jail: "www1", rest: []string{src, "/evil"}}},
		{"Destination: /evil/x resolves through the symlink /evil -> /etc", fstabOptions{action: "add", jail: "www1", rest: []string{src, "/evil/x", "nullfs", "ro", "0", "0"}}},
		{`Destination: /../etc climbs out of the jail's root`, fstabOptions{action: "add", jail: "www1", rest: []string{src, "/../etc", "nullfs", "ro", "0", "0"}}},
		{"Destination: " + root + "/mnt already exists!", fstabOptions{action: "add", jail: "www1", rest: []string{src, "/mnt/", "nullfs", "ro", "0", "0"}}},
		{"Destination: " + root + "/nope does not exist or is not a directory.", fstabOptions{action: "add", jail: "www1", rest: []string{src, "/nope", "nullfs", "ro", "0", "0"}}},
		{"Source: /no/such/dir does not exist!", fstabOptions{action: "add", jail: "www1", rest: []string{"/no/such/dir", "/etc", "nullfs", "ro", "0", "0"}}},
		{"Source: rel must use an absolute path!", fstabOptions{action: "add", jail: "www1", rest: []string{"rel", "/etc", "nullfs", "ro", "0", "0"}}},
		{"Destination: etc must use an absolute path!", fstabOptions{action: "add", jail: "www1", rest: []string{src, "etc", "nullfs", "ro", "0", "0"}}},
		{"Dump: x must be a digit!", fstabOptions{action: "add", jail: "www1", rest: []string{src, "/etc", "nullfs", "ro", "x", "0"}}},
		{"Pass: 10 must be one digit long!", fstabOptions{action: "add", jail: "www1", rest: []string{src, "/etc", "nullfs", "ro", "0", "10"}}},
		{"Options: noatime must include rw or ro", fstabOptions{action: "add", jail: "www1", rest: []string{src, "/etc", "nullfs", "noatime", "0", "0"}}},
		{"Please specify a valid fstab entry!", fstabOptions{action: "add", jail: "www1", rest: []string{src, "/etc", "nullfs"}}},
		{"jail 'nope' not found!", fstabOptions{action: "add", jail: "nope", rest: []string{src}}},
	} {
		fstabRefused(h, tc.want, tc.opts)
		if got := readFile(t, path); got != before {
			t.Fatalf("%+v changed the fstab:\n%q", tc.opts, got)
		}
	}
	// A symlink that stays inside is followed and stored resolved.
	fstabRun(h, fstabOptions{action: "add", jail: "www1", rest: []string{src, "/data"}})
	if got := readFile(t, path); !strings.Contains(got, src+"\t"+root+"/srv/data\tnullfs\tro\t0\t0 # Added") {
		t.Fatalf("in-jail symlink not resolved: %q", got)
	}
}

func TestParseFstab(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want fstabOptions
	}{
		{[]string{"fstab", "-a", "www1", "/src", "/mnt"}, fstabOptions{action: "add", jail: "www1", rest: []string{"/src", "/mnt"}}},
		{[]string{"fstab", "-a", "www1", "/src /mnt nullfs ro 0 0"}, fstabOptions{action: "add", jail: "www1", rest: []string{"/src /mnt nullfs ro 0 0"}}},
		{[]string{"fstab", "-r", "www1", "2"}, fstabOptions{action: "remove", jail: "www1", rest: []string{"2"}}},
		{[]string{"fstab", "-R", "0", "www1", "/src", "/media", "nullfs", "ro", "0", "0"},
			fstabOptions{action: "replace", jail: "www1", rest: []string{"/src", "/media", "nullfs", "ro", "0", "0"}, replace: "0"}},
		{[]string{"fstab", "-e", "www1"}, fstabOptions{action: "edit", jail: "www1", rest: []string{}}},
		{[]string{"fstab", "-lh", "www1"}, fstabOptions{action: "list", jail: "www1", rest: []string{}, format: render.FormatTSV}},
		{[]string{"fstab", "-l", "--json", "www1"}, fstabOptions{action: "list", jail: "www1", rest: []string{}, format: render.FormatJSON}},
	} {
		if got, err := parseLine(t, parseFstab, tc.args...); err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q: %+v %v, want %+v", tc.args, got, err, tc.want)
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"fstab", "-a", "www1"}, "Please supply an fstab entry or jail!"},
		{[]string{"fstab", "-a"}, "Please supply an fstab entry or jail!"},
		{[]string{"fstab", "www1", "/src"}, "Type of operation not specified! Use one of -a, -r, -R INDEX, -e and -l"},
		{[]string{"fstab", "-a", "-r", "www1", "/src"}, "Use only one of -a, -r, -R INDEX, -e and -l"},
		{[]string{"fstab", "-l", "www1", "extra"}, "Usage: jcage fstab -l JAIL"},
		{[]string{"fstab", "-e", "www1", "extra"}, "Usage: jcage fstab -e JAIL"},
	} {
		if _, err := parseLine(t, parseFstab, tc.args...); err == nil || err.Error() != tc.want {
			t.Errorf("%q: %v, want %q", tc.args, err, tc.want)
		}
	}
}

func TestFstabWarnings(t *testing.T) {
	h := newTreeHarness(t)
	src := t.TempDir()
	long := "/" + strings.Repeat("d", 90)
	dir, root := fstabJail(h, "www1", long, "mnt")
	// A line libc rejects is reported (and lost on rewrite, as with iocage).
	if err := os.WriteFile(filepath.Join(dir, "fstab"), []byte("# kept by nobody\nbad line\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fstabRun(h, fstabOptions{action: "add", jail: "www1", rest: []string{src, long, "nullfs", "ro", "0", "0"}})
	path := filepath.Join(dir, "fstab")
	wantErr := "fstab: " + path + ":2: Inappropriate file type or format\n" +
		"The destination's mountpoint exceeds 88 characters, this may cause failure!\n"
	if h.stderr.String() != wantErr {
		t.Fatalf("stderr %q", h.stderr.String())
	}
	if got := readFile(t, path); !strings.HasPrefix(got, src+"\t"+root+long+"\t") || strings.Count(got, "\n") != 1 {
		t.Fatalf("fstab %q", got)
	}
}

// Paths of an old iocage tree are moved to IOCROOT before a change.
func TestFstabRewritesLegacyPaths(t *testing.T) {
	h := newTreeHarness(t)
	src := t.TempDir()
	dir, root := fstabJail(h, "www1", "mnt", "media")
	path := filepath.Join(dir, "fstab")
	if err := os.WriteFile(path, []byte(src+"\t/iocage/jails/www1/root/mnt\tnullfs\tro\t0\t0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := fstabRun(h, fstabOptions{action: "add", jail: "www1", rest: []string{src, "/media", "nullfs", "ro", "0", "0"}})
	want := "Invalid destination: /iocage/jails/www1/root/mnt replaced with " + root + "/mnt\nSuccessfully added mount to www1's fstab\n"
	if out != want {
		t.Fatalf("stdout %q", out)
	}
	if got := readFile(t, path); !strings.HasPrefix(got, src+"\t"+root+"/mnt\tnullfs\tro\t0\t0\n"+src+"\t"+root+"/media\t") {
		t.Fatalf("fstab %q", got)
	}
}

func TestFstabRunningJail(t *testing.T) {
	h := newTreeHarness(t)
	src := t.TempDir()
	dir, root := fstabJail(h, "www1", "mnt", "media")
	path := filepath.Join(dir, "fstab")
	h.running(map[string]int{"www1": 4})
	mounts := func() []string {
		var out []string
		for _, c := range h.run.Calls() {
			if c.Name == "mount" || c.Name == "umount" {
				out = append(out, c.String())
			}
		}
		return out
	}
	mountMnt := "mount -t nullfs -o ro " + src + " " + root + "/mnt"
	fstabRun(h, fstabOptions{action: "add", jail: "www1", rest: []string{src, "/mnt", "nullfs", "ro", "0", "0"}})
	if got := mounts(); strings.Join(got, "|") != mountMnt {
		t.Fatalf("calls %q", got)
	}

	// A mount that fails leaves the fstab byte for byte as it was.
	before := readFile(t, path)
	h.run.Fail([]string{"mount"}, 1, "mount_nullfs: "+root+"/media: Operation not permitted\n")
	fstabRefused(h, "Mounting entry failed: mount -t nullfs -o ro "+src+" "+root+"/media: mount_nullfs: "+root+"/media: Operation not permitted", fstabOptions{action: "add", jail: "www1", rest: []string{src, "/media", "nullfs", "ro", "0", "0"}})
	if readFile(t, path) != before {
		t.Fatal("failed mount left the new entry")
	}

	// -R: the old entry is unmounted, the new one mounted; when the new
	// mount fails, the old one is mounted again and the file restored.
	h.run.On([]string{"mount"}, "", nil)
	h.run.Fail([]string{"mount", "-t", "nullfs", "-o", "ro", src, root + "/media"}, 1, "mount_nullfs: "+root+"/media: Operation not permitted\n")
	n := len(mounts())
	fstabRefused(h, "Mounting entry failed", fstabOptions{action: "replace", jail: "www1", rest: []string{src, "/media", "nullfs", "ro", "0", "0"}, replace: "0"})
	want := []string{"umount -f " + root + "/mnt", "mount -t nullfs -o ro " + src + " " + root + "/media", mountMnt}
	if got := mounts()[n:]; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("-R unwinding calls:\n%q\nwant\n%q", got, want)
	}
	if readFile(t, path) != before {
		t.Fatal("failed -R changed the file")
	}
	h.run.On([]string{"mount"}, "", nil)
	n = len(mounts())
	fstabRun(h, fstabOptions{action: "replace", jail: "www1", rest: []string{src, "/media", "nullfs", "ro", "0", "0"}, replace: "0"})
	if got := mounts()[n:]; strings.Join(got, "|") != strings.Join(want[:2], "|") {
		t.Fatalf("-R calls %q", got)
	}

	// -r unmounts; a busy unmount fails and restores the entry.
	before = readFile(t, path)
	h.run.Fail([]string{"umount"}, 1, "umount: unmount of "+root+"/media failed: Device busy\n")
	fstabRefused(h, "Unmounting entry failed: umount -f "+root+"/media: umount: unmount of "+root+"/media failed: Device busy", fstabOptions{action: "remove", jail: "www1", rest: []string{"0"}})
	if readFile(t, path) != before {
		t.Fatal("failed -r changed the file")
	}
	// A target that is not mounted only warns.
	h.run.Fail([]string{"umount"}, 1, "umount: "+root+"/media: not a file system root directory\n")
	fstabRun(h, fstabOptions{action: "remove", jail: "www1", rest: []string{"0"}})
	if !strings.HasPrefix(h.stderr.String(), "Unmounting entry failed: umount -f "+root+"/media: umount: ") || readFile(t, path) != "" {
		t.Fatalf("stderr %q, fstab %q", h.stderr.String(), readFile(t, path))
	}
}

func TestFstabEdit(t *testing.T) {
	h := newTreeHarness(t)
	src := t.TempDir()
	dir, root := fstabJail(h, "www1", "mnt", "etc")
	path := filepath.Join(dir, "fstab")
	if err := os.Symlink("/etc", filepath.Join(root, "evil")); err != nil {
		t.Fatal(err)
	}
	fstabRun(h, fstabOptions{action: "add", jail: "www1", rest: []string{src, "/mnt", "nullfs", "ro", "0", "0"}})
	orig := readFile(t, path)

	editor := filepath.Join(t.TempDir(), "myeditor")
	t.Setenv("EDITOR", editor)
	var edits []string
	appendLine := ""
	failEditor := false
	h.run.Respond = func(c host.Cmd) (string, error) {
		if c.Name != editor && c.Name != "/usr/bin/vi" {
			return "", nil
		}
		edits = append(edits, c.String())
		if failEditor {
			return "", &host.RunError{Argv: c.Argv(), ExitCode: 1}
		}
		f, err := os.OpenFile(c.Args[len(c.Args)-1], os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			return "", err
		}
		defer f.Close()
		_, err = f.WriteString(appendLine)
		return "", err
	}

	// The editor works on a copy named *.iocage; the result is installed
	// as written, without mounting.
	appendLine = "tmpfs\t" + root + "/etc\ttmpfs\trw\t0\t0 # mine\n"
	fstabRun(h, fstabOptions{action: "edit", jail: "www1"})
	if len(edits) != 1 || !strings.HasSuffix(edits[0], ".iocage") || !strings.HasPrefix(edits[0], editor+" ") {
		t.Fatalf("editor calls %q", edits)
	}
	if got := readFile(t, path); got != orig+appendLine {
		t.Fatalf("edited fstab %q", got)
	}
	if _, err := os.Stat(strings.Fields(edits[0])[1]); !os.IsNotExist(err) {
		t.Fatal("temporary copy left behind")
	}

	// An editor that fails changes nothing.
	before := readFile(t, path)
	failEditor = true
	fstabRefused(h, "An error occurred within myeditor!", fstabOptions{action: "edit", jail: "www1"})
	failEditor = false

	// A new entry escaping the root is refused; the edit is kept aside.
	appendLine = src + "\t" + root + "/evil\tnullfs\tro\t0\t0\n"
	fstabRefused(h, "Destination: /evil resolves through the symlink /evil -> /etc", fstabOptions{action: "edit", jail: "www1"})
	kept := strings.Fields(edits[len(edits)-1])[1]
	if !strings.Contains(h.stderr.String(), "the edited copy is "+kept) || !strings.HasSuffix(readFile(t, kept), appendLine) {
		t.Fatalf("stderr %q", h.stderr.String())
	}
	os.Remove(kept)
	if readFile(t, path) != before {
		t.Fatal("refused edit changed the file")
	}

	// Without $EDITOR, vi.
	t.Setenv("EDITOR", "")
	appendLine = ""
	fstabRun(h, fstabOptions{action: "edit", jail: "www1"})
	if last := edits[len(edits)-1]; !strings.HasPrefix(last, "/usr/bin/vi ") {
		t.Fatalf("default editor %q", last)
	}
	for _, c := range h.run.Calls() {
		if c.Name == "mount" {
			t.Fatal("edit mounted")
		}
	}
}
