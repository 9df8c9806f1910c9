package fbsdsim

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// kSim is a fresh simulated host for one test: its own state directory
// and settings.
type kSim struct {
	t     *testing.T
	state string
	env   map[string]string
	stdin string
}

type kResult struct {
	code           int
	stdout, stderr string
}

func newKSim(t *testing.T) *kSim {
	t.Helper()
	return &kSim{t: t, state: t.TempDir(), env: map[string]string{}}
}

func (s *kSim) run(tool string, args ...string) kResult {
	s.t.Helper()
	var out, errb bytes.Buffer
	code := Run(&Env{
		Tool:   tool,
		Args:   args,
		State:  s.state,
		Stdin:  strings.NewReader(s.stdin),
		Stdout: &out,
		Stderr: &errb,
		Getenv: func(k string) string { return s.env[k] },
	})
	return kResult{code, out.String(), errb.String()}
}

// ok runs a call that must succeed and returns its stdout.
func (s *kSim) ok(tool string, args ...string) string {
	s.t.Helper()
	r := s.run(tool, args...)
	if r.code != 0 {
		s.t.Fatalf("%s %s: exit %d, stderr %q, stdout %q", tool, strings.Join(args, " "), r.code, r.stderr, r.stdout)
	}
	return r.stdout
}

// fails runs a call that must fail with code and print wantErr on stderr.
func (s *kSim) fails(code int, wantErr string, tool string, args ...string) kResult {
	s.t.Helper()
	r := s.run(tool, args...)
	if r.code != code || (wantErr != "" && !strings.Contains(r.stderr, wantErr)) {
		s.t.Fatalf("%s %s: got exit %d stderr %q stdout %q; want exit %d with %q",
			tool, strings.Join(args, " "), r.code, r.stderr, r.stdout, code, wantErr)
	}
	return r
}

// dir makes a directory under a temp root and returns its path.
func (s *kSim) dir(parts ...string) string {
	s.t.Helper()
	p := filepath.Join(append([]string{s.state, "fs"}, parts...)...)
	if err := os.MkdirAll(p, 0o755); err != nil {
		s.t.Fatal(err)
	}
	return p
}

func (s *kSim) file(path, content string) string {
	s.t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		s.t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		s.t.Fatal(err)
	}
	return path
}

func (s *kSim) world() *simWorld {
	s.t.Helper()
	e := &Env{State: s.state, Getenv: func(k string) string { return s.env[k] }}
	w, err := e.loadWorld()
	if err != nil {
		s.t.Fatal(err)
	}
	return w
}

// lastCall returns the last logged call's argv.
func (s *kSim) lastCall() []string {
	s.t.Helper()
	calls, err := ReadCalls(s.state)
	if err != nil || len(calls) == 0 {
		s.t.Fatalf("call log: %v (%d calls)", err, len(calls))
	}
	return calls[len(calls)-1].Argv
}

func (s *kSim) assertLogged(argv ...string) {
	s.t.Helper()
	got := s.lastCall()
	if strings.Join(got, "\x00") != strings.Join(argv, "\x00") {
		s.t.Fatalf("last logged call = %q, want %q", got, argv)
	}
}

func wantEq(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Fatalf("%s:\ngot:\n%s\nwant:\n%s", what, got, want)
	}
}
