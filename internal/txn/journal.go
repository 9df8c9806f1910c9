package txn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/jcage/jcage/internal/atomicfile"
	"github.com/jcage/jcage/internal/confine"
	"github.com/jcage/jcage/internal/host"
	"github.com/jcage/jcage/internal/layout"
	"github.com/jcage/jcage/internal/zfs"
)

// Store is where a host keeps its tree lock and the journals of the changes
// under way, and what it replays them with.
type Store struct {
	// Dir is the run directory (DefaultDir when empty): jcage.lock, and
	// jcage-journal/ with one file per change under way.
	Dir string
	ZFS zfs.Manager
	// Run runs the commands a journal records (mount, umount); nil leaves
	// them out.
	Run host.Runner
	// Log receives what a recovery cleaned and the cleanups that failed;
	// nil discards it.
	Log io.Writer
}

func (s *Store) dir() string {
	if s.Dir == "" {
		return DefaultDir
	}
	return s.Dir
}

func (s *Store) journalDir() string { return filepath.Join(s.dir(), "jcage-journal") }

func (s *Store) say(format string, a ...any) {
	if s.Log != nil {
		fmt.Fprintf(s.Log, format+"\n", a...)
	}
}

// A journal is the undo log of one change, written to disk before each of
// its steps runs, so that a process killed outright (SIGKILL, a power cut)
// leaves a record from which the next jcage command puts the tree back.
// Every change holds the tree lock while its journal exists, so a journal
// found by whoever holds the lock next belongs to a process that died.
type journal struct {
	Op    string `json:"op"`
	Name  string `json:"name"`
	Steps []step `json:"steps"`
}

// step undoes one step of a change; exactly one of its verbs is set.
type step struct {
	// Destroy destroys a dataset or snapshot the change made.
	Destroy   string `json:"destroy,omitempty"`
	Recursive bool   `json:"recursive,omitempty"`
	// Since is when the step was recorded (Unix seconds): a dataset (or a
	// DropTo snapshot) created before then was there already, and is not
	// the change's to destroy (its step failed because the name was
	// taken). 0 means the name was known to be free.
	Since int64 `json:"since,omitempty"`
	// From is renamed back to To.
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
	// File is put back to Data with Mode, or removed when Absent.
	File   string `json:"file,omitempty"`
	Data   []byte `json:"data,omitempty"`
	Mode   uint32 `json:"mode,omitempty"`
	Absent bool   `json:"absent,omitempty"`
	// Inherit clears the local value of Prop on that dataset; Set gives
	// it back Value.
	Inherit string `json:"inherit,omitempty"`
	Set     string `json:"set,omitempty"`
	Prop    string `json:"prop,omitempty"`
	Value   string `json:"value,omitempty"`
	// DropTo rolls DropTo and its children back to their snapshot Snap
	// and destroys it.
	DropTo string `json:"drop_to,omitempty"`
	Snap   string `json:"snap,omitempty"`
	// Rollback finishes a rollback instead of undoing it: ZFS destroys
	// what it rolls back over, so the only whole state left is the
	// rolled-back one. Rollback goes to its snapshot Snap if it still has
	// one.
	Rollback string `json:"rollback,omitempty"`
	// Run is a command (mount, umount) that undoes what a command did.
	// Its last argument is a mount point under the jail root Within.
	Run    []string `json:"run,omitempty"`
	Within string   `json:"within,omitempty"`
}

// kind names a step in crash traces and messages.
func (st *step) kind() string {
	switch {
	case st.Destroy != "":
		return "destroy " + st.Destroy
	case st.From != "":
		return "rename " + st.From
	case st.File != "":
		return "file " + st.File
	case st.Inherit != "":
		return "inherit " + st.Inherit + " " + st.Prop
	case st.Set != "":
		return "set " + st.Set + " " + st.Prop
	case st.DropTo != "":
		return "drop-to " + st.DropTo + "@" + st.Snap
	case st.Rollback != "":
		return "rollback " + st.Rollback + "@" + st.Snap
	case len(st.Run) > 0:
		return "run " + strings.Join(st.Run, " ")
	}
	return "nothing"
}

