package inventory

import (
	"bytes"

	"golang.org/x/sys/unix"
)

// ReadMountTable reads the ZFS part of the mount table (getfsstat(2)).
func ReadMountTable() (MountTable, error) {
	n, err := unix.Getfsstat(nil, unix.MNT_NOWAIT)
	if err != nil {
		return nil, err
	}
	// Room for mounts made between the two calls.
	buf := make([]unix.Statfs_t, n+16)
	n, err = unix.Getfsstat(buf, unix.MNT_NOWAIT)
	if err != nil {
		return nil, err
	}
	t := MountTable{}
	for _, s := range buf[:n] {
		if cstr(s.Fstypename[:]) != "zfs" {
			continue
		}
		t[cstr(s.Mntfromname[:])] = cstr(s.Mntonname[:])
	}
	return t, nil
}

func cstr(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}
