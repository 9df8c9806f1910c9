//go:build !linux

package txn

import "os"

// A rename is atomic for readers here: a missing file is missing. (The
// Linux test world's zfs-fuse needs retry_linux.go.)

func openStable(path string) (*os.File, error) { return os.Open(path) }

func readStable(path string) ([]byte, error) { return os.ReadFile(path) }

func statStable(path string) (os.FileInfo, error) { return os.Stat(path) }
