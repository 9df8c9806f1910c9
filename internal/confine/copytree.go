//go:build unix

package confine

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path"

	"golang.org/x/sys/unix"
)

// CopyTree copies everything under srcRoot into dstRoot, over what is
// there, as iocage's copytree (iocage_lib/ioc_common.py, with
// symlinks=True) does for `iocage migrate`: directories merge, a file or
// symlink replaces whatever holds its name. Both are jail roots, so
// neither is followed through a symlink: a symlink is copied as one, each
// directory is opened by descriptor below its parent's, and a symlink in
// dstRoot where the source has a directory is replaced by the directory.
// Owner, mode and times go with each file and symlink and with each
// directory the copy makes (copytree leaves an existing directory as it
// is, and keeps all but the owner, which cp -Rp would keep too).
// Directories of other file systems mounted in the source, sockets,
// FIFOs and devices are left out.
func CopyTree(srcRoot, dstRoot string) error {
	sfd, err := openRoot(srcRoot)
	if err != nil {
		return wrap("copy", srcRoot, "", err)
	}
	defer unix.Close(sfd)
	dfd, err := openRoot(dstRoot)
	if err != nil {
		return wrap("copy", dstRoot, "", err)
	}
	defer unix.Close(dfd)
	var st unix.Stat_t
	if err := unix.Fstat(sfd, &st); err != nil {
		return wrap("copy", srcRoot, "", err)
	}
	c := &copier{src: srcRoot, dst: dstRoot, dev: uint64(st.Dev)}
	return c.dir(sfd, dfd, "")
}

type copier struct {
	src, dst string
	dev      uint64 // the source's file system
}

// names lists a directory through its own descriptor.
func names(fd int) ([]string, error) {
	dup, err := unix.Dup(fd)
	if err != nil {
		return nil, err
	}
	d := os.NewFile(uintptr(dup), "")
	defer d.Close()
	return d.Readdirnames(-1)
}

func (c *copier) dir(sfd, dfd int, rel string) error {
	list, err := names(sfd)
	if err != nil {
		return wrap("copy", c.src, rel, err)
	}
	for _, name := range list {
		r := path.Join(rel, name)
		var st unix.Stat_t
		if err := unix.Fstatat(sfd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return wrap("copy", c.src, r, err)
		}
		switch st.Mode & unix.S_IFMT {
		case unix.S_IFDIR:
			if uint64(st.Dev) != c.dev {
				continue
			}
			err = c.subdir(sfd, dfd, name, r, &st)
		case unix.S_IFLNK:
			err = c.symlink(sfd, dfd, name, &st)
		case unix.S_IFREG:
			err = c.file(sfd, dfd, name, &st)
		default:
			continue
		}
		if err != nil {
			return wrap("copy", c.dst, r, err)
		}
	}
	return nil
}

// subdir copies the directory name, making it in the destination (in
// place of a file or symlink there) when it is missing.
func (c *copier) subdir(sfd, dfd int, name, rel string, st *unix.Stat_t) error {
	child, err := unix.Openat(sfd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(child)
	made := false
	dchild, err := unix.Openat(dfd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		if !errors.Is(err, unix.ENOENT) {
			// A file or a symlink holds the name.
			if err := removeAt(dfd, name); err != nil {
				return err
			}
		}
		if err := unix.Mkdirat(dfd, name, 0o700); err != nil {
			return err
		}
		made = true
		if dchild, err = unix.Openat(dfd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0); err != nil {
			return err
		}
	}
	defer unix.Close(dchild)
	if err := c.dir(child, dchild, rel); err != nil {
		return err
	}
	if !made {
		return nil
	}
	if err := unix.Fchown(dchild, int(st.Uid), int(st.Gid)); err != nil {
		return err
	}
	if err := unix.Fchmod(dchild, uint32(st.Mode&0o7777)); err != nil {
		return err
	}
	return unix.UtimesNanoAt(dfd, name, []unix.Timespec{st.Atim, st.Mtim}, unix.AT_SYMLINK_NOFOLLOW)
}

// tmpName is a name for a new entry beside the one it replaces.
func tmpName() (string, error) {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return ".jcage-" + hex.EncodeToString(b[:]) + ".tmp", nil
}

// replace renames tmp over name, after removing a directory there (rename
// only replaces an empty one).
func replace(dfd int, tmp, name string) error {
	var st unix.Stat_t
	if unix.Fstatat(dfd, name, &st, unix.AT_SYMLINK_NOFOLLOW) == nil && st.Mode&unix.S_IFMT == unix.S_IFDIR {
		if err := removeAt(dfd, name); err != nil {
			unix.Unlinkat(dfd, tmp, 0)
			return err
		}
	}
	if err := unix.Renameat(dfd, tmp, dfd, name); err != nil {
		unix.Unlinkat(dfd, tmp, 0)
		return err
	}
	return nil
}

func (c *copier) symlink(sfd, dfd int, name string, st *unix.Stat_t) error {
	buf := make([]byte, unix.PathMax)
	n, err := unix.Readlinkat(sfd, name, buf)
	if err != nil {
		return err
	}
	tmp, err := tmpName()
	if err != nil {
		return err
	}
	if err := unix.Symlinkat(string(buf[:n]), dfd, tmp); err != nil {
		return err
	}
	if err := unix.Fchownat(dfd, tmp, int(st.Uid), int(st.Gid), unix.AT_SYMLINK_NOFOLLOW); err != nil {
		unix.Unlinkat(dfd, tmp, 0)
		return err
	}
	// Not every system sets a symlink's times; the link is what counts.
	_ = unix.UtimesNanoAt(dfd, tmp, []unix.Timespec{st.Atim, st.Mtim}, unix.AT_SYMLINK_NOFOLLOW)
	return replace(dfd, tmp, name)
}

func (c *copier) file(sfd, dfd int, name string, st *unix.Stat_t) error {
	in, err := unix.Openat(sfd, name, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err != nil {
		return err
	}
	src := os.NewFile(uintptr(in), name)
	defer src.Close()
	var now unix.Stat_t
	if err := unix.Fstat(in, &now); err != nil {
		return err
	}
	if now.Mode&unix.S_IFMT != unix.S_IFREG || now.Ino != st.Ino {
		return errors.New("changed while it was copied")
	}
	tmp, err := tmpName()
	if err != nil {
		return err
	}
	out, err := unix.Openat(dfd, tmp, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return err
	}
	dst := os.NewFile(uintptr(out), tmp)
	err = func() error {
		if _, err := io.Copy(dst, src); err != nil {
			return err
		}
		if err := dst.Chown(int(st.Uid), int(st.Gid)); err != nil {
			return err
		}
		// After the chown, which clears set-id bits.
		if err := unix.Fchmod(out, uint32(st.Mode&0o7777)); err != nil {
			return err
		}
		return unix.UtimesNanoAt(dfd, tmp, []unix.Timespec{st.Atim, st.Mtim}, unix.AT_SYMLINK_NOFOLLOW)
	}()
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		unix.Unlinkat(dfd, tmp, 0)
		return err
	}
	return replace(dfd, tmp, name)
}