// bestEffort steps cannot tell a command that already ran from one that
// never did: their failure is reported, and never keeps the journal.
func (st *step) bestEffort() bool { return len(st.Run) > 0 }

// undo carries out one step's undo. Steps whose change never ran find
// nothing to undo: undoing is idempotent, so a journal can be replayed
// again after a replay that was itself interrupted.
func (s *Store) undo(ctx context.Context, st *step) error {
	var err error
	switch {
	case st.Destroy != "":
		err = s.destroySince(ctx, st.Destroy, st.Since, zfs.DestroyOptions{Recursive: st.Recursive, Clones: true, Force: true})
	case st.From != "":
		if _, gerr := s.ZFS.Get(ctx, st.From); gerr == nil {
			err = s.ZFS.Rename(ctx, st.From, st.To, zfs.RenameOptions{Force: true})
		}
	case st.File != "":
		err = undoFile(st)
	case st.Inherit != "":
		err = s.ZFS.Inherit(ctx, st.Inherit, st.Prop)
	case st.Set != "":
		err = s.ZFS.SetProps(ctx, st.Set, map[string]string{st.Prop: st.Value})
	case st.DropTo != "":
		var d zfs.Dataset
		if d, err = s.ZFS.Get(ctx, layout.SnapName(st.DropTo, st.Snap)); err == nil && d.Creation.Unix() >= st.Since {
			err = s.dropTo(ctx, st.DropTo, st.Snap)
		}
	case st.Rollback != "":
		if _, err = s.ZFS.Get(ctx, layout.SnapName(st.Rollback, st.Snap)); err == nil {
			err = s.ZFS.Rollback(ctx, layout.SnapName(st.Rollback, st.Snap), true)
		}
	case len(st.Run) > 0:
		err = s.runUndo(ctx, st)
	}
	if errors.Is(err, zfs.ErrNotFound) {
		return nil
	}
	return err
}

// runUndo runs a recorded command. Its mount point lies under a jail root,
// which the jail owns, and mount(8) and umount(8) follow symlinks: the
// command runs only while every component of that path is still a
// directory and no symlink, checked at this moment.
func (s *Store) runUndo(ctx context.Context, st *step) error {
	if s.Run == nil {
		return nil
	}
	if st.Within != "" {
		rel, ok := confine.Rel(st.Within, st.Run[len(st.Run)-1])
		if !ok {
			return fmt.Errorf("%s is not under %s: not run", strings.Join(st.Run, " "), st.Within)
		}
		if _, err := confine.CheckPath(st.Within, rel, false); err != nil {
			return fmt.Errorf("%s not run: %w", strings.Join(st.Run, " "), err)
		}
	}
	_, err := s.Run.Run(ctx, host.Cmd{Name: st.Run[0], Args: st.Run[1:]})
	return err
}

