package txn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jcage/jcage/internal/atomicfile"
	"github.com/jcage/jcage/internal/host"
	"github.com/jcage/jcage/internal/layout"
)

// Tx is one change to the tree: it holds the tree lock, journals the undo
// of each step before the step runs, and unwinds on failure, on an
// interrupt, and (through the journal) after the process was killed.
//
//	ctx, tx, err := store.Begin(ctx, "rename", name)
//	if err != nil { return err }
//	defer tx.End()
//	if err := tx.WillRename(from, to); err != nil { return err }
//	... rename ...
//	return tx.Commit()
type Tx struct {
	s        *Store
	op, name string
	path     string // the journal file
	saved    bool   // the journal file exists
	// lock is the tree lock, held by the outermost transaction; top is
	// that transaction (t itself when outermost).
	lock    *treeLock
	top     *Tx
	log     []*entry
	after   []func()
	cleanup context.Context
	done    bool // committed or unwound
	// touched is set on the outermost transaction once any step of it
	// (or of one inside it) was recorded, or one of them committed: the
	// tree may have changed.
	touched bool
}

// entry is one undo: a journaled step, or a function that only this
// process can run (a jail it started, which does not outlive it).
type entry struct {
	st *step
	fn func() error
	// made is set once this process saw the step's dataset made: its
	// undo need not ask whether it is older than the step.
	made bool
}

type ctxKey struct{}

var journalSeq atomic.Uint64

// Begin starts a change named op on name ("rename", "web"). It takes the
// tree lock, waiting for another command to finish; ctx cancelled (Ctrl-C)
// ends the wait with ctx's error. Holding the lock, it first replays the
// journals of changes whose process died. The returned context carries the
// transaction: a change begun with it (a create that fetches its release)
// shares the lock and keeps a journal of its own. Defer End.
func (s *Store) Begin(ctx context.Context, op, name string) (context.Context, *Tx, error) {
	if err := ctx.Err(); err != nil {
		return ctx, nil, err
	}
	t := &Tx{s: s, op: op, name: name}
	if top := s.held(ctx); top != nil {
		t.top = top
	} else {
		lock, err := lockTree(ctx, s.dir())
		if err != nil {
			return ctx, nil, err
		}
		if err := s.recoverLocked(ctx); err != nil {
			lock.unlock()
			return ctx, nil, err
		}
		t.lock, t.top = lock, t
	}
	t.path = filepath.Join(s.journalDir(), fmt.Sprintf("%d-%d-%s-%s.json", time.Now().UnixNano(), journalSeq.Add(1), op, strings.ReplaceAll(name, "/", "_")))
	ctx = context.WithValue(ctx, ctxKey{}, t)
	t.cleanup = context.WithoutCancel(ctx)
	return ctx, t, nil
}

// held returns the transaction of ctx that holds this store's tree lock.
func (s *Store) held(ctx context.Context) *Tx {
	t, _ := ctx.Value(ctxKey{}).(*Tx)
	if t == nil || t.top.done || t.top.lock == nil || t.top.s.dir() != s.dir() {
		return nil
	}
	return t.top
}

// Cleanup is the context for undo functions: it is not cancelled by the
// interrupt that makes a change unwind.
func (t *Tx) Cleanup() context.Context { return t.cleanup }

// record journals st before its step runs.
func (t *Tx) record(steps ...step) error {
	if t.done {
		return fmt.Errorf("%s of %s: step after the end of the change", t.op, t.name)
	}
	for i := range steps {
		t.log = append(t.log, &entry{st: &steps[i]})
	}
	t.top.touched = true
	return t.save(steps[len(steps)-1].kind())
}

// save writes the journal (or removes it when nothing is left to undo).
func (t *Tx) save(what string) error {
	j := journal{Op: t.op, Name: t.name}
	for _, e := range t.log {
		if e.st != nil {
			j.Steps = append(j.Steps, *e.st)
		}
	}
	if len(j.Steps) == 0 {
		return t.remove()
	}
	b, err := json.Marshal(j)
	if err != nil {
		return err
	}
	if !t.saved {
		if err := os.MkdirAll(t.s.journalDir(), 0o700); err != nil {
			return err
		}
	}
	if err := atomicfile.WriteNoSync(t.path, b, 0o600); err != nil {
		return err
	}
	t.saved = true
	crashPoint(t.op, t.name, what)
	return nil
}

