package jail

import (
	"fmt"
	"os"
	"path/filepath"
)

// DefaultLockDir holds the tree lock on a FreeBSD host.
const DefaultLockDir = "/var/run"

// TreeLock serialises name allocation and tree-wide changes between
// concurrent jcage processes. It lives outside the pool so that it is
// never snapshotted, cloned or exported.
type TreeLock struct{ f *os.File }

// LockTree takes the tree lock, waiting for another holder to finish.
func (h *Host) LockTree() (*TreeLock, error) {
	dir := h.LockDir
	if dir == "" {
		dir = DefaultLockDir
	}
	path := filepath.Join(dir, "jcage.lock")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := flockExclusive(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return &TreeLock{f}, nil
}

// Unlock releases the tree lock.
func (l *TreeLock) Unlock() {
	if l != nil && l.f != nil {
		_ = funlock(l.f)
		_ = l.f.Close()
	}
}
