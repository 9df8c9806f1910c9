// Package zfsshim makes zfs-fuse answer like OpenZFS, so that jcage and
// go-zfs/v3 run unchanged against real ZFS on a Linux test machine. The
// command in internal/testworld/cmd/zfsshim is installed as `zfs` and
// `zpool` first in PATH; it calls the real tools by absolute path.
//
// zfs-fuse 0.7 (Debian package zfs-fuse, ZFS pool v23) differs from the
// OpenZFS 2.x CLI that jcage targets in these ways, each handled here:
//
//   - `zfs list` has no -p. The shim answers list -p (and any list that
//     needs emulated columns) from one `zfs get -H -p -o
//     name,property,value,source type,PROPS` call over the same selection,
//     whose order is list's order (both walk datasets by name, snapshots
//     right after their dataset), then filters by type, sorts for -s/-S
//     and prints rows. (Asking get for the received column as well makes it
//     five times slower, so the shim does only when that column is wanted.)
//   - Properties newer than v23 are unknown and fail the whole command with
//     "bad property list" (exit 2): written, logicalused, logicalreferenced,
//     refcompressratio, guid, createtxg, sync, dnodesize, acltype, ... go-zfs
//     asks for written and logicalused on every dataset. The statistics
//     answer "-"; the settable ones are stored in a hidden user property
//     (jcage.zfsshim:NAME) and read back from it.
//   - FreeBSD calls the zoned bit "jailed"; zfs-fuse only knows "zoned"
//     (which behaves alike: setting it unmounts the dataset and the host
//     refuses to mount it). The shim translates the name both ways.
//   - `zfs get` has no -t; the shim filters by type itself.
//   - readonly: get and list report a mounted dataset's mount state, and
//     zfs-fuse's mounts are always rw to the kernel (the daemon enforces
//     readonly itself), so readonly=on reads back "off" with source
//     "temporary". set, create -o and clone -o store a copy of the
//     setting in a hidden user property (inherited and renamed like the
//     native one) and get/list report from it. set and inherit also
//     remount the dataset's mounted tree, as OpenZFS applies the setting
//     to the mount at once. Either way the daemon refuses creating,
//     removing and changing the attributes of files, but not writes into
//     files that exist (append, dd conv=notrunc).
//   - compression accepts on|off|lzjb|gzip[-N]|zle only. lz4 and zstd[-N]
//     are stored as compression=on with the requested name in a hidden user
//     property, so get/list report back what was set.
//   - `zfs list -t` knows neither "snap" nor "bookmark", and `zfs list -t
//     snapshot FS` (without -r) refuses FS instead of listing its
//     snapshots as OpenZFS does (`zfs get -t snapshot` likewise).
//   - `zfs list` without -H prints "no datasets available" on stdout;
//     OpenZFS prints it on stderr.
//   - `zfs set` takes one prop=value only and has no -u; the shim runs one
//     set per pair.
//   - `zfs create` has no -u (the shim unmounts after creating), and
//     `zfs create -V` aborts the client with "internal error: Function not
//     implemented" (SIGABRT): zfs-fuse has no volumes. The shim refuses it
//     with a plain error instead.
//   - `zfs rename` has no -f and no -u. The shim drops both; with -f it
//     force-unmounts the tree and retries when a process holds a mount, and
//     mounts again what it unmounted.
//   - destroy and rename (rarely rollback and promote) fail with "dataset
//     is busy": zfs-fuse unmounts the dataset first, but the daemon lets go
//     of it a moment later, so the ioctl that follows can find it busy.
//     After a failed rename zfs-fuse mounts the tree again, so a plain
//     retry races the same way; on a loaded machine it loses every time.
//     In a create/snapshot/rename/destroy loop on an idle machine a
//     quarter of the renames and destroys fail. The shim unmounts what is
//     busy itself (for destroy, the dataset named in the error, even when
//     that answers "not currently mounted"; for rename, the whole tree),
//     pauses, retries, and mounts the tree again afterwards.
//   - A process inside a mount makes umount fail ("target is busy"); with
//     -f the mount is detached lazily, and the dataset stays busy until the
//     process has left, and then until it is mounted again. rename -f
//     therefore retries for a few seconds, mounting in between.
//   - `zpool destroy` says "pool is busy" for the same reason; unmounting
//     the pool's filesystems and retrying clears it (see package pool).
//   - `zfs send` has no -L, -e, -c or -w (stream encodings only); the shim
//     drops them. It has no -n/-v/-P, `zfs diff` and `zfs jail` don't exist,
//     `zfs receive` has no -o/-x, and there is no JSON output (-j): those
//     pass through and fail as zfs-fuse fails.
//   - compressratio carries its "x" even with -p (OpenZFS prints 1.00).
//   - The zfs client runs umount(8) through PATH when it unmounts. With the
//     FreeBSD userland simulator first in PATH that would reach the
//     simulated umount, so the real tools always run with a plain system
//     PATH.
//   - `zpool get` takes no options at all (no -H, -p, -o) and prints a
//     space-aligned table; `zpool list` has no -p. Sizes exist only in
//     human units (504M, 6.61M), so -p values of size, allocated and free
//     are those figures scaled to bytes, not exact. fragmentation, freeing,
//     leaked, readonly, checkpoint and expandsize don't exist; they answer
//     what OpenZFS shows for a pool of that age.
//   - `zpool create` prints "Defaulting to 4K blocksize (ashift=12)" on
//     stderr, and `zpool destroy` leaves the pool's top mountpoint directory
//     behind.
//   - One daemon mounts 1000 filesystems at most, over all pools: the next
//     mount fails with "Input/output error. Make sure the FUSE module is
//     loaded." (zpool create then fails too, after creating the pool).
//     Tests with many jails must keep most datasets unmounted
//     (canmount=off, or create -u) or spread them over time.
//
// One difference lies outside any zfs call, so the shim cannot answer it:
// a file replaced by rename (config.json) can briefly be missing for a
// lookup that races the rename, where FreeBSD's rename is atomic for
// readers. jcage's Linux build (internal/atomicfile/retry_linux.go) looks again
// for a missing file; the FreeBSD build does not.
//
// Anything else passes straight through: the shim execs the real tool with
// the same argv, stdin, stdout and stderr, so its exit status is the real
// one.
package zfsshim

