package fbsdsim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// runUtility runs argv the way execvp(3) does for setfib and cpuset. A
// simulated tool runs in this process and is logged as its own call,
// exactly as when the shell finds the simulator's link first in PATH; this
// also keeps `setfib 1 jexec ...` working in unit tests, where PATH holds
// no simulator. Anything else is looked up in PATH and run with the
// caller's streams. env adds variables for the utility (setfib passes the
// FIB this way). The status is the utility's own, or 127 / 126 with
// prog's message when it cannot be found / run.
func (e *Env) runUtility(argv []string, env map[string]string) int {
	name := argv[0]
	if _, ok := tools[filepath.Base(name)]; ok && filepath.Base(name) != "sh" {
		parent := e.Getenv
		return Run(&Env{
			Tool:   filepath.Base(name),
			Args:   argv[1:],
			State:  e.State,
			Stdin:  e.Stdin,
			Stdout: e.Stdout,
			Stderr: e.Stderr,
			Getenv: func(k string) string {
				if v, ok := env[k]; ok {
					return v
				}
				return parent(k)
			},
		})
	}
	path, err := exec.LookPath(name)
	if err != nil {
		if errors.Is(err, os.ErrPermission) || errors.Is(err, exec.ErrNotFound) && fileExists(name) {
			return e.Errorf(126, "%s: Permission denied", name)
		}
		return e.Errorf(127, "%s: No such file or directory", name)
	}
	cmd := exec.Command(path, argv[1:]...)
	cmd.Args[0] = name
	cmd.Stdin, cmd.Stdout, cmd.Stderr = e.Stdin, e.Stdout, e.Stderr
	cmd.Env = childEnv(e, env)
	return exitStatus(cmd.Run(), func(err error) int { return e.Errorf(126, "%s: %v", name, err) })
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// childEnv is the environment of a program the simulator starts: ours,
// with the state directory pinned (a unit test's Env may name another
// one) and extra variables added.
func childEnv(e *Env, extra map[string]string) []string {
	env := append(os.Environ(), StateEnv+"="+e.State)
	for k, v := range extra {
		env = append(env, k+"="+v)
	}
	return env
}

// exitStatus maps a finished command to a shell-style status.
func exitStatus(err error, other func(error) int) int {
	if err == nil {
		return 0
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return ee.ExitCode()
	}
	return other(err)
}

// hookResult is how one host-side exec.* command ended.
type hookResult struct {
	status   int
	signal   int
	timedOut bool
	err      error // could not be started
}

// hookMetachars make jail(8) run a command through /bin/sh -c rather
// than splitting it on blanks (freebsd-interfaces.md §1.5).
const hookMetachars = "!\"$&'()*;<>?[\\]`{|}~"

// runHostCommand runs one jail(8) host-side command line. Output goes to
// out (the jail's exec.consolelog, or jail's own stdout/stderr).
func (e *Env) runHostCommand(cmdline string, out, errOut io.Writer, timeout time.Duration) hookResult {
	var argv []string
	if strings.ContainsAny(cmdline, hookMetachars) {
		argv = []string{"/bin/sh", "-c", cmdline}
	} else {
		argv = strings.Fields(cmdline)
	}
	if len(argv) == 0 {
		return hookResult{}
	}
	if _, ok := tools[filepath.Base(argv[0])]; ok {
		sub := *e
		sub.Stdout, sub.Stderr = out, errOut
		sub.Stdin = strings.NewReader("")
		sub.Tool, sub.Args = filepath.Base(argv[0]), argv[1:]
		return hookResult{status: Run(&sub)}
	}
	ctx := context.Background()
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = out, errOut
	cmd.Env = childEnv(e, nil)
	err := cmd.Run()
	if ctx.Err() == context.DeadlineExceeded {
		return hookResult{timedOut: true}
	}
	if err == nil {
		return hookResult{}
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return hookResult{signal: int(ws.Signal())}
		}
		return hookResult{status: ee.ExitCode()}
	}
	return hookResult{err: err}
}

// describe renders a failed hook the way jail(8) reports it.
func (r hookResult) failure(cmdline string) string {
	switch {
	case r.timedOut:
		return fmt.Sprintf("%s: timed out", cmdline)
	case r.signal != 0:
		return fmt.Sprintf("%s: exited on signal %d", cmdline, r.signal)
	case r.err != nil:
		return fmt.Sprintf("%s: %v", cmdline, r.err)
	case r.status != 0:
		return fmt.Sprintf("%s: failed", cmdline)
	}
	return ""
}
