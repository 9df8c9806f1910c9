package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"time"
)

// Writers replace config.json by rename, which FreeBSD makes atomic for
// readers. zfs-fuse, the ZFS of the Linux test world (jcage runs on Linux
// nowhere else), is not: a lookup racing the rename can briefly miss the
// name (see internal/testworld/zfsshim). Only this build therefore looks
// again for a missing file, a few times over about 126 ms, before it
// counts as missing; retry_other.go, what FreeBSD runs, opens once.
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

// OpenStable opens path, looking again while zfs-fuse hides a file being
// replaced.
func OpenStable(path string) (*os.File, error) {
	return retryMissing(func() (*os.File, error) { return os.Open(path) })
}

// ReadStable reads path, looking again while zfs-fuse hides a file being
// replaced.
func ReadStable(path string) ([]byte, error) {
	return retryMissing(func() ([]byte, error) { return os.ReadFile(path) })
}

// StatStable stats path, looking again while zfs-fuse hides a file being
// replaced.
func StatStable(path string) (os.FileInfo, error) {
	return retryMissing(func() (os.FileInfo, error) { return os.Stat(path) })
}
