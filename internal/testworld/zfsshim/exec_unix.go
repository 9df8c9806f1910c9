//go:build unix

package zfsshim

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
)

// Pass replaces the process with the real tool, so that stdin, stdout,
// stderr, signals and the exit status are the real tool's own.
func (r ExecRunner) Pass(t Tool, args []string) int {
	path := r.path(t)
	err := syscall.Exec(path, append([]string{path}, args...), realEnv())
	fmt.Fprintf(os.Stderr, "%s: cannot run real %s (%s): %v\n", t, t, path, err)
	return 127
}

func signalOf(e *exec.ExitError) int {
	if ws, ok := e.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return int(ws.Signal())
	}
	return 0
}
