package host

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func writeTool(t *testing.T, dir, name, script string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"+script+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
}

func TestExecResolvesThroughPath(t *testing.T) {
	dir := t.TempDir()
	writeTool(t, dir, "jls", `echo "fake jls $*"`)
	out, err := Exec{Path: dir + ":/bin:/usr/bin"}.Run(context.Background(), Cmd{Name: "jls", Args: []string{"-q", "name"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := string(out); got != "fake jls -q name\n" {
		t.Fatalf("stdout = %q", got)
	}
}

func TestExecErrorKeepsArgvAndStderr(t *testing.T) {
	dir := t.TempDir()
	writeTool(t, dir, "jail", `echo "jail: \"x\" already exists" >&2; exit 1`)
	_, err := Exec{Path: dir}.Run(context.Background(), Cmd{Name: "jail", Args: []string{"-c", "name=x"}})
	var re *RunError
	if !errors.As(err, &re) {
		t.Fatalf("err = %T %v, want *RunError", err, err)
	}
	if strings.Join(re.Argv, " ") != "jail -c name=x" || re.ExitCode != 1 || !strings.Contains(re.Stderr, "already exists") {
		t.Fatalf("RunError = %+v", re)
	}
	if want := `jail -c name=x: jail: "x" already exists`; err.Error() != want {
		t.Fatalf("Error() = %q, want %q", err.Error(), want)
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("error does not unwrap to *exec.ExitError")
	}
}

func TestExecMissingProgram(t *testing.T) {
	_, err := Exec{Path: t.TempDir()}.Run(context.Background(), Cmd{Name: "no-such-tool"})
	if !errors.Is(err, exec.ErrNotFound) || ExitCodeOf(err) != -1 {
		t.Fatalf("err = %v", err)
	}
}

func TestDefaultPathWhenEmpty(t *testing.T) {
	t.Setenv("PATH", "")
	if got := (Exec{}).SearchPath(); got != DefaultPath {
		t.Fatalf("SearchPath = %q", got)
	}
	// sh lives in /bin on every system jcage runs on.
	if _, err := (Exec{}).Run(context.Background(), Cmd{Name: "sh", Args: []string{"-c", "true"}}); err != nil {
		t.Fatal(err)
	}
}

func TestRecorder(t *testing.T) {
	r := &Recorder{}
	r.On([]string{"jls", "--libxo"}, `{"jail-information":{"jail":[]}}`, nil)
	r.Fail([]string{"jail", "-r"}, 1, "jail: x: not found")
	out, err := r.Run(context.Background(), Cmd{Name: "jls", Args: []string{"--libxo", "json"}})
	if err != nil || !strings.Contains(string(out), "jail-information") {
		t.Fatalf("out=%q err=%v", out, err)
	}
	_, err = r.Run(context.Background(), Cmd{Name: "jail", Args: []string{"-r", "ioc-x"}})
	if ExitCodeOf(err) != 1 || !strings.Contains(err.Error(), "jail -r ioc-x") {
		t.Fatalf("err = %v", err)
	}
	if got := strings.Join(r.Lines(), ";"); got != "jls --libxo json;jail -r ioc-x" {
		t.Fatalf("lines = %q", got)
	}
}

func TestCleanEnvironment(t *testing.T) {
	t.Setenv("JCAGE_TEST_SECRET", "agent-socket")
	x := Exec{Path: "/usr/bin:/bin"}
	out, err := x.Run(context.Background(), Cmd{Name: "env", Clean: true, Env: []string{"HOME=/"}})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Fields(string(out))
	slices.Sort(got)
	if strings.Join(got, " ") != "HOME=/ PATH=/usr/bin:/bin" {
		t.Fatalf("clean environment %q", got)
	}
	out, _ = x.Run(context.Background(), Cmd{Name: "env"})
	if !strings.Contains(string(out), "JCAGE_TEST_SECRET=agent-socket") {
		t.Fatal("the inherited environment is gone without Clean")
	}
}

// cron's PATH=/usr/bin:/bin (or any caller's PATH) neither finds nor
// reaches the programs jcage runs: lookups and children use DefaultPath.
func TestExecIgnoresCallerPath(t *testing.T) {
	t.Setenv("PATH", "/nonexistent")
	out, err := Exec{}.Run(context.Background(), Cmd{Name: "sh", Args: []string{"-c", `printf %s "$PATH"`}})
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != DefaultPath {
		t.Fatalf("child PATH %q, want %q", out, DefaultPath)
	}
	if SystemPath() != DefaultPath {
		t.Fatalf("SystemPath %q in a release build", SystemPath())
	}
}
