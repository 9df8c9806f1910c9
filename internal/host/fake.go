package host

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
)

// Recorder is a Runner for unit tests: it records every command and answers
// from canned responses instead of running anything.
type Recorder struct {
	mu    sync.Mutex
	calls []Cmd
	// Respond, when set, answers each call. Returning a nil error with
	// output writes that output to c.Stdout (or returns it).
	Respond func(c Cmd) (stdout string, err error)
	resp    []canned
}

type canned struct {
	prefix []string
	stdout string
	err    error
}

var _ Runner = (*Recorder)(nil)

// On answers commands whose argv starts with prefix (program name first).
// Later registrations win over earlier ones.
func (r *Recorder) On(prefix []string, stdout string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.resp = append(r.resp, canned{prefix, stdout, err})
}

// Fail makes commands starting with prefix exit with code and stderr.
func (r *Recorder) Fail(prefix []string, code int, stderr string) {
	r.On(prefix, "", &RunError{Argv: prefix, Stderr: stderr, ExitCode: code, Err: fmt.Errorf("exit status %d", code)})
}

// Run implements Runner.
func (r *Recorder) Run(ctx context.Context, c Cmd) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, &RunError{Argv: c.Argv(), ExitCode: -1, Err: err}
	}
	r.mu.Lock()
	r.calls = append(r.calls, c)
	out, err, found := "", error(nil), false
	for i := len(r.resp) - 1; i >= 0; i-- {
		if hasPrefix(c.Argv(), r.resp[i].prefix) {
			out, err, found = r.resp[i].stdout, r.resp[i].err, true
			break
		}
	}
	respond := r.Respond
	r.mu.Unlock()
	if !found && respond != nil {
		out, err = respond(c)
	}
	if err != nil {
		var re *RunError
		if errors.As(err, &re) {
			cp := *re
			cp.Argv = c.Argv()
			err = &cp
		}
		return nil, err
	}
	if c.Stdin != nil {
		_, _ = io.Copy(io.Discard, c.Stdin)
	}
	if c.Stdout != nil {
		_, werr := io.WriteString(c.Stdout, out)
		return nil, werr
	}
	return []byte(out), nil
}

// Calls returns the commands run so far.
func (r *Recorder) Calls() []Cmd {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Cmd(nil), r.calls...)
}

// Lines returns each recorded command line as one string, for compact
// assertions.
func (r *Recorder) Lines() []string {
	var out []string
	for _, c := range r.Calls() {
		out = append(out, c.String())
	}
	return out
}

func hasPrefix(argv, prefix []string) bool {
	if len(prefix) > len(argv) {
		return false
	}
	for i, p := range prefix {
		if argv[i] != p && !(strings.HasSuffix(p, "*") && strings.HasPrefix(argv[i], strings.TrimSuffix(p, "*"))) {
			return false
		}
	}
	return true
}
