//go:build unix

package confine

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// ErrSymlink is returned when a component under the root is a symlink.
var ErrSymlink = errors.New("is a symlink")

// ErrOutside is returned for a relative path that leaves the root.
var ErrOutside = errors.New("leaves the jail root")

// Error names the path under a jail root that was refused or failed.
type Error struct {
	Op   string // "open", "write", "mount", ...
	Path string // the full host path as it would have been joined
	Err  error
}

func (e *Error) Error() string { return fmt.Sprintf("%s %s: %v", e.Op, e.Path, e.Err) }
func (e *Error) Unwrap() error { return e.Err }

// split cleans rel as a path relative to the root and returns its
// components. An absolute rel is taken relative to the root, as the jail
// sees it; ".." is refused outright rather than resolved.
func split(rel string) ([]string, error) {
	var parts []string
	for _, p := range strings.Split(rel, "/") {
		switch p {
		case "", ".":
			continue
		case "..":
			return nil, ErrOutside
		}
		parts = append(parts, p)
	}
	return parts, nil
}

// Path returns the host path of rel under root, for messages and for
// tools that take a path. It checks nothing: use CheckPath before handing
// the result to a tool that follows symlinks.
func Path(root, rel string) string {
	parts, err := split(rel)
	if err != nil {
		return root + "/" + rel
	}
	return strings.Join(append([]string{filepath.Clean(root)}, parts...), "/")
}

func wrap(op, root, rel string, err error) error {
	if err == nil {
		return nil
	}
	var ce *Error
	if errors.As(err, &ce) {
		return err
	}
	return &Error{Op: op, Path: Path(root, rel), Err: err}
}

// openRoot opens the jail root itself. Its own path is the host's.
func openRoot(root string) (int, error) {
	return unix.Open(root, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
}

// walk opens the directory formed by parts under root, one component at
// a time, never following a symlink. With create, missing directories
// are made with perm. The caller closes the returned descriptor.
func walk(root string, parts []string, create bool, perm os.FileMode) (int, error) {
	fd, err := openRoot(root)
	if err != nil {
		return -1, err
	}
	for i, p := range parts {
		next, err := unix.Openat(fd, p, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if errors.Is(err, unix.ENOENT) && create {
			if merr := unix.Mkdirat(fd, p, uint32(perm.Perm())); merr != nil && !errors.Is(merr, unix.EEXIST) {
				unix.Close(fd)
				return -1, &Error{Op: "mkdir", Path: Path(root, strings.Join(parts[:i+1], "/")), Err: merr}
			}
			next, err = unix.Openat(fd, p, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		}
		if err != nil {
			err = explain(fd, p, err)
			unix.Close(fd)
			return -1, &Error{Op: "open", Path: Path(root, strings.Join(parts[:i+1], "/")), Err: err}
		}
		unix.Close(fd)
		fd = next
	}
	return fd, nil
}

// explain turns the errno of an O_NOFOLLOW open into ErrSymlink when the
// component is a symlink (FreeBSD says EMLINK, Linux ELOOP, and either
// says ENOTDIR for a symlink opened with O_DIRECTORY on some paths).
func explain(dirfd int, name string, err error) error {
	var st unix.Stat_t
	if unix.Fstatat(dirfd, name, &st, unix.AT_SYMLINK_NOFOLLOW) == nil && st.Mode&unix.S_IFMT == unix.S_IFLNK {
		return ErrSymlink
	}
	return err
}

// parent opens the directory holding rel and returns it with the last
// component's name.
func parent(root, rel string, create bool) (int, string, error) {
	parts, err := split(rel)
	if err != nil {
		return -1, "", err
	}
	if len(parts) == 0 {
		return -1, "", errors.New("names the jail root itself")
	}
	fd, err := walk(root, parts[:len(parts)-1], create, 0o755)
	if err != nil {
		return -1, "", err
	}
	return fd, parts[len(parts)-1], nil
}

// Open opens the file rel under root for reading, following no symlink on
// the way or at the end.
func Open(root, rel string) (*os.File, error) {
	dirfd, name, err := parent(root, rel, false)
	if err != nil {
		return nil, wrap("open", root, rel, err)
	}
	defer unix.Close(dirfd)
	fd, err := unix.Openat(dirfd, name, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err != nil {
		return nil, wrap("open", root, rel, explain(dirfd, name, err))
	}
	f := os.NewFile(uintptr(fd), Path(root, rel))
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = errors.New("not a regular file")
	}
	if err != nil {
		f.Close()
		return nil, wrap("open", root, rel, err)
	}
	return f, nil
}

// MaxRead bounds ReadFile: nothing jcage reads from a jail root is large,
// and a jail must not make the host read a device or a huge file.
const MaxRead = 4 << 20

// ReadFile reads the regular file rel under root, up to MaxRead bytes.
func ReadFile(root, rel string) ([]byte, error) {
	f, err := Open(root, rel)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxRead+1))
	if err == nil && len(data) > MaxRead {
		err = fmt.Errorf("larger than %d bytes", MaxRead)
	}
	return data, wrap("read", root, rel, err)
}

// Lstat describes rel under root without following it.
func Lstat(root, rel string) (fs.FileInfo, error) {
	dirfd, name, err := parent(root, rel, false)
	if err != nil {
		return nil, wrap("stat", root, rel, err)
	}
	defer unix.Close(dirfd)
	var st unix.Stat_t
	if err := unix.Fstatat(dirfd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return nil, wrap("stat", root, rel, err)
	}
	return statInfo{name: name, st: st}, nil
}

// WriteFile replaces rel under root with data: a temporary file in the
// confined parent directory, synced, then renamed over rel. The parent
// directories are made (0755) when missing; a symlink anywhere on the way
// is refused, and a symlink at rel itself is replaced, never followed.
func WriteFile(root, rel string, data []byte, perm os.FileMode) error {
	return writeFile(root, rel, data, perm, true)
}

// WriteFileUnsynced is WriteFile without the fsync, for a root that a
// change made a moment ago and unwinds whole if it does not finish (a new
// jail's clone): nothing is lost that the unwinding would keep.
func WriteFileUnsynced(root, rel string, data []byte, perm os.FileMode) error {
	return writeFile(root, rel, data, perm, false)
}

func writeFile(root, rel string, data []byte, perm os.FileMode, durable bool) error {
	dirfd, name, err := parent(root, rel, true)
	if err != nil {
		return wrap("write", root, rel, err)
	}
	defer unix.Close(dirfd)
	return wrap("write", root, rel, writeAt(dirfd, name, data, perm, durable))
}

func writeAt(dirfd int, name string, data []byte, perm os.FileMode, durable bool) error {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return err
	}
	tmp := ".jcage-" + hex.EncodeToString(b[:]) + ".tmp"
	fd, err := unix.Openat(dirfd, tmp, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, uint32(perm.Perm()))
	if err != nil {
		return err
	}
	f := os.NewFile(uintptr(fd), tmp)
	err = func() error {
		if _, err := f.Write(data); err != nil {
			return err
		}
		if err := f.Chmod(perm.Perm()); err != nil { // past the umask
			return err
		}
		if !durable {
			return nil
		}
		return f.Sync()
	}()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = unix.Renameat(dirfd, tmp, dirfd, name)
	}
	if err != nil {
		unix.Unlinkat(dirfd, tmp, 0)
	}
	return err
}