// undoFile puts a file back; only where it still is, since its dataset may
// be gone (or renamed back) by then.
func undoFile(st *step) error {
	if st.Absent {
		err := os.Remove(st.File)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	if _, err := os.Lstat(st.File); err != nil {
		return nil
	}
	mode := fs.FileMode(st.Mode)
	if mode == 0 {
		mode = 0o644
	}
	return atomicfile.Write(st.File, st.Data, mode)
}

// destroySince destroys ds only if it was created at or after since (Unix
// seconds; 0 means always): unwinding a change must never take a dataset
// that was there before it, such as a snapshot whose name the change found
// taken.
func (s *Store) destroySince(ctx context.Context, ds string, since int64, opts zfs.DestroyOptions) error {
	if since != 0 {
		d, err := s.ZFS.Get(ctx, ds)
		if err != nil {
			return err
		}
		if d.Creation.Unix() < since {
			return nil
		}
	}
	return s.ZFS.Destroy(ctx, ds, opts)
}

// dropTo rolls every filesystem under ds back to its snapshot name,
// deepest first, then destroys that snapshot: the dataset tree is as it
// was before the snapshot was taken.
func (s *Store) dropTo(ctx context.Context, ds, name string) error {
	list, err := s.ZFS.List(ctx, ds, zfs.ListOptions{Types: []string{zfs.Filesystem, zfs.Snapshot}, Recursive: true})
	if err != nil {
		return err
	}
	has := map[string]bool{}
	for _, d := range list {
		if fs, snap, ok := layout.SplitSnap(d.Name); ok && snap == name {
			has[fs] = true
		}
	}
	var fss []string
	for _, d := range list {
		if d.Type == zfs.Filesystem && has[d.Name] {
			fss = append(fss, d.Name)
		}
	}
	sort.SliceStable(fss, func(a, b int) bool { return strings.Count(fss[a], "/") > strings.Count(fss[b], "/") })
	for _, fs := range fss {
		if err := s.ZFS.Rollback(ctx, layout.SnapName(fs, name), false); err != nil {
			return err
		}
	}
	return s.ZFS.Destroy(ctx, layout.SnapName(ds, name), zfs.DestroyOptions{Recursive: true})
}

// replay undoes every step of a journal, newest first. It stops at the
// first failure (a best-effort step's failure is only reported).
func (s *Store) replay(ctx context.Context, j *journal) error {
	for i := len(j.Steps) - 1; i >= 0; i-- {
		st := &j.Steps[i]
		if err := s.undo(ctx, st); err != nil {
			if st.bestEffort() {
				s.say("cleanup: %v", err)
				continue
			}
			return fmt.Errorf("clean up after an interrupted %s of %s: %w", j.Op, j.Name, err)
		}
	}
	return nil
}

// journals lists the journal files, newest first: a change begun inside
// another (a create that fetches its release) is undone before it.
func (s *Store) journals() ([]string, error) {
	files, err := filepath.Glob(filepath.Join(s.journalDir(), "*.json"))
	sort.Sort(sort.Reverse(sort.StringSlice(files)))
	return files, err
}

// Recover replays the journals that dead processes left, and says what it
// cleaned. It takes the tree lock for that, unless ctx runs inside a
// transaction (which did it already); with no journal it takes nothing.
// Every Begin recovers first; read commands call Recover so that what they
// show is never a change half made.
func (s *Store) Recover(ctx context.Context) error {
	if files, err := s.journals(); err != nil || len(files) == 0 || s.held(ctx) != nil {
		return err
	}
	lock, err := lockTree(ctx, s.dir())
	if err != nil {
		return err
	}
	defer lock.unlock()
	return s.recoverLocked(ctx)
}

// recoverLocked is Recover under the tree lock.
func (s *Store) recoverLocked(ctx context.Context) error {
	files, err := s.journals()
	if err != nil || len(files) == 0 {
		return err
	}
	ctx = context.WithoutCancel(ctx)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		var j journal
		if err := json.Unmarshal(b, &j); err != nil {
			// Journals are written whole (temp file, rename): this one
			// holds nothing to undo.
			_ = os.Remove(f)
			continue
		}
		if err := s.replay(ctx, &j); err != nil {
			return err
		}
		if err := os.Remove(f); err != nil {
			return err
		}
		s.say("Cleaned up after an interrupted %s of %s.", j.Op, j.Name)
	}
	return s.bump()
}

// Generation counts the changes made to the tree: every transaction that
// ends, and every recovery, adds one. An inventory read before the tree
// lock was taken is current as long as the generation is the same.
func (s *Store) Generation() uint64 {
	b, err := os.ReadFile(filepath.Join(s.journalDir(), "generation"))
	if err != nil {
		return 0
	}
	n, _ := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	return n
}

// bump adds one to the generation; call it holding the tree lock.
func (s *Store) bump() error {
	if err := os.MkdirAll(s.journalDir(), 0o700); err != nil {
		return err
	}
	n := s.Generation() + 1
	return atomicfile.WriteNoSync(filepath.Join(s.journalDir(), "generation"), []byte(strconv.FormatUint(n, 10)+"\n"), 0o600)
}
