package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// iocageLog reads the world's iocage.log.
func iocageLogOf(t *testing.T, env []string) string {
	t.Helper()
	for _, kv := range env {
		if path, ok := strings.CutPrefix(kv, "IOCAGE_LOGFILE="); ok {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
	}
	t.Fatal("no IOCAGE_LOGFILE in the world's environment")
	return ""
}

// Each message reaches iocage's log at the level iocage's logit gives it:
// a jail of ALL already up is a WARNING (iocage.py __all__), the same
// words as the one jail named are the command's ERROR, the question's
// warning is a WARNING and click's prompt is not logged, -D's trace is
// DEBUG.
func TestSystemLogLevels(t *testing.T) {
	w, _ := startWorld(t)
	layStartable(t, w, "up", nil)
	layStartable(t, w, "down", nil)
	w.Must("start", "up")
	defer w.Jcage("stop", "ALL")
	w.Must("start", "ALL")
	w.Jcage("start", "up")
	if r := w.JcageIn("n\n", "destroy", "down"); r.Code != 0 || !strings.Contains(r.Stdout, "Are you sure? [y/N]: ") {
		t.Fatalf("destroy answered no: %+v", r)
	}
	w.Must("-D", "get", "state", "up")
	log := iocageLogOf(t, w.Env)
	stamp := `(?m)^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d `
	for _, want := range []string{
		stamp + `\(WARNING\) up is already running!$`,
		stamp + `\(ERROR\) up is already running!$`,
		stamp + `\(INFO\) \* Starting down$`,
		stamp + `\(WARNING\) This will destroy jail down$`,
		stamp + `\(DEBUG\) \+ \S*zfs `,
		stamp + `\(INFO\) up$`,
	} {
		if !regexp.MustCompile(want).MatchString(log) {
			t.Errorf("no %q in the log:\n%s", want, log)
		}
	}
	if strings.Contains(log, "Are you sure") {
		t.Errorf("the question was logged:\n%s", log)
	}
}
