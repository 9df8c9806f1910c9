package jail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jcage/jcage/internal/config"
	"github.com/jcage/jcage/internal/fstab"
	"github.com/jcage/jcage/internal/host"
	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/layout"
	"github.com/jcage/jcage/internal/zfs"
)

var fstabClock = time.Date(2023, 11, 23, 11, 45, 10, 0, time.UTC)

// fstabFixture is one jail on disk (config.json, root with mnt and media)
// and a host whose clock is fixed.
type fstabFixture struct {
	h   *Host
	rec *host.Recorder
	zfs *zfs.Fake
	inv *inventory.Inventory
	j   *inventory.Jail
	src string
	out bytes.Buffer
}

func newFstabFixture(t *testing.T, template bool, jid int) *fstabFixture {
	t.Helper()
	ioc := t.TempDir()
	kind := "jails"
	if template {
		kind = "templates"
	}
	dir := filepath.Join(ioc, kind, "www1")
	for _, d := range []string{"root/mnt", "root/media"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, config.ConfigFile), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	f := &fstabFixture{rec: &host.Recorder{}, zfs: zfs.NewFake("", "tank"), src: t.TempDir()}
	ds := "tank/iocage/" + kind + "/www1"
	if err := f.zfs.Create(context.Background(), ds, zfs.CreateOptions{Parents: true}); err != nil {
		t.Fatal(err)
	}
	f.h = &Host{Host: &inventory.Host{ZFS: f.zfs, Run: f.rec, Out: &f.out, LockDir: t.TempDir(), Now: func() time.Time { return fstabClock }}}
	f.j = &inventory.Jail{Name: "www1", Template: template, Dir: dir, Dataset: zfs.Dataset{Name: ds}, JID: jid}
	f.inv = &inventory.Inventory{Tree: &inventory.Tree{Layout: layout.Layout{Pool: "tank"}, Mountpoint: ioc}, Jails: []*inventory.Jail{f.j}}
	return f
}

func (f *fstabFixture) entry(dest string) fstab.Entry {
	return fstab.Entry{Source: f.src, Dest: dest, FSType: "nullfs", Options: "ro"}
}

func (f *fstabFixture) file(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(f.j.FstabPath())
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return string(b)
}

func TestFstabAddWritesIocageLine(t *testing.T) {
	f := newFstabFixture(t, false, 0)
	ctx := context.Background()
	if _, err := f.h.FstabAdd(ctx, f.inv, f.j, f.entry("/mnt")); err != nil {
		t.Fatal(err)
	}
	if _, err := f.h.FstabAdd(ctx, f.inv, f.j, f.entry("/media")); err != nil {
		t.Fatal(err)
	}
	root := f.j.RootPath()
	want := f.src + "\t" + root + "/mnt\tnullfs\tro\t0\t0\n" +
		f.src + "\t" + root + "/media\tnullfs\tro\t0\t0 # Added by iocage on 2023-11-23 11:45:10\n"
	if got := f.file(t); got != want {
		t.Fatalf("fstab:\n%q\nwant\n%q", got, want)
	}
	if f.out.String() != "Successfully added mount to www1's fstab\nSuccessfully added mount to www1's fstab\n" {
		t.Fatalf("out %q", f.out.String())
	}
	if len(f.rec.Calls()) != 0 {
		t.Fatalf("stopped jail ran %q", f.rec.Lines())
	}
	t.Run("corrupt jail", func(t *testing.T) {
		bad := *f.j
		bad.Err = errors.New("broken config")
		if _, err := f.h.FstabAdd(ctx, f.inv, &bad, f.entry("/mnt")); err == nil || err.Error() != "www1: broken config" {
			t.Fatalf("%v", err)
		}
		if _, _, err := FstabTable(&bad); err == nil {
			t.Fatal("listed a corrupt jail")
		}
	})
	t.Run("no config to lock", func(t *testing.T) {
		before := f.file(t)
		gone := *f.j
		gone.Dir = t.TempDir()
		if _, err := f.h.FstabAdd(ctx, f.inv, &gone, f.entry("/mnt")); err == nil {
			t.Fatal("added without the jail's lock")
		}
		if f.file(t) != before {
			t.Fatal("changed")
		}
	})
}

// Ctrl-C while mount runs: the new entry goes, the file is as it was
// (here: absent).
func TestFstabAddCancelledDuringMount(t *testing.T) {
	f := newFstabFixture(t, false, 3)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f.rec.Respond = func(c host.Cmd) (string, error) {
		cancel()
		return "", &host.RunError{Argv: c.Argv(), ExitCode: -1, Err: context.Canceled}
	}
	_, err := f.h.FstabAdd(ctx, f.inv, f.j, f.entry("/mnt"))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
	if _, serr := os.Stat(f.j.FstabPath()); !os.IsNotExist(serr) {
		t.Fatalf("fstab left behind: %q", f.file(t))
	}
	if got := strings.Join(f.rec.Lines(), "|"); got != "mount -t nullfs -o ro "+f.src+" "+f.j.RootPath()+"/mnt" {
		t.Fatalf("calls %q", got)
	}
	if f.out.Len() != 0 {
		t.Fatalf("success reported: %q", f.out.String())
	}
}

