package main

import (
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jcage/jcage/internal/testworld/world"
	"github.com/jcage/jcage/internal/txn"
)

// SIGKILL and SIGINT at every external step of update, upgrade and
// destroy: the simulated tool of that step signals jcage, then does its
// work as an orphan would. The next command (list) replays the journal,
// and the jail is exactly as before the change: same datasets and
// snapshots, same files. destroy is all or nothing.
func TestSystemCrashUpdateUpgradeDestroy(t *testing.T) {
	a := newAttack(t)
	w := a.w
	w.Must("create", "-r", "14.3-RELEASE", "-n", "web", "-T")
	dir := filepath.Join(w.IOCRoot(), "jails", "web")
	steps := map[string][]string{
		"update":  {"mount -t devfs", "freebsd-update fetch", "freebsd-update install", "umount"},
		"upgrade": {"freebsd-update upgrade", "freebsd-update install"},
	}
	cases := 0
	for _, op := range []string{"update", "upgrade"} {
		args := map[string][]string{"update": {"update", "web"}, "upgrade": {"upgrade", "web", "-r", "15.0-RELEASE"}}[op]
		for _, step := range steps[op] {
			for _, sig := range []string{"KILL", "INT"} {
				before, tree := w.Datasets(), treeState(t, dir)
				w.Setenv("JCAGE_SIM_KILL", step)
				w.Setenv("JCAGE_SIM_KILL_SIGNAL", sig)
				os.Remove(filepath.Join(w.State, "killinject.json"))
				r := w.Jcage(args...)
				w.Setenv("JCAGE_SIM_KILL", "")
				if r.Code == 0 {
					// An interrupt during the last cleanup lets the
					// finished change stand; a kill never does.
					if sig == "INT" && step == "umount" {
						cases++
						continue
					}
					t.Fatalf("%s with SIG%s at %q: exit 0, the signal never came", op, sig, step)
				}
				// The killed process's last child may still run.
				time.Sleep(300 * time.Millisecond)
				w.Must("list", "-h")
				if got := w.Datasets(); got != before {
					t.Fatalf("%s, SIG%s at %q: datasets\n%s\nwant\n%s", op, sig, step, got, before)
				}
				if got := treeState(t, dir); got != tree {
					t.Fatalf("%s, SIG%s at %q: jail\n%s\nwant\n%s", op, sig, step, got, tree)
				}
				cases++
			}
		}
	}
	// The change then goes through.
	w.Must("update", "web")

	// destroy of a running jail, killed at each of its steps: afterwards
	// the jail is whole or gone, and destroy finishes it.
	for _, step := range []string{"jail -r", "umount"} {
		for _, sig := range []string{"KILL", "INT"} {
			w.Must("create", "-r", "14.3-RELEASE", "-n", "gone")
			if err := os.MkdirAll(filepath.Join(w.IOCRoot(), "jails", "gone", "root", "dev", "fd"), 0o755); err != nil {
				t.Fatal(err)
			}
			w.Must("start", "gone")
			w.Setenv("JCAGE_SIM_KILL", step)
			w.Setenv("JCAGE_SIM_KILL_SIGNAL", sig)
			os.Remove(filepath.Join(w.State, "killinject.json"))
			w.Jcage("destroy", "-f", "gone")
			w.Setenv("JCAGE_SIM_KILL", "")
			time.Sleep(300 * time.Millisecond)
			list := w.Must("list", "-h")
			if strings.Contains(list, "CORRUPT") {
				t.Fatalf("destroy, SIG%s at %q: half-made jail\n%s", sig, step, list)
			}
			sets := w.Datasets()
			if strings.Contains(list, "\tgone\t") {
				if _, err := os.Stat(filepath.Join(w.IOCRoot(), "jails", "gone", "config.json")); err != nil {
					t.Fatalf("destroy, SIG%s at %q: listed without its config", sig, step)
				}
				w.Must("destroy", "-f", "gone")
			} else if strings.Contains(sets, "/jails/gone") {
				t.Fatalf("destroy, SIG%s at %q: leftovers\n%s", sig, step, sets)
			}
			cases++
		}
	}
	t.Logf("%d crash cases", cases)
}