// Remove removes the file rel under root; a missing file is no error.
// A symlink at rel is removed itself, never its target.
func Remove(root, rel string) error {
	return removeIn(root, rel, func(dirfd int, name string) error {
		if err := unix.Unlinkat(dirfd, name, 0); err != nil && !errors.Is(err, unix.ENOENT) {
			return err
		}
		return nil
	})
}

// removeIn runs remove on rel's name in its confined parent directory; a
// missing parent is no error.
func removeIn(root, rel string, remove func(dirfd int, name string) error) error {
	dirfd, name, err := parent(root, rel, false)
	if errors.Is(err, unix.ENOENT) {
		return nil
	}
	if err != nil {
		return wrap("remove", root, rel, err)
	}
	defer unix.Close(dirfd)
	return wrap("remove", root, rel, remove(dirfd, name))
}

// MkdirAll makes the directory rel under root and its parents, refusing
// a symlink in any component.
func MkdirAll(root, rel string, perm os.FileMode) error {
	parts, err := split(rel)
	if err != nil {
		return wrap("mkdir", root, rel, err)
	}
	fd, err := walk(root, parts, true, perm)
	if err != nil {
		return wrap("mkdir", root, rel, err)
	}
	unix.Close(fd)
	return nil
}

// CheckPath returns the host path of the directory rel under root for a
// tool that resolves it itself (mount(8) and umount(8) follow symlinks),
// after checking, at this moment, that every component exists, is a
// directory and is not a symlink: jail(8)'s check_path()
// (usr.sbin/jail/command.c) refuses a mount point the same way. With
// create, missing directories are made first.
func CheckPath(root, rel string, create bool) (string, error) {
	parts, err := split(rel)
	if err != nil {
		return "", wrap("mount", root, rel, err)
	}
	fd, err := walk(root, parts, create, 0o755)
	if err != nil {
		return "", wrap("mount", root, rel, err)
	}
	unix.Close(fd)
	return Path(root, rel), nil
}

// Within reports whether the host path p lies under root (or is root),
// by its text alone.
func Within(root, p string) bool {
	root, p = filepath.Clean(root), filepath.Clean(p)
	return p == root || strings.HasPrefix(p, root+"/")
}

// Rel returns p relative to root when p lies under it.
func Rel(root, p string) (string, bool) {
	if !Within(root, p) {
		return "", false
	}
	return strings.TrimPrefix(strings.TrimPrefix(filepath.Clean(p), filepath.Clean(root)), "/"), true
}

