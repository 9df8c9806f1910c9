package jail

import (
	"bufio"
	"bytes"
	"io"
	"strconv"
	"strings"
)

// MountTable maps every mounted ZFS filesystem to its mountpoint, as the
// kernel's mount table has them: the facts `zfs mount` itself reads, at
// no cost in zfs calls.
type MountTable map[string]string

// parseProcMounts reads Linux's /proc/self/mounts (fstab(5) layout, with
// octal escapes) for the ZFS filesystems in it: OpenZFS mounts as "zfs",
// zfs-fuse as "fuse.zfs" or "fuse".
func parseProcMounts(r io.Reader) (MountTable, error) {
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
		t[unescapeMount(f[0])] = unescapeMount(f[1])
	}
	return t, sc.Err()
}

// unescapeMount undoes the kernel's \ooo escapes of space, tab, newline
// and backslash.
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b bytes.Buffer
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
