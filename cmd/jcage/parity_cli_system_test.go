package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// --version prints iocage's "Version\tN", and root's commands append to
// iocage's log: the command line, each output line as INFO, each error
// line as ERROR (iocage_cli/__init__.py print_version, IOCLogger).
func TestSystemVersionAndLog(t *testing.T) {
	w, _ := startWorld(t)
	if out := w.Must("--version"); !regexp.MustCompile(`^Version\t\S+\n$`).MatchString(out) {
		t.Fatalf("--version: %q", out)
	}
	layStartable(t, w, "logged", nil)
	w.Must("start", "logged")
	w.Jcage("start", "logged")
	w.Must("stop", "logged")
	var path string
	for _, kv := range w.Env {
		if v, ok := strings.CutPrefix(kv, "IOCAGE_LOGFILE="); ok {
			path = v
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	log := string(b)
	stamp := `\d{4}/\d\d/\d\d \d\d:\d\d:\d\d `
	for _, want := range []string{
		stamp + `\(INFO\) \S*jcage start logged\n`,
		stamp + `\(INFO\) \* Starting logged\n`,
		stamp + `\(INFO\)   \+ Started OK\n`,
		stamp + `\(ERROR\) logged is already running!\n`,
		stamp + `\(INFO\) \* Stopping logged\n`,
	} {
		if !regexp.MustCompile(want).MatchString(log) {
			t.Fatalf("no %q in the log:\n%s", want, log)
		}
	}
}

// start -i and stop -i report a failure and exit 0.
func TestSystemStartStopIgnore(t *testing.T) {
	w, _ := startWorld(t)
	layStartable(t, w, "bad", map[string]any{"exec_prestart": "exit 3"})
	if r := w.Jcage("start", "-i", "bad"); r.Code != 0 || !strings.Contains(r.Stderr, "Refusing to start bad: exec_prestart failed") {
		t.Fatalf("start -i: %+v", r)
	}
	if r := w.Jcage("start", "bad"); r.Code != 1 {
		t.Fatalf("start without -i: %+v", r)
	}
	if r := w.Jcage("stop", "--ignore", "bad"); r.Code != 0 || !strings.Contains(r.Stderr, "bad is not running!") {
		t.Fatalf("stop -i: %+v", r)
	}
}
