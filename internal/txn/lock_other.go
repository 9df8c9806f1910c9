//go:build !(linux || freebsd || darwin || dragonfly || netbsd || openbsd)

package txn

import (
	"errors"
	"os"
	"runtime"
)

var errNoFlock = errors.New("file locking is not supported on " + runtime.GOOS)

func flockExclusive(*os.File) error { return errNoFlock }

func funlock(*os.File) error { return errNoFlock }

func flockTry(*os.File) (bool, error) { return false, errNoFlock }
