package zfsshim

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// ExecRunner runs the real tools from absolute paths.
type ExecRunner struct {
	ZFS   string
	Zpool string
}

func (r ExecRunner) path(t Tool) string {
	if t == Zpool {
		return r.Zpool
	}
	return r.ZFS
}

// realEnv is the process environment with PATH replaced by SystemPath.
func realEnv() []string {
	env := os.Environ()
	out := make([]string, 0, len(env)+1)
	for _, kv := range env {
		if !strings.HasPrefix(kv, "PATH=") {
			out = append(out, kv)
		}
	}
	return append(out, "PATH="+SystemPath)
}

// Run runs the tool and captures its output.
func (r ExecRunner) Run(t Tool, args []string) Result {
	cmd := exec.Command(r.path(t), args...)
	cmd.Env = realEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := Result{Stdout: stdout.Bytes(), Stderr: stderr.Bytes()}
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		res.Code = exit.ExitCode()
		if res.Code < 0 {
			// Killed by a signal (zfs-fuse aborts on unsupported
			// operations); report it as a shell would.
			res.Code = 128 + signalOf(exit)
		}
	default:
		res.Stderr = append(res.Stderr, fmt.Sprintf("%s: cannot run real %s (%s): %v\n", t, t, r.path(t), err)...)
		res.Code = 127
	}
	return res
}

// runAttached runs the tool on the caller's own streams.
func (r ExecRunner) runAttached(t Tool, args []string) int {
	cmd := exec.Command(r.path(t), args...)
	cmd.Env = realEnv()
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit):
		if exit.ExitCode() < 0 {
			return 128 + signalOf(exit)
		}
		return exit.ExitCode()
	}
	fmt.Fprintf(os.Stderr, "%s: cannot run real %s (%s): %v\n", t, t, r.path(t), err)
	return 127
}
