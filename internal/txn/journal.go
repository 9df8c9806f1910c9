package jail

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jcage/jcage/internal/config"

	"github.com/jcage/jcage/internal/revert"
	"github.com/jcage/jcage/internal/zfs"
)

// A journal is the undo stack of a multi-step change written to disk
// before each step, so that a process killed outright (SIGKILL, a power
// cut) leaves a record the next jcage command uses to clean up. It lives
// beside the tree lock, which every journaled change holds: a journal
// found by whoever holds the lock next belongs to a process that died.
type journal struct {
	path  string
	owner *os.File      // flocked while the change runs: see alive
	Op    string        `json:"op"`
	Name  string        `json:"name"`
	Steps []journalStep `json:"steps"`
}

// journalStep undoes one step: destroy a dataset or snapshot, rename one
// back, put a file's content back, or clear a property set on a dataset.
type journalStep struct {
	Destroy   string `json:"destroy,omitempty"`
	Recursive bool   `json:"recursive,omitempty"`
	// Since is when the step was recorded (Unix seconds): a dataset
	// created before then was there already, and is not the change's to
	// destroy (its step failed because the name was taken).
	Since int64  `json:"since,omitempty"`
	From  string `json:"from,omitempty"` // rename back: From is the new name
	To    string `json:"to,omitempty"`
	// File is put back to Data (a config.json a change rewrote).
	File string `json:"file,omitempty"`
	Data []byte `json:"data,omitempty"`
	// Inherit clears the local value of Prop on that dataset.
	Inherit string `json:"inherit,omitempty"`
	Prop    string `json:"prop,omitempty"`
	// DropTo rolls DropTo and its children back to their snapshot Snap
	// and destroys it (update and upgrade).
	DropTo string `json:"drop_to,omitempty"`
	Snap   string `json:"snap,omitempty"`
}

func (h *Host) journalDir() string {
	dir := h.LockDir
	if dir == "" {
		dir = DefaultLockDir
	}
	return filepath.Join(dir, "jcage-journal")
}

