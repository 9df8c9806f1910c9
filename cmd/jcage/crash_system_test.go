package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
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