// Ctrl-C during the second step of a replace: the old entry is mounted
// again (with a context that is not cancelled) and the file restored.
func TestFstabReplaceCancelledUnwinds(t *testing.T) {
	f := newFstabFixture(t, false, 3)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, err := f.h.FstabAdd(ctx, f.inv, f.j, f.entry("/mnt")); err != nil {
		t.Fatal(err)
	}
	before := f.file(t)
	n := 0
	f.rec.Respond = func(c host.Cmd) (string, error) {
		if n++; n == 2 { // umount old, then mount new: cancelled here
			cancel()
			return "", &host.RunError{Argv: c.Argv(), ExitCode: -1, Err: context.Canceled}
		}
		return "", nil
	}
	_, err := f.h.FstabReplace(ctx, f.inv, f.j, 0, f.entry("/media"))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
	root := f.j.RootPath()
	want := []string{
		"mount -t nullfs -o ro " + f.src + " " + root + "/mnt",
		"umount -f " + root + "/mnt",
		"mount -t nullfs -o ro " + f.src + " " + root + "/media",
		"mount -t nullfs -o ro " + f.src + " " + root + "/mnt",
	}
	if got := f.rec.Lines(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("calls:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if f.file(t) != before {
		t.Fatalf("file %q, want %q", f.file(t), before)
	}
}

// A template's dataset is readonly: it is opened around the write and
// closed again, and a failure to open it changes nothing.
func TestFstabTemplateReadonly(t *testing.T) {
	f := newFstabFixture(t, true, 0)
	ctx := context.Background()
	if _, err := f.h.FstabAdd(ctx, f.inv, f.j, f.entry("/mnt")); err != nil {
		t.Fatal(err)
	}
	d, err := f.zfs.Get(ctx, f.j.Dataset.Name, "readonly")
	if err != nil || d.Prop("readonly") != "on" || f.zfs.Calls("set") != 2 {
		t.Fatalf("readonly %q after %d sets (%v)", d.Prop("readonly"), f.zfs.Calls("set"), err)
	}
	before := f.file(t)
	f.zfs.FailOn("set", f.j.Dataset.Name, errors.New("set failed"))
	if _, err := f.h.FstabRemove(ctx, f.inv, f.j, 0); err == nil || !strings.Contains(err.Error(), "set failed") {
		t.Fatalf("%v", err)
	}
	if f.file(t) != before {
		t.Fatal("file changed")
	}
}

// Concurrent adds to one jail all land: each reads the file under the
// jail's lock.
func TestFstabConcurrentAdds(t *testing.T) {
	f := newFstabFixture(t, false, 0)
	root := f.j.RootPath()
	const n = 8
	for i := 0; i < n; i++ {
		if err := os.Mkdir(filepath.Join(root, fmt.Sprintf("d%d", i)), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			// One host each, as separate processes would have.
			h := &Host{Host: &inventory.Host{ZFS: f.zfs, Run: f.rec, Out: io.Discard, LockDir: t.TempDir()}}
			_, err := h.FstabAdd(context.Background(), f.inv, f.j, f.entry(fmt.Sprintf("/d%d", i)))
			errs <- err
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	tb, warn, err := FstabTable(f.j)
	if err != nil || len(warn) != 0 || len(tb.Entries) != n {
		t.Fatalf("%d entries, %v %v", len(tb.Entries), warn, err)
	}
}

func TestFstabRemoveEntryMatchesInJailPath(t *testing.T) {
	f := newFstabFixture(t, false, 0)
	ctx := context.Background()
	if _, err := f.h.FstabAdd(ctx, f.inv, f.j, f.entry("/mnt")); err != nil {
		t.Fatal(err)
	}
	other := f.entry("/mnt/")
	other.Options = "rw"
	if _, err := f.h.FstabRemoveEntry(ctx, f.inv, f.j, other); err != fstab.ErrNoMatch {
		t.Fatalf("%v", err)
	}
	if _, err := f.h.FstabRemoveEntry(ctx, f.inv, f.j, f.entry("/mnt/")); err != nil {
		t.Fatal(err)
	}
	if f.file(t) != "" {
		t.Fatalf("left %q", f.file(t))
	}
}

// An edit made while someone else changed the file is refused and kept.
func TestFstabEditRace(t *testing.T) {
	f := newFstabFixture(t, false, 0)
	ctx := context.Background()
	var copyPath string
	f.rec.Respond = func(c host.Cmd) (string, error) {
		copyPath = c.Args[len(c.Args)-1]
		if err := os.WriteFile(copyPath, []byte("tmpfs\t"+f.j.RootPath()+"/mnt\ttmpfs\trw\t0\t0\n"), 0o600); err != nil {
			return "", err
		}
		// Meanwhile, another command adds an entry.
		_, err := f.h.FstabAdd(ctx, f.inv, f.j, f.entry("/media"))
		return "", err
	}
	_, err := f.h.FstabEdit(ctx, f.inv, f.j, host.Cmd{Name: "ed"})
	if err == nil || !strings.Contains(err.Error(), "changed while it was being edited") || !strings.Contains(err.Error(), copyPath) {
		t.Fatalf("%v", err)
	}
	if !strings.Contains(f.file(t), "/media\tnullfs") {
		t.Fatalf("the other change was lost: %q", f.file(t))
	}
	if _, err := os.Stat(copyPath); err != nil {
		t.Fatalf("edited copy not kept: %v", err)
	}
	os.Remove(copyPath)
}
