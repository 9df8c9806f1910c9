package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ConfigFile is the name of a jail's config inside its directory, and
// DefaultsFile the name of the default pseudo-jail's config in IOCROOT.
const (
	ConfigFile   = "config.json"
	DefaultsFile = "defaults.json"
)

// ReadOnlyFunc switches the ZFS readonly property of the dataset holding a
// config file. ZFS access belongs to the caller, which passes one of these
// for a template (whose dataset iocage keeps readonly=on).
type ReadOnlyFunc func(readonly bool) error

// WriteConfig writes c to path in iocage's format (Marshal), atomically and
// with mode 0644. When c is a template's config and ro is not nil, the
// dataset is made writable first and readonly again afterwards, even if the
// write fails; the first error is returned.
func WriteConfig(path string, c *Config, ro ReadOnlyFunc) error {
	return Writable(path, c, ro, func() error {
		return WriteFileAtomic(path, c.Marshal(), 0o644)
	})
}

// writable runs write with the template's dataset made writable around it.
func Writable(path string, c *Config, ro ReadOnlyFunc, write func() error) (err error) {
	if ro != nil && c.Template() {
		if err := ro(false); err != nil {
			return fmt.Errorf("make %s writable: %w", filepath.Dir(path), err)
		}
		defer func() {
			if rerr := ro(true); rerr != nil && err == nil {
				err = fmt.Errorf("make %s readonly again: %w", filepath.Dir(path), rerr)
			}
		}()
	}
	return write()
}

// writeFileAtomic replaces path with data: temp file in the same directory,
// write, fsync, close, chmod, rename. A reader sees the old or the new file,
// never a mix.
func WriteFileAtomic(path string, data []byte, mode fs.FileMode) error {
	return ReplaceFile(path, data, mode, true)
}

// writeRunFile is writeFileAtomic without the fsync, for the run
// directory's files (the crash journal, jail.conf): they only need to
// outlive this process, which the page cache does, and not a reboot,
// which clears /var/run anyway.
func WriteRunFile(path string, data []byte, mode fs.FileMode) error {
	return ReplaceFile(path, data, mode, false)
}

func ReplaceFile(path string, data []byte, mode fs.FileMode, durable bool) error {
	tmp, err := StageFile(path, data, mode, durable)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// createFileExclusive writes data to path only if path does not exist yet,
// atomically: the staged file is hard-linked into place, which fails rather
// than replaces. It reports whether it created the file.
func createFileExclusive(path string, data []byte, mode fs.FileMode) (bool, error) {
	tmp, err := StageFile(path, data, mode, true)
	if err != nil {
		return false, err
	}
	defer os.Remove(tmp)
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return false, nil
		}
		return false, fmt.Errorf("create %s: %w", path, err)
	}
	return true, nil
}

func StageFile(path string, data []byte, mode fs.FileMode, durable bool) (string, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	fail := func(err error) (string, error) {
		f.Close()
		os.Remove(tmp)
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		return fail(err)
	}
	if err := f.Chmod(mode); err != nil {
		return fail(err)
	}
	if durable {
		if err := f.Sync(); err != nil {
			return fail(err)
		}
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return tmp, nil
}
