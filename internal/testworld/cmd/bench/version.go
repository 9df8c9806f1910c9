package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
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
	// As root jcage logs each command line to iocage's log; it goes to a
	// scratch file rather than /var/log/iocage.log.
	env := append(os.Environ(), "IOCAGE_LOGFILE="+filepath.Join(dir, "iocage.log"))
	var fw, gw, fc, gc []time.Duration
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
	}
	report("jcage --version", medianOf(gw), medianOf(fw), "minimal Go binary")
	report("jcage --version (CPU)", medianOf(gc), medianOf(fc), "minimal Go binary")
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
