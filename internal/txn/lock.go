package txn

import (
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/jcage/jcage/internal/atomicfile"
	"github.com/jcage/jcage/internal/config"
)

// FileLock is an exclusive advisory lock (flock(2)) held on an existing
// file. Locks taken through separate opens exclude each other even inside
// one process, so goroutines and processes are serialised alike.
type FileLock struct {
	f    *os.File
	path string
}

// LockFile blocks until it holds an exclusive lock on the file at path and
// returns it. The file must exist.
//
// A config is locked through the config file itself rather than a lock file
// beside it: a template's dataset is readonly, so nothing new can be created
// there, and a lock file would travel into clones and exports. Because
// writers replace the file by rename, a waiter may be granted the lock on
// an inode that is no longer the file at path; LockFile detects that and
// locks the new file instead.
func LockFile(path string) (*FileLock, error) {
	for {
		f, err := atomicfile.OpenStable(path)
		if err != nil {
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if err := flockExclusive(f); err != nil {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		held, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		now, err := atomicfile.StatStable(path)
		if err == nil && os.SameFile(held, now) {
			return &FileLock{f: f, path: path}, nil
		}
		// Replaced (or removed) while we waited: the lock guards a stale
		// inode. Close releases it; try again on whatever is there now.
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
	}
}

// ReadAll returns the content of the locked file as it was when the lock
// was granted.
func (l *FileLock) ReadAll() ([]byte, error) {
	if _, err := l.f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("read %s: %w", l.path, err)
	}
	b, err := io.ReadAll(l.f)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", l.path, err)
	}
	return b, nil
}

// Load parses the locked file (see Parse).
func (l *FileLock) Load() (*config.Config, error) {
	data, err := l.ReadAll()
	if err != nil {
		return nil, err
	}
	c, err := config.Parse(data)
	if err != nil {
		return nil, config.WithPath(err, l.path)
	}
	return c, nil
}

// WriteConfig replaces the locked file with c like the package-level
// WriteConfig, and keeps the lock: the new file is locked before it
// becomes visible, so the caller stays exclusive across several writes.
func (l *FileLock) WriteConfig(c *config.Config, ro config.ReadOnlyFunc) error {
	return config.Writable(l.path, c, ro, func() error {
		return l.replace(c.Marshal(), 0o644)
	})
}

func (l *FileLock) replace(data []byte, mode fs.FileMode) error {
	if l.f == nil {
		return fmt.Errorf("write %s: lock already released", l.path)
	}
	tmp, err := atomicfile.Stage(l.path, data, mode)
	if err != nil {
		return err
	}
	f, err := os.Open(tmp)
	if err == nil {
		if err = flockExclusive(f); err != nil {
			f.Close()
		}
	}
	if err == nil {
		if err = os.Rename(tmp, l.path); err != nil {
			f.Close()
		}
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", l.path, err)
	}
	// The old inode is gone from the directory; closing it releases its
	// lock whatever funlock says, and waiters on it retry on the new file.
	old := l.f
	l.f = f
	funlock(old)
	old.Close()
	return nil
}

// Unlock releases the lock.
func (l *FileLock) Unlock() error {
	if l.f == nil {
		return nil
	}
	err := funlock(l.f)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	if err != nil {
		return fmt.Errorf("unlock %s: %w", l.path, err)
	}
	return nil
}
