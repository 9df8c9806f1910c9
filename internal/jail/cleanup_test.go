package jail

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jcage/jcage/internal/host"
)

// A cleanup that fails while a snapshot of several jails unwinds is
// reported on the host's writer, not on the process's stderr.
func TestSnapshotCleanupReportedOnOut(t *testing.T) {
	w := newSnapWorld(t)
	ctx := context.Background()
	w.jail("a")
	w.jail("b")
	inv := w.load()
	w.f.FailOn("snapshot", "tank/iocage/jails/b@x", errors.New("boom"))
	w.f.FailOn("destroy", "tank/iocage/jails/a@x", errors.New("stuck"))
	if _, err := w.h.Snapshot(ctx, inv, inv.Jails, "x"); err == nil || err.Error() != "boom" {
		t.Fatalf("%v", err)
	}
	if !strings.Contains(w.out.String(), "cleanup: stuck\n") {
		t.Fatalf("cleanup failure not on the host's writer: %q", w.out.String())
	}
}

// Likewise for an fstab change that unwinds.
func TestFstabCleanupReportedOnOut(t *testing.T) {
	f := newFstabFixture(t, false, 3)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, err := f.h.FstabAdd(ctx, f.inv, f.j, f.entry("/mnt")); err != nil {
		t.Fatal(err)
	}
	f.out.Reset()
	n := 0
	f.rec.Respond = func(c host.Cmd) (string, error) {
		switch n++; n {
		case 2: // umount old, then mount new: cancelled here
			cancel()
			return "", &host.RunError{Argv: c.Argv(), ExitCode: -1, Err: context.Canceled}
		case 3: // mounting the old entry again fails
			return "", &host.RunError{Argv: c.Argv(), ExitCode: 1, Stderr: "mount: busy", Err: errors.New("exit status 1")}
		}
		return "", nil
	}
	if _, err := f.h.FstabReplace(ctx, f.inv, f.j, 0, f.entry("/media")); !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
	if !strings.Contains(f.out.String(), "cleanup: mount -t nullfs") || !strings.Contains(f.out.String(), "mount: busy") {
		t.Fatalf("cleanup failure not on the host's writer: %q", f.out.String())
	}
}
