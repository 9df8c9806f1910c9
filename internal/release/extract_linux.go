package release

import (
	"os"

	"golang.org/x/sys/unix"
)

// pipeSize is what setPipeSize asks Linux for: a set passes through these
// pipes, and a bigger buffer means fewer wakeups of every process on them.
const pipeSize = 1 << 20

// setPipeSize enlarges a pipe's buffer; it is only a hint, and failing is
// harmless (the limit for users is /proc/sys/fs/pipe-max-size).
func setPipeSize(f *os.File) {
	if c, err := f.SyscallConn(); err == nil {
		_ = c.Control(func(fd uintptr) { _, _ = unix.FcntlInt(fd, unix.F_SETPIPE_SZ, pipeSize) })
	}
}
