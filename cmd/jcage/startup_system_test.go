package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
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

// As iocage, whose --version exits from click's option callback before
// the log is opened, a bare --version leaves iocage's log alone, even as
// root; any other command line is logged.
func TestSystemVersionLogsNothing(t *testing.T) {
	bin, err := testbin.Get()
	if err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() != 0 {
		t.Fatal("this test runs as root, as make test does")
	}
	path := filepath.Join(t.TempDir(), "iocage.log")
	run := func(args ...string) {
		cmd := exec.Command(bin.Jcage, args...)
		cmd.Env = append(append(os.Environ(), bin.PathVars()...), "IOCAGE_LOGFILE="+path)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v: %v: %s", args, err, out)
		}
	}
	run("--version")
	run("-v")
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("--version touched the log: %v", err)
	}
	run("--help")
	if b, err := os.ReadFile(path); err != nil || !strings.Contains(string(b), "(INFO) "+bin.Jcage+" --help\n") {
		t.Fatalf("--help not logged: %q %v", b, err)
	}
}
