package codecheck

import (
	"encoding/json"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/jcage/jcage/"

// allowed is every internal package's permitted direct imports inside the
// module. Dependencies point one way: pure packages at the bottom, then
// txn and inventory, then the jail store, then what acts on jails
// (lifecycle, image, maint), with release and plugin beside them, and the
// CLI on top. A new package, or a new edge, is a decision: add it here.
var allowed = map[string][]string{
	// Pure: they compute and parse, and run nothing.
	"defaults":        nil,
	"internal/config": {"defaults"},
	"internal/fstab":  nil,
	"internal/render": nil,
	"internal/revert": nil,
	"internal/argv":   {"internal/config"},
	"internal/plan":   {"internal/argv", "internal/config", "internal/fstab"},

	// The host: files under a root, commands, ZFS.
	"internal/confine": nil,
	"internal/host":    {"internal/argv"},
	"internal/zfs":     {"internal/host", "internal/argv"},
	"internal/txn":     {"internal/config", "internal/revert", "internal/host"},

	// What is there: pools, the tree, jails' configs, the mount table.
	"internal/inventory": {"defaults", "internal/argv", "internal/config", "internal/confine", "internal/fstab",
		"internal/host", "internal/txn", "internal/zfs"},
	// The jail store and its mutations: create, clone, destroy, rename,
	// snapshots, fstab, properties.
	"internal/jail": {"defaults", "internal/argv", "internal/config", "internal/confine", "internal/fstab",
		"internal/host", "internal/inventory", "internal/revert", "internal/txn", "internal/zfs"},
	"internal/lifecycle": {"internal/argv", "internal/config", "internal/confine", "internal/fstab", "internal/host",
		"internal/inventory", "internal/jail", "internal/plan", "internal/revert", "internal/txn", "internal/zfs"},
	"internal/image": {"internal/argv", "internal/config", "internal/confine", "internal/host", "internal/inventory",
		"internal/jail", "internal/revert", "internal/txn", "internal/zfs"},
	"internal/release": {"internal/argv", "internal/config", "internal/confine", "internal/host", "internal/inventory",
		"internal/revert", "internal/txn", "internal/zfs"},
	"internal/maint": {"internal/argv", "internal/config", "internal/confine", "internal/host", "internal/inventory",
		"internal/jail", "internal/release", "internal/revert", "internal/txn", "internal/zfs"},
	"internal/plugin": {"internal/argv", "internal/config", "internal/confine", "internal/host", "internal/revert",
		"internal/txn"},
}

// commandRunners are the packages (and standard ones) through which a
// process is started or ZFS is changed.
var commandRunners = []string{"os/exec", module + "internal/host", module + "internal/zfs", "github.com/mistifyio/go-zfs/v3"}

// pure packages compute only.
var pure = []string{"defaults", "internal/config", "internal/fstab", "internal/render", "internal/revert",
	"internal/argv", "internal/plan"}

type listed struct {
	ImportPath string
	Imports    []string
	Deps       []string
}

func goList(t *testing.T) map[string]listed {
	t.Helper()
	cmd := exec.Command("go", "list", "-json=ImportPath,Imports,Deps", module+"...")
	cmd.Dir = ".."
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pkgs := map[string]listed{}
	dec := json.NewDecoder(out)
	for {
		var p listed
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs[strings.TrimPrefix(p.ImportPath, module)] = p
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("go list: %v", err)
	}
	return pkgs
}

func internalOnly(paths []string) []string {
	var r []string
	for _, p := range paths {
		if strings.HasPrefix(p, module) {
			r = append(r, strings.TrimPrefix(p, module))
		}
	}
	return r
}

func TestImportGraph(t *testing.T) {
	pkgs := goList(t)
	for name, p := range pkgs {
		if !strings.HasPrefix(name, "internal/") || strings.HasPrefix(name, "internal/testworld") ||
			strings.HasPrefix(name, "internal/codecheck") || name == "internal/zfs/zfstest" {
			continue
		}
		ok, known := allowed[name]
		if !known {
			t.Errorf("%s is not in the import graph: add it to allowed with the packages it may import", name)
			continue
		}
		for _, imp := range internalOnly(p.Imports) {
			if !slices.Contains(ok, imp) {
				t.Errorf("%s imports %s, which the graph does not allow", name, imp)
			}
		}
	}
	for name := range allowed {
		if _, ok := pkgs[name]; !ok {
			t.Errorf("%s is in the graph but not in the module", name)
		}
	}
}

func TestPurePackagesRunNothing(t *testing.T) {
	pkgs := goList(t)
	for _, name := range pure {
		for _, dep := range pkgs[name].Deps {
			if slices.Contains(commandRunners, dep) {
				t.Errorf("%s depends on %s: a pure package must not reach anything that runs commands", name, dep)
			}
		}
	}
}

func TestNothingActingOnJailsReachesLifecycle(t *testing.T) {
	pkgs := goList(t)
	for _, name := range []string{"internal/release", "internal/plugin", "internal/image", "internal/maint",
		"internal/inventory", "internal/jail", "internal/txn"} {
		if slices.Contains(pkgs[name].Deps, module+"internal/lifecycle") {
			t.Errorf("%s depends on internal/lifecycle", name)
		}
	}
	if slices.Contains(pkgs["internal/release"].Deps, module+"internal/jail") {
		t.Errorf("internal/release depends on internal/jail: it may use txn, config and inventory only")
	}
}