// crashCase is one change killed at every point of its journal.
type crashCase struct {
	name string
	// setup, when set, runs once, before the state to return to is read.
	setup func()
	// prepare, when set, runs before each try: it lays out what the
	// change works on, again after a try that went through.
	prepare func()
	args    []string
	// finishes marks a change that is finished rather than undone (a
	// rollback): after a crash the tree is as the change leaves it,
	// which is the state before prepare.
	finishes bool
}

// TestSystemCrashEveryJournalStep kills jcage (SIGKILL, through the test
// build's txn.CrashEnv) at every point of its journal: after each step is
// recorded (before it runs, after the one before it ran) and before the
// commit (after every step ran). The points are not listed here: each
// change is run with the kill at point 1, 2, ... until it runs through,
// so a step added to a change is a case more. After each kill the next
// command (list) replays the journal and the tree, the mounts of the
// simulator and the templates' readonly are exactly as before the change.
func TestSystemCrashEveryJournalStep(t *testing.T) {
	a := newAttack(t)
	w := a.w
	m := testMirror(t)
	ioc := w.IOCRoot()
	pool := w.Pool.Name
	write := func(rel, data string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(ioc, rel)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(ioc, rel), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	src := t.TempDir()
	w.Must("create", "-r", "14.3-RELEASE", "-n", "web", "-T")
	w.Must("create", "-r", "14.3-RELEASE", "-n", "bj", "-b")
	w.Must("create", "-r", "14.3-RELEASE", "-n", "thin")
	w.Must("create", "-r", "14.3-RELEASE", "-n", "tpl")
	if err := os.MkdirAll(filepath.Join(ioc, "jails", "tpl", "root", "mnt"), 0o755); err != nil {
		t.Fatal(err)
	}
	w.Must("set", "template=yes", "tpl")
	w.Must("create", "-t", "tpl", "-n", "child")
	w.Must("create", "-r", "14.3-RELEASE", "-n", "exp")
	w.Must("export", "exp")
	w.Must("destroy", "-f", "exp")
	if err := os.MkdirAll(filepath.Join(ioc, "jails", "web", "root", "dev", "fd"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"mnt", "media"} {
		if err := os.MkdirAll(filepath.Join(ioc, "jails", "web", "root", d), 0o755); err != nil {
			t.Fatal(err)
		}
	}

	cases := []crashCase{
		{name: "snapshot", args: []string{"snapshot", "-n", "crash", "web"}},
		{name: "fstab", args: []string{"fstab", "-a", "web", src, "/mnt", "nullfs", "ro", "0", "0"}},
		{name: "fstab of a running jail", prepare: func() {
			if strings.Contains(w.Must("list", "-h"), "\tweb\tup") {
				return
			}
			w.Must("start", "web")
		}, args: []string{"fstab", "-a", "web", src, "/media", "nullfs", "ro", "0", "0"}},
		{name: "fstab of a template", args: []string{"fstab", "-a", "tpl", src, "/mnt", "nullfs", "ro", "0", "0"}},
		{name: "rename", args: []string{"rename", "thin", "thin2"}},
		{name: "rename of a template", args: []string{"rename", "tpl", "tpl2"}},
		{name: "update", prepare: func() {
			if strings.Contains(w.Must("list", "-h"), "\tweb\tup") {
				w.Must("stop", "web")
			}
		}, args: []string{"update", "web"}},
		{name: "update of a base jail", args: []string{"update", "bj"}},
		{name: "upgrade", args: []string{"upgrade", "web", "-r", "15.0-RELEASE"}},
		{name: "import", args: []string{"import", "exp"}},
		{name: "fetch", args: []string{"fetch", "-r", "14.2-RELEASE", "-s", m.URL, "-NU"}},
		{name: "fetch again", args: []string{"fetch", "-r", "14.2-RELEASE", "-s", m.URL}},
		{name: "rollback", setup: func() { w.Must("snapshot", "-n", "s1", "thin2") }, prepare: func() {
			write("jails/thin2/root/after-s1", "gone after the rollback\n")
			if !strings.Contains(w.Datasets(), "/thin2@s2\n") {
				w.Must("snapshot", "-n", "s2", "thin2")
			}
		}, args: []string{"rollback", "-n", "s1", "-f", "thin2"}, finishes: true},
	}
	state := func() string {
		return w.Datasets() + crashProps(w, pool) + w.Tool("mount", "-p") + filesState(t, ioc, "download", "images", "log")
	}
	total := 0
	for _, c := range cases {
		if c.setup != nil {
			c.setup()
		}
		want := state()
		if c.prepare != nil {
			c.prepare()
		}
		if !c.finishes {
			want = state()
		}
		points := 0
		for at := 1; ; at++ {
			if at > 40 {
				t.Fatalf("%s: still killed at point %d", c.name, at)
			}
			if c.prepare != nil {
				c.prepare()
			}
			before := state()
			w.Setenv(txn.CrashEnv, strconv.Itoa(at))
			r := w.Jcage(c.args...)
			w.Setenv(txn.CrashEnv, "")
			if r.Code == 0 {
				// No point at, so the change ran through.
				if state() == before {
					t.Fatalf("%s: the change changed nothing", c.name)
				}
				break
			}
			if r.Code != -1 {
				t.Fatalf("%s, killed at point %d: exit %d, not killed\n%s%s", c.name, at, r.Code, r.Stdout, r.Stderr)
			}
			list := w.Jcage("list", "-h")
			if list.Code != 0 || !strings.Contains(list.Stdout, "Cleaned up after an interrupted ") {
				t.Fatalf("%s, killed at point %d: the next command did not clean up: %+v", c.name, at, list)
			}
			if got := state(); got != want {
				t.Fatalf("%s, killed at point %d:\n%s\nwant\n%s", c.name, at, got, want)
			}
			points++
		}
		if points < 2 {
			t.Fatalf("%s: %d points: is the test world's jcage built with txn.crashEnv (make testbin)?", c.name, points)
		}
		t.Logf("%s: %d crash points", c.name, points)
		total += points
	}
	t.Logf("%d crash cases", total)
}

// crashProps lists the readonly and jailed properties set on the tree.
func crashProps(w *world.World, pool string) string {
	return w.ZFS("get", "-H", "-r", "-s", "local", "-o", "name,property,value", "readonly,jailed", pool+"/iocage")
}

// filesState lists every file under dir, but for the directories skip,
// with its mode and a hash of its content.
func filesState(t *testing.T, dir string, skip ...string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() && slices.Contains(skip, rel) {
			return filepath.SkipDir
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			fmt.Fprintf(&b, "%s -> %s\n", rel, target)
		case d.IsDir():
			fmt.Fprintf(&b, "%s/ %v\n", rel, info.Mode())
		default:
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			fmt.Fprintf(&b, "%s %v %x\n", rel, info.Mode(), sha256.Sum256(data))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// A change waiting for the tree lock another command holds waits, and
// Ctrl-C ends the wait: exit 1, "interrupted", nothing changed.
func TestSystemLockWaitInterrupted(t *testing.T) {
	w, run := startWorld(t)
	w.LayRelease("14.3-RELEASE")
	w.Must("create", "-r", "14.3-RELEASE", "-n", "web")
	f, err := os.OpenFile(filepath.Join(run, "jcage.lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	before := w.Datasets()
	r := w.JcageSignal(time.Second, syscall.SIGINT, "snapshot", "-n", "waited", "web")
	if r.Code == 0 || r.Stderr != "interrupted\n" {
		t.Fatalf("interrupted wait: %+v", r)
	}
	if got := w.Datasets(); got != before {
		t.Fatalf("the interrupted change changed the pool:\n%s", got)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_UN); err != nil {
		t.Fatal(err)
	}
	w.Must("snapshot", "-n", "waited", "web")
}
