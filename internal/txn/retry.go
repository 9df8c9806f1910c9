package txn

import (
	"errors"
	"io/fs"
	"os"
	"time"
)

// Writers replace config.json by rename. On FreeBSD that is atomic for
// readers; on FUSE-backed ZFS (zfs-fuse, where the system tests run) a
// lookup racing the rename can briefly miss the name. A missing file is
// therefore looked for again a few times, about 60 ms in all, before it
// counts as missing.
const missingRetries = 6

func retryMissing[T any](fn func() (T, error)) (T, error) {
	delay := 2 * time.Millisecond
	for i := 0; ; i++ {
		v, err := fn()
		if err == nil || !errors.Is(err, fs.ErrNotExist) || i == missingRetries {
			return v, err
		}
		time.Sleep(delay)
		delay *= 2
	}
}

func openStable(path string) (*os.File, error) {
	return retryMissing(func() (*os.File, error) { return os.Open(path) })
}

func readStable(path string) ([]byte, error) {
	return retryMissing(func() ([]byte, error) { return os.ReadFile(path) })
}

func statStable(path string) (os.FileInfo, error) {
	return retryMissing(func() (os.FileInfo, error) { return os.Stat(path) })
}