import (
	"fmt"
	"io"
	"os"
	"time"
)

// Tool names the real program a call goes to.
type Tool string

// The two tools the shim stands in for.
const (
	ZFS   Tool = "zfs"
	Zpool Tool = "zpool"
)

// Result is the outcome of one call to a real tool.
type Result struct {
	Stdout []byte
	Stderr []byte
	Code   int
}

// Runner calls the real zfs and zpool.
type Runner interface {
	// Run runs the tool to completion with no stdin and captures its
	// output. A tool that can't be started yields a Result with a non-zero
	// Code and the reason on Stderr.
	Run(tool Tool, args []string) Result
	// Pass hands the caller's stdin, stdout and stderr to the tool and
	// returns its exit status. It is always the last step of a call; the
	// real implementation replaces the process with the tool (exec).
	Pass(tool Tool, args []string) int
}

// Shim translates one OpenZFS-style call into zfs-fuse calls.
type Shim struct {
	Real   Runner
	Stdout io.Writer
	Stderr io.Writer
	// Sleep pauses between retries of a busy dataset; nil means time.Sleep.
	Sleep func(time.Duration)
}

// Environment variables naming the real tools.
const (
	RealZFSEnv   = "JCAGE_REAL_ZFS"
	RealZpoolEnv = "JCAGE_REAL_ZPOOL"
)

// Default locations of the real tools (Debian's zfs-fuse package).
const (
	DefaultRealZFS   = "/usr/sbin/zfs"
	DefaultRealZpool = "/usr/sbin/zpool"
)

// SystemPath is the PATH the real tools run with. It leaves out whatever
// tests put first (simulated umount, this shim), because the zfs client
// runs umount(8) through PATH.
const SystemPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// Main runs the shim as tool ("zfs" or "zpool") with the process's
// environment and standard streams, and returns the exit status.
func Main(tool string, args []string) int {
	s := &Shim{
		Real: ExecRunner{
			ZFS:   envOr(RealZFSEnv, DefaultRealZFS),
			Zpool: envOr(RealZpoolEnv, DefaultRealZpool),
		},
		Stdout: os.Stdout,
		Stderr: os.Stderr,
	}
	return s.Main(tool, args)
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// Main dispatches on the tool name.
func (s *Shim) Main(tool string, args []string) int {
	switch Tool(tool) {
	case ZFS:
		return s.ZFS(args)
	case Zpool:
		return s.Zpool(args)
	}
	fmt.Fprintf(s.Stderr, "zfsshim: unknown tool %q (invoke as zfs or zpool)\n", tool)
	return 2
}

func (s *Shim) sleep(d time.Duration) {
	if s.Sleep != nil {
		s.Sleep(d)
		return
	}
	time.Sleep(d)
}

// forward copies a captured result to the shim's own streams and returns
// its exit status.
func (s *Shim) forward(r Result) int {
	s.Stdout.Write(r.Stdout)
	s.Stderr.Write(r.Stderr)
	return r.Code
}
