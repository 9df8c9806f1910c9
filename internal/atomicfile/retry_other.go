//go:build !linux

package atomicfile

import "os"

// A rename is atomic for readers here: a missing file is missing. (The
// Linux test world's zfs-fuse needs retry_linux.go.)

// OpenStable opens path.
func OpenStable(path string) (*os.File, error) { return os.Open(path) }

// ReadStable reads path.
func ReadStable(path string) ([]byte, error) { return os.ReadFile(path) }

// StatStable stats path.
func StatStable(path string) (os.FileInfo, error) { return os.Stat(path) }