func (t *Tx) remove() error {
	if !t.saved {
		return nil
	}
	if err := os.Remove(t.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	t.saved = false
	return nil
}

// Created is one dataset WillCreateAll records.
type Created struct {
	Dataset   string
	Recursive bool
}

// WillCreate records that ds, which the next step creates, is destroyed
// (with its children when recursive) on undo, unless it turns out older
// than this record: then the step failed on a name already taken.
func (t *Tx) WillCreate(ds string, recursive bool) error {
	return t.WillCreateAll(Created{ds, recursive})
}

// WillCreateAll is WillCreate of several datasets, in one journal write.
func (t *Tx) WillCreateAll(ds ...Created) error {
	now := time.Now().Unix()
	steps := make([]step, len(ds))
	for i, d := range ds {
		steps[i] = step{Destroy: d.Dataset, Recursive: d.Recursive, Since: now}
	}
	return t.record(steps...)
}

// WillClaim records that ds, whose name the change found free under the
// lock, is destroyed with its children on undo whatever its creation time:
// a received dataset, or one renamed into place, is older than the step
// that made it appear.
func (t *Tx) WillClaim(ds string) error {
	return t.record(step{Destroy: ds, Recursive: true})
}

// Made reports the outcome of the call that was to create ds (a dataset,
// or the snapshot of WillSnapshot): when it failed, the undo forgets ds
// (zfs makes a dataset whole or not at all, and a name found taken is not
// the change's to destroy), and err is returned as it was.
func (t *Tx) Made(ds string, err error) error {
	if err == nil {
		for _, e := range t.log {
			if e.st != nil && e.st.Destroy == ds {
				e.made = true
			}
		}
		return nil
	}
	if ferr := t.Forget(ds); ferr != nil {
		return errors.Join(err, ferr)
	}
	return err
}

// Forget drops the undo of ds (a dataset, or the snapshot of
// WillSnapshot): what the change made there stays, even if the change
// unwinds (a partial download worth resuming).
func (t *Tx) Forget(ds string) error {
	kept := t.log[:0]
	for _, e := range t.log {
		if e.st == nil || (e.st.Destroy != ds && (e.st.DropTo == "" || layout.SnapName(e.st.DropTo, e.st.Snap) != ds)) {
			kept = append(kept, e)
		}
	}
	t.log = kept
	return t.save("forget " + ds)
}

// WillRename records that from, renamed to to by the next step, is renamed
// back on undo.
func (t *Tx) WillRename(from, to string) error {
	return t.record(step{From: to, To: from})
}

// WillWrite records path's content, which the next step changes: undo
// puts it back, or removes the file when there was none.
func (t *Tx) WillWrite(path string) error {
	st := step{File: path}
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		st.Absent = true
	case err != nil:
		return err
	case !fi.Mode().IsRegular():
		return fmt.Errorf("%s is not a regular file", path)
	default:
		if st.Data, err = os.ReadFile(path); err != nil {
			return err
		}
		st.Mode = uint32(fi.Mode().Perm())
	}
	return t.record(st)
}

// WillSet records that prop of ds, which the next step sets, goes back to
// old on undo; an empty old means the value was inherited, and undo clears
// the local one.
func (t *Tx) WillSet(ds, prop, old string) error {
	if old == "" {
		return t.record(step{Inherit: ds, Prop: prop})
	}
	return t.record(step{Set: ds, Prop: prop, Value: old})
}

// WillSnapshot records that snap of ds, which the next step takes
// (recursively), is where undo rolls ds and its children back to before
// destroying it: the tree is then as it was before the snapshot.
func (t *Tx) WillSnapshot(ds, snap string) error {
	return t.record(step{DropTo: ds, Snap: snap, Since: time.Now().Unix()})
}

