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
// the host's seams and txn, then the jail store, then what acts on jails
// (lifecycle, image, maint) and release and plugin beside them, and the
// CLI on top. A new package, or a new edge, is a decision: add it here.
var allowed = map[string][]string{
	// Pure: they compute, parse and write files, and run nothing.
	"defaults":            nil,
	"internal/argv":       nil,
	"internal/atomicfile": nil,
	"internal/layout":     nil,
	"internal/lazyregexp": nil,
	"internal/revert":     nil,
	"internal/natsort":    {"internal/lazyregexp"},
	"internal/render":     {"internal/lazyregexp", "internal/natsort"},
	"internal/fstab":      {"internal/atomicfile"},
	"internal/config":     {"defaults", "internal/atomicfile", "internal/layout", "internal/lazyregexp"},
	"internal/plan":       {"internal/argv", "internal/config", "internal/fstab", "internal/layout"},

	// The host's seams: files under a jail root, commands, ZFS.
	"internal/confine": nil,
	"internal/host":    {"internal/argv"},
	"internal/zfs":     {"internal/host", "internal/layout"},
	// Locks, the crash journal and the one transaction type.
	"internal/txn": {"internal/atomicfile", "internal/config", "internal/confine", "internal/host",
		"internal/layout", "internal/zfs"},

	// The inventory: pools, the tree scan, the narrow read, the mount
	// table and jls; it reads jails into rows and takes the one
	// transaction for a change. Nothing that changes a jail lives here.
	"internal/inventory": {"defaults", "internal/argv", "internal/config", "internal/confine", "internal/host",
		"internal/layout", "internal/lazyregexp", "internal/natsort", "internal/plan", "internal/txn", "internal/zfs"},
	// The jail store: the mutations of jails and templates (create,
	// clone, destroy, rename, snapshots, fstab, properties).
	"internal/jail": {"defaults", "internal/argv", "internal/atomicfile", "internal/config", "internal/confine",
		"internal/fstab", "internal/host", "internal/inventory", "internal/layout", "internal/lazyregexp",
		"internal/plan", "internal/txn", "internal/zfs"},
	// What acts on jails. Only the CLI wires them together.
	"internal/lifecycle": {"internal/argv", "internal/atomicfile", "internal/config", "internal/confine",
		"internal/host", "internal/inventory", "internal/jail", "internal/lazyregexp", "internal/plan",
		"internal/revert", "internal/txn", "internal/zfs"},
	"internal/image": {"internal/argv", "internal/atomicfile", "internal/config", "internal/host",
		"internal/inventory", "internal/jail", "internal/layout", "internal/lazyregexp", "internal/txn", "internal/zfs"},
	"internal/maint": {"internal/argv", "internal/config", "internal/confine", "internal/fstab",
		"internal/host", "internal/inventory", "internal/jail", "internal/layout", "internal/lazyregexp", "internal/plan",
		"internal/txn", "internal/zfs"},
	// Releases: fetched and updated beside the store, never through it.
	"internal/release": {"internal/argv", "internal/atomicfile", "internal/config", "internal/confine",
		"internal/host", "internal/inventory", "internal/layout", "internal/lazyregexp", "internal/natsort",
		"internal/plan", "internal/txn", "internal/zfs"},
	"internal/plugin": {"internal/argv", "internal/confine", "internal/host", "internal/lazyregexp"},
}

// commandRunners are the packages (and standard ones) through which a
// process is started or ZFS is changed.
var commandRunners = []string{"os/exec", module + "internal/host", module + "internal/zfs", "github.com/mistifyio/go-zfs/v3"}

// pure packages compute only.
var pure = []string{"defaults", "internal/argv", "internal/atomicfile", "internal/config", "internal/fstab",
	"internal/layout", "internal/lazyregexp", "internal/natsort", "internal/plan", "internal/render", "internal/revert"}

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
		"internal/jail", "internal/inventory", "internal/txn"} {
		for _, dep := range pkgs[name].Deps {
			if dep == module+"internal/lifecycle" || dep == module+"internal/image" && name != "internal/image" {
				t.Errorf("%s depends on %s: only the CLI wires the verbs together", name, dep)
			}
		}
	}
}

// TestReleaseBesideTheStore: release (fetch, update, destroy) reaches the
// tree through the inventory and the one transaction type, and the jail
// store only through what the CLI hands it (destroy -R's DestroyJail);
// the inventory reaches neither the store nor what acts on jails.
func TestReleaseBesideTheStore(t *testing.T) {
	pkgs := goList(t)
	banned := map[string][]string{
		"internal/release":   {"internal/jail", "internal/lifecycle", "internal/image", "internal/maint"},
		"internal/inventory": {"internal/jail", "internal/lifecycle", "internal/image", "internal/maint", "internal/release"},
	}
	for name, bad := range banned {
		for _, dep := range pkgs[name].Deps {
			if slices.Contains(bad, strings.TrimPrefix(dep, module)) {
				t.Errorf("%s depends on %s", name, dep)
			}
		}
	}
}
