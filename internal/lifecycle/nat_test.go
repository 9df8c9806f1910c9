package lifecycle

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jcage/jcage/internal/host"
	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/jail"
	"github.com/jcage/jcage/internal/testworld/fixture"
)

// natRun is a start of jail web with nat on the given backend, its NAT
// files in dir.
func natRun(t *testing.T, dir, backend string) (*jailRun, *host.Recorder) {
	t.Helper()
	rec := &host.Recorder{}
	h := &Host{&jail.Host{Host: &inventory.Host{Run: rec}}}
	r := h.newRun(&inventory.Inventory{}, Paths{RunDir: dir, NATDir: dir}, false, nil)
	props := fixture.Effective(t, "web", map[string]any{"nat": 1, "nat_backend": backend, "nat_forwards": "tcp(8080:80)"})
	j := &inventory.Jail{Name: "web", Props: props}
	return &jailRun{r: r, h: h, j: j, props: props.Clone(), out: &strings.Builder{}, warn: &strings.Builder{}}, rec
}

// The NAT rule file is replaced, never rewritten in place: a reader (or a
// crash) sees the old rules or the new, never a truncated file, and a
// symlink planted at the name is replaced rather than followed. Other
// jails' rules are kept.
func TestNATRulesReplaced(t *testing.T) {
	for _, backend := range []string{"pf", "ipfw"} {
		t.Run(backend, func(t *testing.T) {
			dir := t.TempDir()
			jr, rec := natRun(t, dir, backend)
			name := map[string]string{"pf": "iocage_nat_pf.conf", "ipfw": "iocage_nat_ipfw.conf"}[backend]
			path := filepath.Join(dir, name)
			other := map[string]string{
				"pf":   "nat on em0 from 172.16.0.0/24 to any -> (em0:0) static-port\nrdr pass on em0 inet proto tcp from any to (em0:0) port 2222 -> 172.16.0.9 port 22\n",
				"ipfw": "ipfw -q flush\nipfw -q nat 462 config if em0 same_ports redirect_port tcp 172.16.0.9:22 2222\n",
			}[backend]
			if err := os.WriteFile(path, []byte(other), 0o755); err != nil {
				t.Fatal(err)
			}
			keep, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer keep.Close()
			if err := jr.addNATRules(context.Background(), "em0", "em0|172.16.0.2"); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(path)
			if err != nil || !strings.Contains(string(b), "172.16.0.9") || !strings.Contains(string(b), "172.16.0.2") {
				t.Fatalf("rules %q %v", b, err)
			}
			if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o755 {
				t.Fatalf("mode %v", fi.Mode())
			}
			old := make([]byte, len(other)+1)
			n, _ := keep.ReadAt(old, 0)
			if string(old[:n]) != other {
				t.Fatalf("the old file was rewritten in place: %q", old[:n])
			}
			if len(rec.Calls()) == 0 {
				t.Fatal("the rules were not loaded")
			}

			// A symlink at the name: the file it points to stays as it was.
			victim := filepath.Join(t.TempDir(), "victim")
			if err := os.WriteFile(victim, []byte("keep\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(victim, path); err != nil {
				t.Fatal(err)
			}
			if err := jr.addNATRules(context.Background(), "em0", "em0|172.16.0.2"); err != nil {
				t.Fatal(err)
			}
			if b, _ := os.ReadFile(victim); string(b) != "keep\n" {
				t.Fatalf("wrote through the symlink: %q", b)
			}
			if fi, err := os.Lstat(path); err != nil || !fi.Mode().IsRegular() {
				t.Fatalf("%v %v", fi, err)
			}
		})
	}
}

// A rule file that cannot be read refuses the change (the other jails'
// rules would be lost) and loads nothing.
func TestNATRulesUnreadable(t *testing.T) {
	dir := t.TempDir()
	jr, rec := natRun(t, dir, "pf")
	if err := os.Mkdir(filepath.Join(dir, "iocage_nat_pf.conf"), 0o755); err != nil {
		t.Fatal(err)
	}
	err := jr.addNATRules(context.Background(), "em0", "em0|172.16.0.2")
	if err == nil || !strings.Contains(err.Error(), "iocage_nat_pf.conf") {
		t.Fatalf("%v", err)
	}
	for _, c := range rec.Calls() {
		if c.Name == "pfctl" {
			t.Fatalf("rules loaded: %v", rec.Lines())
		}
	}
}