// WillRollBack records that datasets (deepest first) go back to their
// snapshot snap. A rollback cannot be undone (ZFS destroys what it rolls
// back over), so these steps are finished rather than undone: after a
// failure or a crash the rollbacks not yet made are made, and the tree is
// whole at snap, never half way. Record every dataset before the first
// rollback.
func (t *Tx) WillRollBack(snap string, datasets ...string) error {
	if len(datasets) == 0 {
		return nil
	}
	steps := make([]step, len(datasets))
	for i, ds := range datasets {
		// Replayed newest first: deepest first, as planned.
		steps[len(datasets)-1-i] = step{Rollback: ds, Snap: snap}
	}
	return t.record(steps...)
}

// WillRun records a command that undoes the next step (the umount of a
// mount). A command can't tell whether the step ran, so undo runs it on a
// best-effort basis: its failure is reported and nothing more. within,
// when set, is the jail root that the command's last argument (a mount
// point) lies under: undo runs the command only while that path holds no
// symlink, as the jail may have changed it since.
func (t *Tx) WillRun(undo host.Cmd, within string) error {
	return t.record(step{Run: append([]string{undo.Name}, undo.Args...), Within: within})
}

// Ran reports the outcome of the command guarded by the latest WillRun:
// when it failed, its undo is forgotten (there is nothing to undo), and
// err is returned as it was.
func (t *Tx) Ran(err error) error {
	if err == nil {
		return nil
	}
	for i := len(t.log) - 1; i >= 0; i-- {
		if st := t.log[i].st; st != nil && len(st.Run) > 0 {
			t.log = append(t.log[:i], t.log[i+1:]...)
			break
		}
	}
	if serr := t.save("forget command"); serr != nil {
		return errors.Join(err, serr)
	}
	return err
}

// Add pushes an undo that only this process can carry out (stopping a
// jail it started: the jail dies with the host's next reboot, not with
// jcage). Everything that outlives the process is journaled instead.
func (t *Tx) Add(undo func() error) {
	t.log = append(t.log, &entry{fn: undo})
}

// AfterCommit runs fn once the change is committed, still under the lock:
// tidying that is no step of the change (a snapshot kept only for undo).
func (t *Tx) AfterCommit(fn func()) { t.after = append(t.after, fn) }

// Commit keeps the change and ends it.
func (t *Tx) Commit() error {
	if t.done {
		return fmt.Errorf("%s of %s: commit after the end of the change", t.op, t.name)
	}
	if t.saved {
		crashPoint(t.op, t.name, "commit")
	}
	t.log = nil
	err := t.remove()
	t.done = true
	t.top.touched = true
	if err == nil {
		for _, fn := range t.after {
			fn()
		}
	}
	t.release()
	return err
}

// Fail unwinds the change now, newest step first, and returns the
// cleanups that failed (nil when everything unwound). A journaled step
// whose undo failed keeps the journal, which the next command replays.
// After Commit, Fail does nothing.
func (t *Tx) Fail() error {
	if t.done {
		return nil
	}
	t.done = true
	var errs []error
	keep := false
	for i := len(t.log) - 1; i >= 0; i-- {
		e := t.log[i]
		var err error
		st := e.st
		if e.made {
			mine := *st
			mine.Since = 0
			st = &mine
		}
		if e.fn != nil {
			err = e.fn()
		} else if err = t.s.undo(t.cleanup, st); err != nil && !st.bestEffort() {
			keep = true
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	t.log = nil
	if !keep {
		if err := t.remove(); err != nil {
			errs = append(errs, err)
		}
	}
	t.release()
	return errors.Join(errs...)
}

// End unwinds the change unless it was committed, reporting failed
// cleanups on the store's Log, and lets go of the lock.
func (t *Tx) End() {
	if t.done {
		return
	}
	if err := t.Fail(); err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			t.s.say("cleanup: %s", line)
		}
	}
}

// release lets go of the tree lock when t holds it, counting the change
// when it may have changed the tree.
func (t *Tx) release() {
	if t.lock == nil || t.lock.f == nil {
		return
	}
	if t.touched {
		if err := t.s.bump(); err != nil {
			t.s.say("cleanup: %v", err)
		}
	}
	t.lock.unlock()
}
