package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/jcage/jcage/internal/host"
	"github.com/jcage/jcage/internal/testworld/testbin"
)

// A test-world jcage appends its own CPU time to the file RusageEnv
// names, one "USER_US SYS_US" line per run; without the variable it
// writes nothing.
func TestSystemRusageFile(t *testing.T) {
	bin, err := testbin.Get()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "rusage")
	for _, env := range [][]string{nil, {host.RusageEnv + "=" + path}, {host.RusageEnv + "=" + path}} {
		cmd := exec.Command(bin.Jcage, "--version")
		cmd.Env = append(append(os.Environ(), bin.PathVars()...), env...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^([0-9]+ [0-9]+\n){2}$`).Match(b) {
		t.Fatalf("rusage file %q", b)
	}
}
