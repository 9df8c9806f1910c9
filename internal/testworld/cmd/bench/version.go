package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/jcage/jcage/internal/testworld/testbin"
)

// benchVersion compares `jcage --version` with the smallest Go program,
// `package main; func main(){}`, built in the same run with the same
// linker flags and cgo setting as the test world's jcage: what any static
// Go binary costs to start, so that the ratio is what jcage adds (its
// package initialisation and its command-line set-up). The two alternate;
// wall time and the process's CPU time (user+sys, from wait4) are both
// reported.
func benchVersion(b *bencher) error {
	dir, err := os.MkdirTemp("", "jcage-bench-min-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	minimal := filepath.Join(dir, "minimal")
	if err := buildMinimal(dir, minimal, b.ldflags); err != nil {
		return err
	}
	depsOnly := filepath.Join(dir, "deps-only")
	if err := buildDepsOnly(depsOnly, b.ldflags); err != nil {
		return err
	}
	// As root jcage logs each command line to iocage's log; it goes to a
	// scratch file rather than /var/log/iocage.log.
	env := append(os.Environ(), "IOCAGE_LOGFILE="+filepath.Join(dir, "iocage.log"))
	var fw, gw, dw, fc, gc []time.Duration
	for i := 0; i < b.n; i++ {
		w, c, err := timedCPU(env, minimal)
		if err != nil {
			return err
		}
		fw, fc = append(fw, w), append(fc, c)
		if w, c, err = timedCPU(env, b.bin.Jcage, "--version"); err != nil {
			return err
		}
		gw, gc = append(gw, w), append(gc, c)
		if w, _, err = timedCPU(env, depsOnly); err != nil {
			return err
		}
		dw = append(dw, w)
	}
	report("jcage --version", medianOf(gw), medianOf(fw), "minimal Go binary")
	report("jcage --version (CPU)", medianOf(gc), medianOf(fc), "minimal Go binary")
	// What linking jcage's dependencies costs before any code of its own:
	// the part of the ratio jcage's packages cannot remove.
	report("dependencies only", medianOf(dw), medianOf(fw), "minimal Go binary")
	return nil
}

// buildDepsOnly builds, inside jcage's module (so its go.mod chooses the
// versions), a main that imports every package outside the module that
// jcage's own packages import, and nothing else, with jcage's tags and
// linker flags: their initialisation is what any jcage pays to start.
func buildDepsOnly(out, ldflags string) error {
	root, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		return fmt.Errorf("find the module: %v", err)
	}
	mod := strings.TrimSpace(string(root))
	list := exec.Command("go", "list", "-tags", testbin.Tags, "-deps", "-f",
		`{{if not .Standard}}{{.ImportPath}}{{range .Imports}} {{.}}{{end}}{{end}}`, "./cmd/jcage")
	list.Dir = mod
	lines, err := list.Output()
	if err != nil {
		return fmt.Errorf("list jcage's imports: %v", err)
	}
	const self = "github.com/jcage/jcage"
	seen := map[string]bool{}
	var imports []string
	for line := range strings.Lines(string(lines)) {
		f := strings.Fields(line)
		if len(f) == 0 || !strings.HasPrefix(f[0], self) {
			continue // only what the module's own packages import
		}
		for _, imp := range f[1:] {
			if strings.HasPrefix(imp, self) || strings.HasPrefix(imp, "internal/") || strings.Contains(imp, "/internal/") ||
				strings.HasPrefix(imp, "vendor/") || imp == "C" || seen[imp] {
				continue
			}
			seen[imp] = true
			imports = append(imports, imp)
		}
	}
	slices.Sort(imports)
	var src strings.Builder
	src.WriteString("package main\n\nimport (\n")
	for _, imp := range imports {
		fmt.Fprintf(&src, "\t_ %q\n", imp)
	}
	src.WriteString(")\n\nfunc main() {}\n")
	dir, err := os.MkdirTemp(filepath.Join(mod, "internal", "testworld"), ".deps-only-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(src.String()), 0o644); err != nil {
		return err
	}
	cmd := exec.Command("go", "build", "-tags", testbin.Tags, "-ldflags", ldflags, "-o", out, "./"+filepath.Base(dir))
	cmd.Dir = filepath.Dir(dir)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=")
	if o, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("build the dependencies-only binary: %v: %s", err, o)
	}
	return nil
}

// buildMinimal builds `package main; func main(){}` as out, with ldflags
// and without cgo, as the Makefile builds jcage.
func buildMinimal(dir, out, ldflags string) error {
	src := filepath.Join(dir, "src")
	if err := os.MkdirAll(src, 0o755); err != nil {
		return err
	}
	for name, body := range map[string]string{
		"go.mod":  "module minimal\n",
		"main.go": "package main\n\nfunc main() {}\n",
	} {
		if err := os.WriteFile(filepath.Join(src, name), []byte(body), 0o644); err != nil {
			return err
		}
	}
	cmd := exec.Command("go", "build", "-ldflags", ldflags, "-o", out, ".")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=")
	if o, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("build the minimal Go binary: %v: %s", err, o)
	}
	return nil
}

// timedCPU runs a program and returns its wall time and its CPU time.
func timedCPU(env []string, name string, args ...string) (time.Duration, time.Duration, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = env
	start := time.Now()
	out, err := cmd.CombinedOutput()
	wall := time.Since(start)
	if err != nil {
		return 0, 0, fmt.Errorf("%s: %v: %s", filepath.Base(name), err, out)
	}
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if ru == nil {
		return wall, 0, nil
	}
	return wall, time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), nil
}
