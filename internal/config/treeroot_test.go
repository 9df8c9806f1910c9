package config

import (
	"testing"

	"github.com/jcage/jcage/internal/zfs"
)

func TestTreeRootIsZFSRootName(t *testing.T) {
	if treeRoot != zfs.RootName {
		t.Fatalf("treeRoot %q, zfs.RootName %q", treeRoot, zfs.RootName)
	}
}
