package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/jcage/jcage/internal/testworld/fbsdsim"
	"github.com/jcage/jcage/internal/testworld/goldenfile"
	"github.com/jcage/jcage/internal/testworld/world"
)

// TestSystemJailMatrix starts and stops one jail per config.json in
// testdata/matrix (iocage's own defaults at CONFIG_VERSION 29 and 34,
// vnet with static, DHCP and SLAAC addresses in every combination, NAT
// with pf and ipfw, a NIC without a bridge, FIB 2, assign_localhost,
// jail_zfs, RCTL, cpuset, procfs) in one pool, one jail at a time, and
// compares the simulator's log of each start and stop with the golden
// command log beside it. Run with -update to rewrite the logs after a
// deliberate change.
func TestSystemJailMatrix(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "matrix", "*.json"))
	if err != nil || len(files) < 24 {
		t.Fatalf("matrix: %d configs (%v), want 24 or more", len(files), err)
	}
	w, run := startWorld(t)
	w.Setenv("JCAGE_SIM_FIBS", "4")
	w.Setenv("JCAGE_SIM_RACCT", "1")
	// FIB 2 has a default route of its own.
	w.Tool("setfib", "2", "route", "add", "default", "10.0.0.254")
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		t.Run(name, func(t *testing.T) {
			var props map[string]any
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &props); err != nil {
				t.Fatal(err)
			}
			layStartable(t, w, name, props)
			// config.json exactly as the file has it, not re-encoded.
			if err := os.WriteFile(filepath.Join(w.IOCRoot(), "jails", name, "config.json"), b, 0o644); err != nil {
				t.Fatal(err)
			}
			// The simulated jexec does not run ifconfig; a DHCP jail's
			// lease is what jexec is told to print.
			if props["dhcp"] == float64(1) || strings.Contains(strings.ToUpper(anyString(props["ip4_addr"])), "DHCP") {
				w.Setenv("JCAGE_SIM_JEXEC_STDOUT", matrixDHCPLease)
				defer w.Setenv("JCAGE_SIM_JEXEC_STDOUT", "")
			}
			var log strings.Builder
			for _, verb := range []string{"start", "stop"} {
				before := len(w.Calls())
				r := w.Jcage(verb, name)
				log.WriteString("$ jcage " + verb + " " + name + "\n")
				log.WriteString(matrixCalls(w.Calls()[before:]))
				log.WriteString("--- stdout\n" + r.Stdout)
				if r.Stderr != "" {
					log.WriteString("--- stderr\n" + r.Stderr)
				}
				if r.Code != 0 {
					log.WriteString("--- exit " + itoa(r.Code) + "\n")
				}
			}
			got := normalizeMatrix(log.String(), w, run)
			golden := strings.TrimSuffix(f, ".json") + ".golden"
			if goldenfile.Update() {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to write it)", err)
			}
			if got != string(want) {
				t.Errorf("%s differs:\n--- got\n%s\n--- want\n%s", golden, got, want)
			}
			if jls := w.Tool("jls", "-N"); strings.Contains(jls, "ioc-"+name+" ") {
				t.Fatalf("still running after stop:\n%s", jls)
			}
		})
	}
}

// matrixCalls renders simulator calls one per line, with the environment
// the simulator records.
func matrixCalls(calls []fbsdsim.Call) string {
	var b strings.Builder
	for _, c := range calls {
		b.WriteString(strings.Join(c.Argv, " ") + "\n")
		if len(c.Env) > 0 {
			var env []string
			for k, v := range c.Env {
				env = append(env, k+"="+v)
			}
			sort.Strings(env)
			b.WriteString("\tenv " + strings.Join(env, " ") + "\n")
		}
	}
	return b.String()
}

// normalizeMatrix replaces the paths that differ between runs.
func normalizeMatrix(s string, w *world.World, run string) string {
	s = strings.ReplaceAll(s, run, "$RUN")
	s = strings.ReplaceAll(s, w.Pool.Mountpoint, "$POOL")
	return strings.ReplaceAll(s, w.Pool.Name, "$POOLNAME")
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

const matrixDHCPLease = "epair0b: flags=8843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST> metric 0 mtu 1500\n" +
	"\toptions=8<VLAN_MTU>\n\tinet 10.0.0.77 netmask 0xffffff00 broadcast 10.0.0.255"

func anyString(v any) string {
	s, _ := v.(string)
	return s
}
