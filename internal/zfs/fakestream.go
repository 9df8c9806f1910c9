package zfs

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// The fake's stream is one JSON line (fakeStream) and then, when the fake
// backs filesystems with directories, a tar of the snapshot's files: what
// a real stream carries, so that a send and a receive move a dataset's
// content (export and import, with their config.json) and not its name
// alone. Child datasets are not in it, as they are not in a real stream
// without -R.

// tarTree writes dir's directories, regular files and symlinks as a tar
// stream, names relative to dir, in the order filepath.Walk visits them. A
// missing dir writes an empty archive.
func tarTree(w io.Writer, dir string) error {
	tw := tar.NewWriter(w)
	if _, err := os.Lstat(dir); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	} else if err == nil {
		err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
			if err != nil || p == dir {
				return err
			}
			rel, err := filepath.Rel(dir, p)
			if err != nil {
				return err
			}
			hdr := &tar.Header{Name: filepath.ToSlash(rel), Mode: int64(fi.Mode().Perm()), ModTime: fi.ModTime()}
			switch {
			case fi.IsDir():
				hdr.Typeflag = tar.TypeDir
			case fi.Mode()&fs.ModeSymlink != 0:
				hdr.Typeflag = tar.TypeSymlink
				if hdr.Linkname, err = os.Readlink(p); err != nil {
					return err
				}
			case fi.Mode().IsRegular():
				hdr.Typeflag, hdr.Size = tar.TypeReg, fi.Size()
			default:
				return nil
			}
			if err := tw.WriteHeader(hdr); err != nil {
				return err
			}
			if hdr.Typeflag != tar.TypeReg {
				return nil
			}
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = io.CopyN(tw, f, hdr.Size)
			return err
		})
		if err != nil {
			return err
		}
	}
	return tw.Close()
}

// untarTree unpacks a tarTree stream into dir. Names must be local, and
// no entry is written through a symlink an earlier entry made: the fake
// receives whatever a test hands it.
func untarTree(r io.Reader, dir string) error {
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		name := filepath.FromSlash(hdr.Name)
		if !filepath.IsLocal(name) {
			return fmt.Errorf("entry %q leaves the dataset", hdr.Name)
		}
		if err := noSymlinkIn(dir, filepath.Dir(name)); err != nil {
			return err
		}
		p := filepath.Join(dir, name)
		mode := fs.FileMode(hdr.Mode).Perm()
		switch hdr.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(p, 0o755); err != nil {
				return err
			}
			err = os.Chmod(p, mode)
		case tar.TypeSymlink:
			if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
			err = os.Symlink(hdr.Linkname, p)
		case tar.TypeReg:
			err = writeEntry(p, tr, mode)
		}
		if err != nil {
			return err
		}
	}
}

// noSymlinkIn fails when a component of rel under dir is a symlink.
func noSymlinkIn(dir, rel string) error {
	if rel == "." {
		return nil
	}
	p := dir
	for _, c := range strings.Split(rel, string(filepath.Separator)) {
		p = filepath.Join(p, c)
		fi, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			return fmt.Errorf("entry under %s goes through a symlink", p)
		}
	}
	return nil
}

func writeEntry(p string, r io.Reader, mode fs.FileMode) error {
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(mode); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
