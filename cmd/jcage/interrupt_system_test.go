package main

import (
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jcage/jcage/internal/testworld/world"
)

// SIGINT and SIGKILL at several points of create, clone and template: no
// half-made jail is ever visible afterwards, and the command run again
// succeeds. After SIGKILL, the next command cleans up from its journal.
func TestSystemInterrupts(t *testing.T) {
	w := world.New(t)
	w.Must("activate", w.Pool.Name)
	root := w.LayRelease("14.3-RELEASE")
	// Enough data that a thick copy takes a while on zfs-fuse.
	big := make([]byte, 24<<20)
	if _, err := rand.Read(big); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "usr/bin/big"), big, 0o755); err != nil {
		t.Fatal(err)
	}
	w.Must("create", "-r", "14.3-RELEASE", "-n", "src")
	clean := func(name string, r world.Result) {
		t.Helper()
		// The next root command notices a dead process's journal.
		list := w.Must("list", "-h")
		if strings.Contains(list, "CORRUPT") {
			t.Fatalf("half-made jail visible after interrupting %s:\n%s", name, list)
		}
		sets := w.Datasets()
		if strings.Contains(list, "\t"+name+"\t") {
			// It finished before the signal: a whole jail, config and all.
			if _, err := os.Stat(filepath.Join(w.IOCRoot(), "jails", name, "config.json")); err != nil {
				t.Fatalf("%s listed without its config: %v", name, err)
			}
			w.Must("destroy", "-f", name)
			return
		}
		if strings.Contains(sets, "/jails/"+name+"\n") || strings.Contains(sets, "@"+name+"\n") {
			t.Fatalf("leftovers of %s (exit %d, stderr %q; list %q):\n%s", name, r.Code, r.Stderr, list, sets)
		}
	}
	cases := []struct {
		name string
		args []string
	}{
		{"thick", []string{"create", "-r", "14.3-RELEASE", "-T", "-n", "thick"}},
		{"thin", []string{"create", "-r", "14.3-RELEASE", "-n", "thin"}},
		{"copy", []string{"clone", "src", "-n", "copy"}},
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGKILL} {
		for _, delay := range []time.Duration{150 * time.Millisecond, 400 * time.Millisecond, 900 * time.Millisecond} {
			for _, tc := range cases {
				r := w.JcageSignal(delay, sig, tc.args...)
				if sig == syscall.SIGKILL {
					// A zfs command the killed process had started runs on
					// as an orphan; ZFS completes it whatever happens.
					time.Sleep(1500 * time.Millisecond)
				}
				if sig == syscall.SIGINT && r.Code != 0 && strings.Count(strings.TrimSpace(r.Stderr), "\n") > 2 {
					t.Fatalf("%s after %v: noisy failure %q", tc.name, delay, r.Stderr)
				}
				clean(tc.name, r)
				w.Must(tc.args...)
				w.Must("destroy", "-f", tc.name)
			}
		}
	}
	// The template toggle renamed halfway comes back too.
	for _, delay := range []time.Duration{100 * time.Millisecond, 300 * time.Millisecond} {
		w.JcageSignal(delay, syscall.SIGKILL, "set", "template=yes", "src")
		time.Sleep(1500 * time.Millisecond)
		if got := w.Must("list", "-h") + w.Must("list", "-t", "-h"); !strings.Contains(got, "\tsrc\t") || strings.Contains(got, "CORRUPT") {
			t.Fatalf("src lost after an interrupted template change:\n%s", got)
		}
		// Finished or undone, never in between: a jail under jails/ has
		// template off in its config, a template has it on.
		isTemplate := strings.Contains(w.Must("list", "-t", "-h"), "\tsrc\t")
		if v := strings.TrimSpace(w.Must("get", "template", "src")); (v == "1" || v == "yes") != isTemplate {
			t.Fatalf("after an interrupted template change src is a template=%v with template=%s in its config", isTemplate, v)
		}
		if isTemplate {
			w.Must("set", "template=no", "src")
		}
	}
}
