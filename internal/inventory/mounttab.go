package inventory

import (
	"bufio"
	"io"
	"strings"

	"github.com/jcage/jcage/internal/plan"
)

// MountTable maps every mounted ZFS filesystem to its mountpoint, as the
// kernel's mount table has them: the facts `zfs mount` itself reads, at
// no cost in zfs calls.
type MountTable map[string]string

// parseProcMounts reads Linux's /proc/self/mounts (fstab(5) layout, with
// octal escapes) for the ZFS filesystems in it: OpenZFS mounts as "zfs",
// zfs-fuse as "fuse.zfs" or "fuse".
func ParseProcMounts(r io.Reader) (MountTable, error) {
	t := MountTable{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 3 {
			continue
		}
		switch f[2] {
		case "zfs", "fuse.zfs", "fuse.zfs-fuse":
		default:
			continue
		}
		t[plan.UnvisPath(f[0])] = plan.UnvisPath(f[1])
	}
	return t, sc.Err()
}

// MountReader reads the mount table. An error means there is none to
// read, and commands that name what they touch read the whole tree.
type MountReader interface {
	ReadMountTable() (MountTable, error)
}
