package zfs_test

import (
	"fmt"
	"testing"

	"github.com/jcage/jcage/internal/host"
	"github.com/jcage/jcage/internal/testworld/world"
	"github.com/jcage/jcage/internal/zfs"
	"github.com/jcage/jcage/internal/zfs/zfstest"
)

// TestGoZFSConformance runs the conformance suite against real ZFS
// (zfs-fuse through the compatibility shim), driven by go-zfs unchanged.
func TestGoZFSConformance(t *testing.T) {
	w := world.New(t)
	// go-zfs finds zfs through the process's PATH; the runner is given
	// the same one explicitly, since it never uses the caller's.
	t.Setenv("PATH", w.Bin.PathEnv())
	m := zfs.NewGoZFS(host.Exec{Path: w.Bin.PathEnv()})
	n := 0
	zfstest.Run(t, func(t *testing.T) (zfs.Manager, string) {
		n++
		base := fmt.Sprintf("%s/c%d", w.Pool.Name, n)
		w.ZFS("create", base)
		return m, base
	})
}