// Symlink makes rel under root a symlink to target (a link the jail will
// resolve inside itself); an existing entry at rel is left alone.
func Symlink(target, root, rel string) error {
	dirfd, name, err := parent(root, rel, false)
	if err != nil {
		return wrap("symlink", root, rel, err)
	}
	defer unix.Close(dirfd)
	if err := unix.Symlinkat(target, dirfd, name); err != nil && !errors.Is(err, unix.EEXIST) {
		return wrap("symlink", root, rel, err)
	}
	return nil
}

// IsDir reports whether rel under root is a directory reached without
// crossing a symlink.
func IsDir(root, rel string) bool {
	fi, err := Lstat(root, rel)
	return err == nil && fi.IsDir()
}

// WriteIfChanged is WriteFile skipped when rel already holds data.
func WriteIfChanged(root, rel string, data []byte, perm os.FileMode) error {
	if b, err := ReadFile(root, rel); err == nil && string(b) == string(data) {
		return nil
	}
	return WriteFile(root, rel, data, perm)
}

// RemoveAll removes rel under root and everything below it, never
// following a symlink: a symlink is removed itself, and each directory is
// emptied through its own descriptor. A missing rel is no error.
func RemoveAll(root, rel string) error { return removeIn(root, rel, removeAt) }

func removeAt(dirfd int, name string) error {
	var st unix.Stat_t
	if err := unix.Fstatat(dirfd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		if errors.Is(err, unix.ENOENT) {
			return nil
		}
		return err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFDIR {
		return unix.Unlinkat(dirfd, name, 0)
	}
	fd, err := unix.Openat(dirfd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	d := os.NewFile(uintptr(fd), name)
	defer d.Close()
	for {
		names, err := d.Readdirnames(256)
		for _, n := range names {
			if err := removeAt(fd, n); err != nil {
				return err
			}
		}
		if err == io.EOF || len(names) == 0 {
			break
		}
		if err != nil {
			return err
		}
	}
	return unix.Unlinkat(dirfd, name, unix.AT_REMOVEDIR)
}

// CheckEscapes walks the tree under root without following anything and
// refuses it when a symlink in it leads, as the host resolves it (an
// absolute target from the host's /), to a directory outside root. A
// tool run on the host with the root as its base directory (freebsd-update
// -b, etcupdate -D) follows such a link in every parent component of the
// paths it writes. Filesystems mounted inside the tree are not walked.
// Links to files outside, like FreeBSD's own
// etc/termcap, are left alone: those tools replace a file by rename,
// which does not follow a link at the last component.
func CheckEscapes(root string) error {
	root = filepath.Clean(root)
	real, err := filepath.EvalSymlinks(root)
	if err != nil {
		return err
	}
	var st unix.Stat_t
	if err := unix.Lstat(root, &st); err != nil {
		return err
	}
	dev := uint64(st.Dev)
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			// Another filesystem mounted in the tree (devfs, a nullfs
			// mount of an fstab entry) is not the jail's to prepare.
			var sub unix.Stat_t
			if p != root && unix.Lstat(p, &sub) == nil && uint64(sub.Dev) != dev {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type()&fs.ModeSymlink == 0 {
			return nil
		}
		target, err := filepath.EvalSymlinks(p)
		if err != nil {
			return nil // dangling or looping: nothing to follow
		}
		if Within(real, target) || Within(root, target) {
			return nil
		}
		if fi, err := os.Stat(target); err == nil && fi.IsDir() {
			rel, _ := Rel(root, p)
			return &Error{Op: "check", Path: p, Err: fmt.Errorf("symlink leads out of the jail root to %s (remove /%s first)", target, rel)}
		}
		return nil
	})
}

// ReplaceSymlink makes rel under root a symlink to target, replacing a
// file or symlink already there (by rename, never written through); a
// directory there is refused.
func ReplaceSymlink(target, root, rel string) error {
	dirfd, name, err := parent(root, rel, true)
	if err != nil {
		return wrap("symlink", root, rel, err)
	}
	defer unix.Close(dirfd)
	var st unix.Stat_t
	if unix.Fstatat(dirfd, name, &st, unix.AT_SYMLINK_NOFOLLOW) == nil && st.Mode&unix.S_IFMT == unix.S_IFDIR {
		return wrap("symlink", root, rel, errors.New("a directory is there"))
	}
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return err
	}
	tmp := ".jcage-" + hex.EncodeToString(b[:]) + ".tmp"
	if err := unix.Symlinkat(target, dirfd, tmp); err != nil {
		return wrap("symlink", root, rel, err)
	}
	if err := unix.Renameat(dirfd, tmp, dirfd, name); err != nil {
		unix.Unlinkat(dirfd, tmp, 0)
		return wrap("symlink", root, rel, err)
	}
	return nil
}
