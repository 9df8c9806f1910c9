package plugin

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"

	"github.com/jcage/jcage/internal/confine"
)

// CopyOverlay copies an artifact's overlay directory over a jail root, as
// iocage's copy_tree(preserve_symlinks=True) does, but confined: every
// path under the jail root goes through internal/confine, so no symlink
// the jail holds is followed, and a symlink in the overlay is written as
// a symlink, never followed on the host. Files and links are made under a
// temporary name and renamed into place, so an existing symlink at the
// destination is replaced, not written through.
func CopyOverlay(overlay, jailRoot string) error {
	src, err := os.OpenRoot(overlay)
	if err != nil {
		return err
	}
	defer src.Close()
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
			if err := confine.ReplaceSymlink(target, jailRoot, rel); err != nil {
				return fmt.Errorf("overlay %s: %w", rel, err)
			}
			return nil
		case info.IsDir():
			if err := confine.MkdirAll(jailRoot, rel, info.Mode().Perm()); err != nil {
				return fmt.Errorf("overlay %s: %w", rel, err)
			}
			return nil
		case info.Mode().IsRegular():
			data, err := src.ReadFile(rel)
			if err != nil {
				return err
			}
			if err := confine.WriteFile(jailRoot, rel, data, info.Mode().Perm()); err != nil {
				return fmt.Errorf("overlay %s: %w", rel, err)
			}
			return nil
		default:
			return fmt.Errorf("overlay %s: not a file, directory or symlink", rel)
		}
	})
}

// InJail turns a path as seen inside the jail into one relative to its
// root.
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