// beginJournal starts the journal of one change.
func (h *Host) beginJournal(op, name string) (*journal, error) {
	dir := h.journalDir()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	// Written with its first step: until then there is nothing to undo.
	j := &journal{path: filepath.Join(dir, op+"-"+strings.ReplaceAll(name, "/", "_")+".json"), Op: op, Name: name}
	// The owner file stays locked while this process lives, so that a
	// command holding another lock than the change's never replays a
	// journal whose change is still running.
	f, err := os.OpenFile(j.path+".owner", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := flockExclusive(f); err != nil {
		f.Close()
		return nil, err
	}
	j.owner = f
	return j, nil
}

// alive reports whether the process that writes the journal at path is
// still running: it holds the owner file's lock until it ends.
func alive(path string) bool {
	f, err := os.OpenFile(path+".owner", os.O_RDWR, 0)
	if err != nil {
		return false
	}
	defer f.Close()
	ok, err := flockTry(f)
	if err != nil || !ok {
		return err == nil
	}
	funlock(f)
	return false
}

func (j *journal) save() error {
	b, err := json.Marshal(j)
	if err != nil {
		return err
	}
	return config.WriteRunFile(j.path, b, 0o600)
}

// destroyOnCrash records that ds must go if the change never finishes;
// call it before the step that creates ds.
func (j *journal) destroyOnCrash(ds string, recursive bool) error {
	return j.destroyAllOnCrash(crashDestroy{ds, recursive})
}

// crashDestroy is one dataset destroyOnCrash records.
type crashDestroy struct {
	ds        string
	recursive bool
}

// destroyAllOnCrash records several datasets with one journal write.
func (j *journal) destroyAllOnCrash(ds ...crashDestroy) error {
	now := time.Now().Unix()
	for _, d := range ds {
		j.Steps = append(j.Steps, journalStep{Destroy: d.ds, Recursive: d.recursive, Since: now})
	}
	return j.save()
}

// forget drops the steps that would destroy ds: the call that was to
// create it failed (zfs makes a dataset whole or not at all), most often
// because the name was taken, and what holds the name is not this
// change's to destroy.
func (j *journal) forget(ds string) error {
	kept := j.Steps[:0]
	for _, st := range j.Steps {
		if st.Destroy != ds {
			kept = append(kept, st)
		}
	}
	j.Steps = kept
	return j.save()
}

// renameBackOnCrash records that to must be renamed back to from.
func (j *journal) renameBackOnCrash(from, to string) error {
	j.Steps = append(j.Steps, journalStep{From: to, To: from})
	return j.save()
}

// done removes the journal: the change finished or unwound itself.
func (j *journal) done() {
	if j != nil {
		_ = os.Remove(j.path)
		j.release()
	}
}

// release lets go of the owner lock (the journal stays for Recover).
func (j *journal) release() {
	if j != nil && j.owner != nil {
		_ = os.Remove(j.path + ".owner")
		j.owner.Close()
		j.owner = nil
	}
}

// replay undoes every recorded step, newest first; steps that never ran
// find nothing to undo.
func (h *Host) replay(ctx context.Context, j *journal) error {
	for i := len(j.Steps) - 1; i >= 0; i-- {
		st := j.Steps[i]
		var err error
		switch {
		case st.Destroy != "":
			err = h.destroySince(ctx, st.Destroy, st.Since, zfs.DestroyOptions{Recursive: st.Recursive, Clones: true, Force: true})
		case st.From != "":
			if _, gerr := h.ZFS.Get(ctx, st.From); gerr == nil {
				err = h.ZFS.Rename(ctx, st.From, st.To, zfs.RenameOptions{Force: true})
			}
		case st.File != "":
			// Only where the file still is: its dataset may be gone.
			if _, serr := os.Stat(st.File); serr == nil {
				err = config.WriteFileAtomic(st.File, st.Data, 0o644)
			}
		case st.Inherit != "":
			err = h.ZFS.Inherit(ctx, st.Inherit, st.Prop)
		case st.DropTo != "":
			if _, gerr := h.ZFS.Get(ctx, zfs.SnapName(st.DropTo, st.Snap)); gerr == nil {
				err = h.dropTo(ctx, st.DropTo, st.Snap)
			}
		}
		if err != nil && !errors.Is(err, zfs.ErrNotFound) {
			return fmt.Errorf("clean up after an interrupted %s of %s: %w", j.Op, j.Name, err)
		}
	}
	return nil
}

// destroySince destroys ds only if it was created at or after since
// (Unix seconds; 0 means always): unwinding a change must never take a
// dataset that was there before it, such as a snapshot whose name the
// change found taken.
func (h *Host) destroySince(ctx context.Context, ds string, since int64, opts zfs.DestroyOptions) error {
	if since != 0 {
		d, err := h.ZFS.Get(ctx, ds)
		if err != nil {
			return err
		}
		if d.Creation.Unix() < since {
			return nil
		}
	}
	return h.ZFS.Destroy(ctx, ds, opts)
}

// abandon unwinds a change that did not finish: its undo stack, then the
// journal, which also covers a step that completed in ZFS although its
// command was killed. A journal that cannot be replayed stays for the
// next command.
func (h *Host) abandon(ctx context.Context, r *revert.Reverter, j *journal) {
	r.Fail()
	if err := h.replay(ctx, j); err != nil {
		h.say("%v", err)
		j.release()
		return
	}
	j.done()
}

// Recover replays the journals of changes whose process died, newest step
// first, and says what it cleaned. Call it holding the tree lock.
func (h *Host) Recover(ctx context.Context) error {
	files, err := filepath.Glob(filepath.Join(h.journalDir(), "*.json"))
	if err != nil || len(files) == 0 {
		return err
	}
	for _, f := range files {
		if alive(f) {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		var j journal
		if err := json.Unmarshal(b, &j); err != nil {
			// A journal cut short before its first step was saved whole.
			_ = os.Remove(f)
			continue
		}
		if err := h.replay(ctx, &j); err != nil {
			return err
		}
		if err := os.Remove(f); err != nil {
			return err
		}
		_ = os.Remove(f + ".owner")
		h.say("Cleaned up after an interrupted %s of %s.", j.Op, j.Name)
	}
	return nil
}

// recoverUnlocked cleans up after dead processes when there is anything to
// clean, taking the tree lock for that alone.
func (h *Host) recoverUnlocked(ctx context.Context) error {
	files, _ := filepath.Glob(filepath.Join(h.journalDir(), "*.json"))
	if len(files) == 0 {
		return nil
	}
	lock, err := h.LockTree()
	if err != nil {
		return err
	}
	defer lock.Unlock()
	return h.Recover(ctx)
}

// txn is one multi-step change: an undo stack for the failures this
// process sees, and a journal for the ones it does not live through.
type txn struct {
	*revert.Reverter
	h   *Host
	j   *journal
	ctx context.Context // for cleanups: not cancelled by an interrupt
	ok  bool
	// ended is set once the change was unwound or committed.
	ended bool
}

// begin starts a change; defer its end.
func (h *Host) begin(ctx context.Context, op, name string) (*txn, error) {
	j, err := h.beginJournal(op, name)
	if err != nil {
		return nil, err
	}
	r := revert.New()
	r.Log = h.Out
	return &txn{Reverter: r, h: h, j: j, ctx: undoCtx(ctx)}, nil
}

// end unwinds the change unless it was committed.
func (t *txn) end() {
	if !t.ok && !t.ended {
		t.h.abandon(t.ctx, t.Reverter, t.j)
	}
	t.ended = true
}

// commit keeps the change.
func (t *txn) commit() {
	t.Success()
	t.j.done()
	t.ok = true
}

func (t *txn) destroyAllOnCrash(ds ...crashDestroy) error { return t.j.destroyAllOnCrash(ds...) }

// made reports the outcome of the call that was to create ds: when it
// failed, the journal forgets ds, and err is returned as it was.
func (t *txn) made(ds string, err error) error {
	if err != nil {
		if ferr := t.j.forget(ds); ferr != nil {
			return errors.Join(err, ferr)
		}
	}
	return err
}

func (t *txn) destroyOnCrash(ds string, recursive bool) error {
	return t.j.destroyOnCrash(ds, recursive)
}

func (t *txn) renameBackOnCrash(from, to string) error { return t.j.renameBackOnCrash(from, to) }

// restoreFile records path's current content and puts it back on failure
// and, through the journal, after a crash.
func (t *txn) restoreFile(path string) error {
	orig, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	t.j.Steps = append(t.j.Steps, journalStep{File: path, Data: orig})
	if err := t.j.save(); err != nil {
		return err
	}
	t.Add(func() error { return config.WriteFileAtomic(path, orig, 0o644) })
	return nil
}

// inheritProp makes a property about to be set on ds go back to its
// inherited value on failure and after a crash.
func (t *txn) inheritProp(ds, prop string) error {
	t.j.Steps = append(t.j.Steps, journalStep{Inherit: ds, Prop: prop})
	if err := t.j.save(); err != nil {
		return err
	}
	t.Add(func() error { return t.h.ZFS.Inherit(t.ctx, ds, prop) })
	return nil
}

// move renames a jail's dataset within the change: the readonly a
// template carries is lifted first when liftReadonly is set, and both
// steps are undone if the change does not finish. It returns the dataset
// under its new name.
func (t *txn) move(ctx context.Context, from, to string, liftReadonly bool) (zfs.Dataset, error) {
	h := t.h
	if liftReadonly {
		if err := h.ZFS.SetProps(ctx, from, map[string]string{"readonly": "off"}); err != nil {
			return zfs.Dataset{}, err
		}
		t.Add(func() error { return h.ZFS.SetProps(t.ctx, from, map[string]string{"readonly": "on"}) })
	}
	if err := t.renameBackOnCrash(from, to); err != nil {
		return zfs.Dataset{}, err
	}
	if err := h.ZFS.Rename(ctx, from, to, zfs.RenameOptions{Force: true}); err != nil {
		return zfs.Dataset{}, err
	}
	t.Add(func() error { return h.ZFS.Rename(t.ctx, to, from, zfs.RenameOptions{Force: true}) })
	return h.ZFS.Get(ctx, to)
}

// dropToOnCrash records that ds goes back to its snapshot name (and the
// snapshot goes) if the change never finishes; call it once the snapshot
// exists.
func (j *journal) dropToOnCrash(ds, name string) error {
	j.Steps = append(j.Steps, journalStep{DropTo: ds, Snap: name})
	return j.save()
}
