package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// create -p: without an address it only warns and the jail is made; with
// one, the jail is started for the packages and stopped again
// (ioc_create.py create_install_packages).
func TestSystemCreatePackages(t *testing.T) {
	w, _ := startWorld(t)
	rel := w.LayRelease("14.3-RELEASE")
	// jail(8) mounts devfs and fdescfs in the root.
	if err := os.MkdirAll(filepath.Join(rel, "dev", "fd"), 0o755); err != nil {
		t.Fatal(err)
	}
	list := filepath.Join(t.TempDir(), "pkgs.json")
	os.WriteFile(list, []byte(`{"pkgs": ["nginx"]}`), 0o644)

	r := w.Jcage("create", "-r", "14.3-RELEASE", "-n", "noip", "-p", list)
	if r.Code != 0 || !strings.Contains(r.Stderr, "You need an IP address for the jail to install packages!") ||
		!strings.Contains(r.Stdout, "noip successfully created!") {
		t.Fatalf("create -p without an address: %+v", r)
	}

	before := len(w.Calls())
	r = w.Jcage("create", "-r", "14.3-RELEASE", "-n", "withip", "-p", list, "-S", "http://proxy:3128", "ip4_addr=em0|10.0.0.71/24")
	calls := strings.Join(argvs(w.Calls()[before:]), "\n")
	if !strings.Contains(calls, "jail -f ") || !strings.Contains(calls, " -r ioc-withip") {
		t.Fatalf("the jail was not started and stopped again (exit %d %s):\n%s", r.Code, r.Stderr, calls)
	}
	if jls := w.Tool("jls", "-N"); strings.Contains(jls, "ioc-withip") {
		t.Fatalf("left running:\n%s", jls)
	}
}

// list -l's TEMPLATE is the template's name whatever the jail is called
// (ioc_list.py tests the reduced name for release/stable).
func TestSystemListTemplateColumn(t *testing.T) {
	w, _ := startWorld(t)
	w.LayRelease("14.3-RELEASE")
	w.Must("create", "-r", "14.3-RELEASE", "-n", "web", "template=yes")
	w.Must("create", "-t", "web", "-n", "stable1")
	out := w.Must("list", "-l", "-h")
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Split(line, "\t"); len(f) > 8 && f[1] == "stable1" {
			if f[8] != "web" {
				t.Fatalf("TEMPLATE %q:\n%s", f[8], out)
			}
			return
		}
	}
	t.Fatalf("no stable1:\n%s", out)
}

// list -q shows DHCP for DHCP in ip4_addr too, and a corrupt jail as
// "NAME - CORRUPTED" (ioc_list.py list_all_quick).
func TestSystemListQuickDHCP(t *testing.T) {
	w, _ := startWorld(t)
	w.LayJail("dq", map[string]any{"vnet": 1, "bpf": 1, "ip4_addr": "vnet0|DHCP"})
	dir := w.LayJail("broken", nil)
	os.WriteFile(filepath.Join(dir, "config.json"), []byte("{not json"), 0o644)
	out := w.Must("list", "-q", "-h")
	if !strings.Contains(out, "dq\tDHCP\n") || !strings.Contains(out, "broken - CORRUPTED\tN/A\n") {
		t.Fatalf("list -q:\n%s", out)
	}
}
