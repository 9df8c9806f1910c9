package txn

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// DefaultDir holds the tree lock and the journals on a FreeBSD host.
const DefaultDir = "/var/run"

// treeLock serialises name allocation and every change to the tree between
// concurrent jcage processes (and goroutines: each holder opens the file
// itself). It lives outside the pool so that it is never snapshotted,
// cloned or exported.
type treeLock struct{ f *os.File }

// lockTree takes the tree lock in dir, waiting for another holder to
// finish; ctx ends the wait (Ctrl-C), and then nothing is held.
func lockTree(ctx context.Context, dir string) (*treeLock, error) {
	path := filepath.Join(dir, "jcage.lock")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if errors.Is(err, fs.ErrPermission) {
		// Only root may take the lock (a 0600 file in a directory of
		// root's: anyone able to flock it could stall every command).
		// What else a user may change, zfs decides (snapremove with
		// delegated rights); such a change can keep no journal either.
		return &treeLock{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	ok, err := flockTry(f)
	if err == nil && !ok {
		var cancelled bool
		if cancelled, err = waitLock(ctx, f); cancelled {
			// The waiting goroutine closes f.
			return nil, err
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return &treeLock{f}, nil
}

// waitLock blocks in flock(2) on f until it is granted or ctx ends. flock
// cannot be interrupted from another goroutine, so the wait runs in one of
// its own: when ctx ends first (cancelled), that goroutine lets go of the
// lock as soon as it is granted and closes f.
func waitLock(ctx context.Context, f *os.File) (cancelled bool, err error) {
	done := make(chan error, 1)
	go func() { done <- flockExclusive(f) }()
	select {
	case err := <-done:
		return false, err
	case <-ctx.Done():
		go func() {
			if <-done == nil {
				_ = funlock(f)
			}
			f.Close()
		}()
		return true, ctx.Err()
	}
}

// unlock releases the tree lock.
func (l *treeLock) unlock() {
	if l != nil && l.f != nil {
		_ = funlock(l.f)
		_ = l.f.Close()
		l.f = nil
	}
}
