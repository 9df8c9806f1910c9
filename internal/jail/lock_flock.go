//go:build linux || freebsd || darwin || dragonfly || netbsd || openbsd

package jail

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

func flockExclusive(f *os.File) error {
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX)
		if !errors.Is(err, unix.EINTR) {
			return err
		}
	}
}

func funlock(f *os.File) error {
	return unix.Flock(int(f.Fd()), unix.LOCK_UN)
}
