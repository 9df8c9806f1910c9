// Package atomicfile replaces files so that a reader sees the old content
// or the new, never a mix, and a crash leaves one of the two: the data goes
// to a hidden temporary file in the same directory, which is written,
// synced, closed and then renamed over the target, each error checked
// (runj's state.Save, with its rename checked).
//
// It is for files on the host. A file under a jail root is written through
// internal/confine, which owns the confined join.
package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Write replaces path with data, mode mode, durably: the new content is on
// disk before the rename makes it visible. Renaming replaces a symlink at
// path; it never follows it.
func Write(path string, data []byte, mode fs.FileMode) error {
	return replace(path, data, mode, true)
}

// WriteNoSync is Write without the fsync, for files that only need to
// outlive the process and not a reboot (the run directory's files, which a
// reboot clears anyway): the page cache keeps them.
func WriteNoSync(path string, data []byte, mode fs.FileMode) error {
	return replace(path, data, mode, false)
}

// Create writes data to path only if path does not exist yet, atomically:
// the staged file is hard-linked into place, which fails rather than
// replaces. It reports whether it created the file.
func Create(path string, data []byte, mode fs.FileMode) (bool, error) {
	tmp, err := Stage(path, data, mode)
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

// Stage writes data durably to a new hidden file beside path and returns
// its name, for a caller that moves it into place itself (after taking a
// lock on it, say). The caller removes it if it does not.
func Stage(path string, data []byte, mode fs.FileMode) (string, error) {
	return stage(path, data, mode, true)
}

func replace(path string, data []byte, mode fs.FileMode, durable bool) error {
	tmp, err := stage(path, data, mode, durable)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func stage(path string, data []byte, mode fs.FileMode, durable bool) (string, error) {
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
