package plugin

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
)

// CopyOverlay copies an artifact's overlay directory over a jail root, as
// iocage's copy_tree(preserve_symlinks=True) does, but confined: every
// path under the jail root is resolved through an os.Root, so no symlink
// the jail (or the overlay) holds can lead a write out of it. A symlink
// in the overlay is written as a symlink, never followed on the host;
// files and links are made under a temporary name and renamed into
// place, so an existing symlink at the destination is replaced, not
// written through.
func CopyOverlay(overlay, jailRoot string) error {
	src, err := os.OpenRoot(overlay)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.OpenRoot(jailRoot)
	if err != nil {
		return err
	}
	defer dst.Close()
	return fs.WalkDir(src.FS(), ".", func(rel string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if rel == "." {
			return nil
		}
		info, err := src.Lstat(rel)
		if err != nil {
			return err
		}
		switch {
		case info.Mode()&fs.ModeSymlink != 0:
			target, err := src.Readlink(rel)
			if err != nil {
				return err
			}
			return placeSymlink(dst, rel, target)
		case info.IsDir():
			if err := dst.Mkdir(rel, info.Mode().Perm()); err != nil && !errors.Is(err, fs.ErrExist) {
				return fmt.Errorf("overlay %s: %w", rel, err)
			}
			st, err := dst.Lstat(rel)
			if err != nil {
				return fmt.Errorf("overlay %s: %w", rel, err)
			}
			if !st.IsDir() {
				return fmt.Errorf("overlay %s: the jail has a non-directory there", rel)
			}
			return nil
		case info.Mode().IsRegular():
			f, err := src.OpenFile(rel, os.O_RDONLY, 0)
			if err != nil {
				return err
			}
			defer f.Close()
			return WriteFileIn(dst, rel, f, info.Mode().Perm())
		default:
			return fmt.Errorf("overlay %s: not a file, directory or symlink", rel)
		}
	})
}

var tmpSeq atomic.Int64

func tmpName(rel string) string {
	return path.Join(path.Dir(filepath.ToSlash(rel)), ".jcage-"+strconv.Itoa(os.Getpid())+"-"+strconv.FormatInt(tmpSeq.Add(1), 10))
}

// WriteFileIn writes r to rel inside root: a temporary file beside it,
// then a rename, so whatever the jail left at rel (a symlink to the
// host's /etc, say) is replaced, never written through.
func WriteFileIn(root *os.Root, rel string, r io.Reader, mode fs.FileMode) error {
	tmp := tmpName(rel)
	f, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return fmt.Errorf("write %s: %w", rel, err)
	}
	_, err = io.Copy(f, r)
	if err == nil {
		err = f.Chmod(mode)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = root.Rename(tmp, rel)
	}
	if err != nil {
		root.Remove(tmp)
		return fmt.Errorf("write %s: %w", rel, err)
	}
	return nil
}

func placeSymlink(root *os.Root, rel, target string) error {
	tmp := tmpName(rel)
	if err := root.Symlink(target, tmp); err != nil {
		return fmt.Errorf("overlay %s: %w", rel, err)
	}
	if st, err := root.Lstat(rel); err == nil && st.IsDir() {
		root.Remove(tmp)
		return fmt.Errorf("overlay %s: the jail has a directory there", rel)
	}
	if err := root.Rename(tmp, rel); err != nil {
		root.Remove(tmp)
		return fmt.Errorf("overlay %s: %w", rel, err)
	}
	return nil
}

// MkdirAllIn makes dir (a path inside the jail) and its parents under
// root, confined.
func MkdirAllIn(root *os.Root, dir string, mode fs.FileMode) error {
	rel := strings.TrimPrefix(path.Clean("/"+dir), "/")
	if rel == "" {
		return nil
	}
	return root.MkdirAll(rel, mode)
}

// InJail turns a path as seen inside the jail into one relative to its
// root, for an os.Root.
func InJail(p string) string {
	rel := strings.TrimPrefix(path.Clean("/"+p), "/")
	if rel == "" {
		return "."
	}
	return rel
}

// CopyTree copies a local artifact directory (a file:// artifact) into
// dest, keeping symlinks as symlinks.
func CopyTree(src, dest string) error {
	if err := os.MkdirAll(dest, 0o755); err != nil {
		return err
	}
	return CopyOverlay(src, dest)
}
