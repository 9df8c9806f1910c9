// Command zfsshim makes zfs-fuse answer like the OpenZFS zfs and zpool
// commands, for jcage's system tests on Linux. Install it (or link it) as
// `zfs` and `zpool` first in PATH; it acts as the tool it is invoked as and
// calls the real one by absolute path: /usr/sbin/zfs and /usr/sbin/zpool
// unless JCAGE_REAL_ZFS or JCAGE_REAL_ZPOOL name another.
package main

import (
	"os"
	"path/filepath"

	"github.com/jcage/jcage/internal/testworld/zfsshim"
)

func main() {
	tool := filepath.Base(os.Args[0])
	args := os.Args[1:]
	// "zfsshim zfs ARGS..." also works, without a link.
	if tool == "zfsshim" && len(args) > 0 {
		tool, args = args[0], args[1:]
	}
	os.Exit(zfsshim.Main(tool, args))
}
