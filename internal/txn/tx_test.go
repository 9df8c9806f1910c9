package txn

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jcage/jcage/internal/host"
	"github.com/jcage/jcage/internal/zfs"
)

// world is a store over the in-memory ZFS, with a recording runner.
type world struct {
	t   *testing.T
	f   *zfs.Fake
	s   *Store
	rec *host.Recorder
	log bytes.Buffer
}

func newWorld(t *testing.T) *world {
	w := &world{t: t, f: zfs.NewFake(t.TempDir(), "tank"), rec: &host.Recorder{}}
	w.s = &Store{Dir: t.TempDir(), ZFS: w.f, Run: w.rec, Log: &w.log}
	ctx := context.Background()
	for _, ds := range []string{"tank/jails/web/root", "tank/releases/R/root"} {
		if err := w.f.Create(ctx, ds, zfs.CreateOptions{Parents: true}); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(w.file(), []byte("{\"release\": \"R\"}"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := w.f.SetProps(ctx, "tank/jails/web", map[string]string{"readonly": "on"}); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *world) file() string {
	return filepath.Join(w.f.MountPath("tank/jails/web"), "config.json")
}

// state is everything a change may touch: every dataset and snapshot, the
// file, its mode, and the property.
func (w *world) state() string {
	var b strings.Builder
	b.WriteString(strings.Join(w.f.Names(), "\n"))
	for _, ds := range w.f.Names() {
		if strings.HasSuffix(ds, "/web") || strings.HasSuffix(ds, "/moved") {
			d, err := w.f.Get(context.Background(), ds, "readonly")
			if err == nil {
				fmt.Fprintf(&b, "\n%s readonly=%s", ds, d.Prop("readonly"))
			}
		}
	}
	if data, err := os.ReadFile(w.file()); err == nil {
		fi, _ := os.Stat(w.file())
		fmt.Fprintf(&b, "\nfile %o %s", fi.Mode().Perm(), data)
	} else {
		b.WriteString("\nno file")
	}
	if _, err := os.Stat(w.file() + ".new"); err == nil {
		b.WriteString("\nnew file")
	}
	return b.String()
}

// crash leaves tx as a killed process leaves it: the journal stays, and
// the kernel lets go of the lock.
func crash(tx *Tx) {
	tx.done = true
	tx.top.done = true
	tx.top.lock.unlock()
}

// change is a change of every kind of step, each recorded and then made.
// It stops after points journal writes and actions (counting both), and
// returns how many it has.
func (w *world) change(ctx context.Context, tx *Tx, points int) int {
	t := w.t
	ctx2 := context.Background()
	n := 0
	do := func(record func() error, act func() error) {
		if n >= points {
			return
		}
		if err := record(); err != nil {
			t.Fatal(err)
		}
		n++
		if n >= points {
			return
		}
		if err := act(); err != nil {
			t.Fatal(err)
		}
		n++
	}
	do(func() error { return tx.WillCreate("tank/jails/new", true) },
		func() error { return w.f.Create(ctx2, "tank/jails/new/root", zfs.CreateOptions{Parents: true}) })
	do(func() error { return tx.WillSnapshot("tank/jails/web", "ioc_update") },
		func() error { return w.f.Snapshot(ctx2, "tank/jails/web@ioc_update", true) })
	do(func() error { return tx.WillSet("tank/jails/web", "readonly", "on") },
		func() error { return w.f.SetProps(ctx2, "tank/jails/web", map[string]string{"readonly": "off"}) })
	do(func() error { return tx.WillWrite(w.file()) },
		func() error { return os.WriteFile(w.file(), []byte("{\"release\": \"S\"}"), 0o600) })
	do(func() error { return tx.WillWrite(w.file() + ".new") },
		func() error { return os.WriteFile(w.file()+".new", []byte("x"), 0o644) })
	do(func() error { return tx.WillRun(host.Cmd{Name: "umount", Args: []string{"/mnt"}}, "") },
		func() error { _, err := w.rec.Run(ctx, host.Cmd{Name: "mount", Args: []string{"/mnt"}}); return err })
	do(func() error { return tx.WillRename("tank/jails/web", "tank/jails/moved") },
		func() error { return w.f.Rename(ctx2, "tank/jails/web", "tank/jails/moved", zfs.RenameOptions{}) })
	do(func() error { return tx.WillClaim("tank/jails/got") },
		func() error { return w.f.Create(ctx2, "tank/jails/got", zfs.CreateOptions{}) })
	return n
}

// A change killed at any point, after a step was journaled or after it
// ran, is undone by the next command: the tree is as before, whatever the
// kind of step.
func TestCrashAtEveryPointIsUndone(t *testing.T) {
	ctx := context.Background()
	all := 1 << 30
	total := func() int {
		w := newWorld(t)
		ctx, tx, err := w.s.Begin(ctx, "test", "web")
		if err != nil {
			t.Fatal(err)
		}
		defer tx.End()
		return w.change(ctx, tx, all)
	}()
	if total != 16 {
		t.Fatalf("%d points, want 16", total)
	}
	for p := 0; p <= total; p++ {
		w := newWorld(t)
		before := w.state()
		ctx, tx, err := w.s.Begin(ctx, "test", "web")
		if err != nil {
			t.Fatal(err)
		}
		w.change(ctx, tx, p)
		crash(tx)
		if p == total && w.state() == before {
			t.Fatal("the change changed nothing")
		}
		if err := w.s.Recover(context.Background()); err != nil {
			t.Fatalf("point %d: recover: %v", p, err)
		}
		if got := w.state(); got != before {
			t.Fatalf("point %d: after recovery\n%s\nwant\n%s", p, got, before)
		}
		if files, _ := w.s.journals(); len(files) != 0 {
			t.Fatalf("point %d: journals left %v", p, files)
		}
		if p > 0 && !strings.Contains(w.log.String(), "Cleaned up after an interrupted test of web.") {
			t.Fatalf("point %d: recovery said %q", p, w.log.String())
		}
		// The undo command runs from the point it is journaled on.
		umounts := 0
		for _, c := range w.rec.Lines() {
			if c == "umount /mnt" {
				umounts++
			}
		}
		if want := map[bool]int{true: 1, false: 0}[p >= 11]; umounts != want {
			t.Fatalf("point %d: %d umounts, want %d", p, umounts, want)
		}
	}
}

// A failure unwinds the same steps in-process, newest first, with the
// process's own undos in their place, and leaves no journal.
func TestFailUnwindsNewestFirst(t *testing.T) {
	w := newWorld(t)
	before := w.state()
	ctx, tx, err := w.s.Begin(context.Background(), "test", "web")
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	tx.Add(func() error { order = append(order, "first"); return nil })
	w.change(ctx, tx, 1<<30)
	tx.Add(func() error { order = append(order, "last"); return nil })
	if err := tx.Fail(); err != nil {
		t.Fatal(err)
	}
	tx.End()
	if got := w.state(); got != before {
		t.Fatalf("after Fail\n%s\nwant\n%s", got, before)
	}
	if !slices.Equal(order, []string{"last", "first"}) {
		t.Fatalf("order %v", order)
	}
	if files, _ := w.s.journals(); len(files) != 0 {
		t.Fatalf("journals left %v", files)
	}
}

// A name found taken is not the change's to destroy; a command that
// failed has nothing to undo; what is forgotten stays.
func TestMadeRanForget(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	ctx, tx, err := w.s.Begin(ctx, "test", "web")
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.WillCreate("tank/jails/web", true); err != nil {
		t.Fatal(err)
	}
	taken := tx.Made("tank/jails/web", w.f.Create(ctx, "tank/jails/web", zfs.CreateOptions{}))
	if !errors.Is(taken, zfs.ErrExists) {
		t.Fatalf("Made returned %v", taken)
	}
	if err := tx.WillRun(host.Cmd{Name: "umount", Args: []string{"/x"}}, ""); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	if err := tx.Ran(boom); err != boom {
		t.Fatalf("Ran returned %v", err)
	}
	if err := tx.WillCreate("tank/keep", false); err != nil {
		t.Fatal(err)
	}
	if err := tx.Made("tank/keep", w.f.Create(ctx, "tank/keep", zfs.CreateOptions{})); err != nil {
		t.Fatal(err)
	}
	if err := tx.Forget("tank/keep"); err != nil {
		t.Fatal(err)
	}
	tx.End()
	if _, err := w.f.Get(ctx, "tank/jails/web"); err != nil {
		t.Fatalf("a dataset found taken was destroyed: %v", err)
	}
	if _, err := w.f.Get(ctx, "tank/keep"); err != nil {
		t.Fatalf("a forgotten dataset was destroyed: %v", err)
	}
	if len(w.rec.Calls()) != 0 {
		t.Fatalf("ran %v", w.rec.Lines())
	}
}

// A rollback is finished, not undone: killed after its first dataset, the
// next command rolls back the rest.
func TestRollBackIsFinished(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(w.f.Snapshot(ctx, "tank/jails/web@s1", true))
	must(w.f.Snapshot(ctx, "tank/jails/web@s2", true))
	_, tx, err := w.s.Begin(ctx, "rollback", "web")
	must(err)
	must(tx.WillRollBack("s1", "tank/jails/web/root", "tank/jails/web"))
	must(w.f.Rollback(ctx, "tank/jails/web/root@s1", true))
	crash(tx)
	must(w.s.Recover(ctx))
	for _, n := range w.f.Names() {
		if strings.HasSuffix(n, "@s2") {
			t.Fatalf("%s survived the rollback", n)
		}
	}
}

// A journal whose undo fails stays, and the next command tries again.
func TestRecoverKeepsWhatFails(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	_, tx, err := w.s.Begin(ctx, "create", "new")
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.WillCreate("tank/jails/new", true); err != nil {
		t.Fatal(err)
	}
	if err := w.f.Create(ctx, "tank/jails/new", zfs.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	crash(tx)
	w.f.FailOnce("destroy", "tank/jails/new", errors.New("dataset is busy"))
	if err := w.s.Recover(ctx); err == nil || !strings.Contains(err.Error(), "clean up after an interrupted create of new: dataset is busy") {
		t.Fatalf("recover: %v", err)
	}
	// Begin recovers first.
	_, next, err := w.s.Begin(ctx, "snapshot", "web")
	if err != nil {
		t.Fatalf("begin: %v", err)
	}
	next.End()
	if _, err := w.f.Get(ctx, "tank/jails/new"); !errors.Is(err, zfs.ErrNotFound) {
		t.Fatalf("the second try left tank/jails/new: %v", err)
	}
}

// Waiting for the lock ends with the context (Ctrl-C), and the waiter
// holds nothing afterwards.
func TestBeginWaitEndsWithContext(t *testing.T) {
	w := newWorld(t)
	_, holder, err := w.s.Begin(context.Background(), "update", "web")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, _, err := w.s.Begin(ctx, "snapshot", "web")
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("Begin did not wait for the lock: %v", err)
	case <-time.After(100 * time.Millisecond):
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled wait: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the wait did not end with its context")
	}
	if err := holder.Commit(); err != nil {
		t.Fatal(err)
	}
	// The cancelled waiter gets the lock after the holder and lets go.
	got := make(chan error, 1)
	go func() {
		_, tx, err := w.s.Begin(context.Background(), "snapshot", "web")
		if err == nil {
			err = tx.Commit()
		}
		got <- err
	}()
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the lock stayed held after a cancelled wait")
	}
}

// A change begun inside another shares its lock, keeps a journal of its
// own, and is undone before it after a crash.
func TestNestedChangeSharesTheLock(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	ctx, outer, err := w.s.Begin(ctx, "create", "new")
	if err != nil {
		t.Fatal(err)
	}
	if err := outer.WillCreate("tank/jails/new", true); err != nil {
		t.Fatal(err)
	}
	if err := w.f.Create(ctx, "tank/jails/new", zfs.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	inner := make(chan *Tx, 1)
	go func() {
		_, tx, err := w.s.Begin(ctx, "fetch", "S")
		if err != nil {
			t.Error(err)
		}
		inner <- tx
	}()
	var tx *Tx
	select {
	case tx = <-inner:
	case <-time.After(5 * time.Second):
		t.Fatal("a change inside another waited for the lock")
	}
	if err := tx.WillCreate("tank/releases/S", true); err != nil {
		t.Fatal(err)
	}
	if err := w.f.Create(ctx, "tank/releases/S", zfs.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if files, _ := w.s.journals(); len(files) != 2 {
		t.Fatalf("journals %v", files)
	}
	crash(tx)
	crash(outer)
	if err := w.s.Recover(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, n := range w.f.Names() {
		if strings.Contains(n, "/S") || strings.Contains(n, "/new") {
			t.Fatalf("%s left", n)
		}
	}
}

// The generation counts the changes that may have changed the tree.
func TestGeneration(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	if g := w.s.Generation(); g != 0 {
		t.Fatalf("fresh generation %d", g)
	}
	_, tx, err := w.s.Begin(ctx, "snapshot", "web")
	if err != nil {
		t.Fatal(err)
	}
	tx.End() // refused before any step
	if g := w.s.Generation(); g != 0 {
		t.Fatalf("a change that did nothing counted: %d", g)
	}
	_, tx, err = w.s.Begin(ctx, "snapshot", "web")
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if g := w.s.Generation(); g != 1 {
		t.Fatalf("after a commit: %d", g)
	}
}

// The jail owns its root: an undo umount whose mount point the jail has
// turned into a symlink meanwhile is not run (umount would follow it).
func TestRunUndoRefusesASymlinkedMountPoint(t *testing.T) {
	w := newWorld(t)
	root := t.TempDir()
	if err := os.Symlink("/", filepath.Join(root, "mnt")); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "media"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, tx, err := w.s.Begin(context.Background(), "fstab", "web")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"mnt", "media"} {
		if err := tx.WillRun(host.Cmd{Name: "umount", Args: []string{"-f", filepath.Join(root, d)}}, root); err != nil {
			t.Fatal(err)
		}
	}
	crash(tx)
	if err := w.s.Recover(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := w.rec.Lines(); !slices.Equal(got, []string{"umount -f " + filepath.Join(root, "media")}) {
		t.Fatalf("ran %q", got)
	}
	if !strings.Contains(w.log.String(), "cleanup: umount -f "+filepath.Join(root, "mnt")+" not run") {
		t.Fatalf("said %q", w.log.String())
	}
}
