package jail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/jcage/jcage/internal/argv"
	"github.com/jcage/jcage/internal/fstab"
	"github.com/jcage/jcage/internal/host"
	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/txn"
)

// The fstab verbs change a jail's fstab under the jail's lock (its
// config.json, as set takes it) and, when the jail runs, mount or unmount
// the entry at once. The file change and the mount are one step: a mount
// that fails puts the file back byte for byte, and so does Ctrl-C. Every
// operation returns warnings for stderr (iocage's WARNING lines and
// libc's complaints about lines it skips); iocage's INFO lines go to Out.

// FstabTable reads a jail's fstab as iocage lists it.
func FstabTable(j *inventory.Jail) (*fstab.Table, []string, error) {
	if j.Err != nil {
		return nil, nil, fmt.Errorf("%s: %w", j.Name, j.Err)
	}
	t, err := fstab.Load(j.FstabPath())
	if err != nil {
		return nil, nil, err
	}
	return t, rejectedWarnings(t, j.FstabPath()), nil
}

// FstabAdd adds e, whose Dest is a path inside the jail, stamped with
// iocage's comment, after resolving Dest inside the jail root and checking
// it as iocage does (fstab.Table.Validate). A running jail gets it
// mounted.
func (h *Host) FstabAdd(ctx context.Context, inv *inventory.Inventory, j *inventory.Jail, e fstab.Entry) ([]string, error) {
	var warn []string
	err := h.editFstab(ctx, inv, j, &warn, func(t *fstab.Table, root string) ([]mountStep, error) {
		ne, w, err := h.prepareEntry(t, root, e, -1)
		if err != nil {
			return nil, err
		}
		warn = append(warn, w...)
		t.Add(ne)
		return []mountStep{mountOf(ne)}, nil
	})
	if err != nil {
		return warn, err
	}
	h.Say("Successfully added mount to %s's fstab", j.Name)
	return warn, nil
}

// FstabRemove removes the entry at index (0-based, as fstab -l numbers
// them) and unmounts it from a running jail.
func (h *Host) FstabRemove(ctx context.Context, inv *inventory.Inventory, j *inventory.Jail, index int) ([]string, error) {
	return h.fstabRemove(ctx, inv, j, func(*fstab.Table, string) int { return index })
}

// FstabRemoveEntry removes the first entry with e's six fields (Dest as
// seen inside the jail) and unmounts it from a running jail.
func (h *Host) FstabRemoveEntry(ctx context.Context, inv *inventory.Inventory, j *inventory.Jail, e fstab.Entry) ([]string, error) {
	return h.fstabRemove(ctx, inv, j, func(t *fstab.Table, root string) int {
		e.Dest = fstab.InJail(root, e.Dest)
		return t.Find(e)
	})
}

func (h *Host) fstabRemove(ctx context.Context, inv *inventory.Inventory, j *inventory.Jail, pick func(*fstab.Table, string) int) ([]string, error) {
	var warn []string
	err := h.editFstab(ctx, inv, j, &warn, func(t *fstab.Table, root string) ([]mountStep, error) {
		old, err := t.Remove(pick(t, root))
		if err != nil {
			return nil, err
		}
		return []mountStep{unmountOf(old)}, nil
	})
	if err != nil {
		return warn, err
	}
	h.Say("Successfully removed mount from %s's fstab", j.Name)
	return warn, nil
}

// FstabReplace puts e (Dest inside the jail) at index, checked like an
// added entry except against the entry it replaces. A running jail gets
// the old entry unmounted and the new one mounted.
func (h *Host) FstabReplace(ctx context.Context, inv *inventory.Inventory, j *inventory.Jail, index int, e fstab.Entry) ([]string, error) {
	var warn []string
	err := h.editFstab(ctx, inv, j, &warn, func(t *fstab.Table, root string) ([]mountStep, error) {
		if index < 0 || index >= len(t.Entries) {
			return nil, fmt.Errorf("Index %d not found.", index)
		}
		ne, w, err := h.prepareEntry(t, root, e, index)
		if err != nil {
			return nil, err
		}
		warn = append(warn, w...)
		old := t.Entries[index]
		if err := t.Replace(index, ne); err != nil {
			return nil, err
		}
		return []mountStep{unmountOf(old), mountOf(ne)}, nil
	})
	if err != nil {
		return warn, err
	}
	h.Say("Index %d replaced.", index)
	return warn, nil
}

// FstabEdit lets the user edit the jail's fstab with editor (a command
// whose last argument will be the file), on a copy in the temporary
// directory, and installs the result as written, as iocage does: no mount
// happens. Unlike iocage, a new or changed entry whose destination is not
// confined to the jail root is refused, and so is an edit made while
// someone else changed the file; the edited copy is then kept and named.
func (h *Host) FstabEdit(ctx context.Context, inv *inventory.Inventory, j *inventory.Jail, editor host.Cmd) ([]string, error) {
	if j.Err != nil {
		return nil, fmt.Errorf("%s: %w", j.Name, j.Err)
	}
	path := j.FstabPath()
	orig, err := readMaybe(path)
	if err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp("", "jcage-fstab-*.iocage")
	if err != nil {
		return nil, err
	}
	tmpPath := tmp.Name()
	keep := false
	defer func() {
		if !keep {
			os.Remove(tmpPath)
		}
	}()
	_, err = tmp.Write(orig)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", tmpPath, err)
	}
	editor.Args = append(append([]string(nil), editor.Args...), tmpPath)
	if _, err := h.Run.Run(ctx, editor); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("An error occurred within %s!", filepath.Base(editor.Name))
	}
	edited, err := os.ReadFile(tmpPath)
	if err != nil {
		return nil, err
	}
	if bytes.Equal(edited, orig) {
		return nil, nil
	}
	root := j.RootPath()
	before, after := fstab.Parse(orig), fstab.Parse(edited)
	warn := rejectedWarnings(after, path)
	for _, e := range after.Entries {
		if before.Find(e) >= 0 {
			continue // there before the edit: not the editor's doing
		}
		if err := confined(root, e.Dest); err != nil {
			keep = true
			return warn, fmt.Errorf("%w; %s is unchanged, the edited copy is %s", err, path, tmpPath)
		}
	}
	if err := h.installEdit(ctx, inv, j, path, orig, edited); err != nil {
		keep = errors.Is(err, errEditedMeanwhile)
		if keep {
			err = fmt.Errorf("%s changed while it was being edited; it is left as it is now, the edited copy is %s", path, tmpPath)
		}
		return warn, err
	}
	return warn, nil
}

var errEditedMeanwhile = errors.New("changed while it was being edited")

// installEdit replaces path (the fstab of j, orig when the editor started)
// with edited, as a change of its own: the editor ran without the lock, as
// a person takes their time, so the file must still be orig under it.
func (h *Host) installEdit(ctx context.Context, inv *inventory.Inventory, j *inventory.Jail, path string, orig, edited []byte) error {
	ctx, tx, _, j, err := h.BeginJail(ctx, "fstab", inv, j)
	if errors.As(err, new(*inventory.NotFoundError)) {
		return errEditedMeanwhile
	}
	if err != nil {
		return err
	}
	defer tx.End()
	if j.FstabPath() != path {
		return errEditedMeanwhile
	}
	lock, err := txn.LockFile(j.ConfigPath())
	if err != nil {
		return err
	}
	defer lock.Unlock()
	now, err := readMaybe(path)
	if err != nil {
		return err
	}
	if !bytes.Equal(now, orig) {
		return errEditedMeanwhile
	}
	if err := h.writeJailFile(ctx, tx, j, path, func() error { return fstab.WriteFile(path, edited) }); err != nil {
		return err
	}
	return tx.Commit()
}

// confined checks that dest, a host path, lies under root and that no
// symlink takes it elsewhere.
func confined(root, dest string) error {
	if !filepath.IsAbs(dest) || !fstab.Within(root, dest) {
		return fmt.Errorf("Destination: %s must include jail's mountpoint! (%s)", dest, root)
	}
	inJail := "/" + strings.TrimPrefix(strings.TrimPrefix(filepath.Clean(dest), filepath.Clean(root)), "/")
	got, err := fstab.Resolve(root, inJail)
	if err != nil {
		return err
	}
	if got != filepath.Clean(dest) {
		return fmt.Errorf("Destination: %s resolves through a symlink to %s", dest, got)
	}
	return nil
}

// prepareEntry resolves e.Dest (inside the jail) to its host path,
// validates the result against t and stamps it.
func (h *Host) prepareEntry(t *fstab.Table, root string, e fstab.Entry, skip int) (fstab.Entry, []string, error) {
	dest, err := fstab.Resolve(root, e.Dest)
	if err != nil {
		return e, nil, err
	}
	e.Dest = dest
	if err := t.Validate(e, root, skip); err != nil {
		return e, nil, err
	}
	e.Added = h.Clock()
	return e, fstab.Warnings(e), nil
}

// mountStep is one mount(8) or umount(8) run that a running jail needs,
// with its undo.
type mountStep struct {
	cmd  host.Cmd
	undo *host.Cmd
	// unmount steps forgive a target that is not mounted: an entry added
	// with -e, or a jail started before the entry existed.
	unmount bool
}

// mountOf mounts e right away in a running jail, as iocage runs it, and
// forces it off again as the undo.
func mountOf(e fstab.Entry) mountStep {
	un := argv.Umount(e.Dest)
	return mountStep{cmd: entryMount(e), undo: &un}
}

// unmountOf forces e's mount away from a running jail, and mounts it
// again as the undo.
func unmountOf(e fstab.Entry) mountStep {
	re := entryMount(e)
	return mountStep{cmd: argv.Umount(e.Dest), undo: &re, unmount: true}
}

func entryMount(e fstab.Entry) host.Cmd { return argv.MountOpts(e.FSType, e.Options, e.Source, e.Dest) }

// notMounted recognises umount(8)'s answers for a path that is no mount
// point, or no longer exists.
func notMounted(err error) bool {
	var re *host.RunError
	if !errors.As(err, &re) {
		return false
	}
	return strings.Contains(re.Stderr, "not a file system root directory") ||
		strings.Contains(re.Stderr, "unknown file system") ||
		strings.Contains(re.Stderr, "not currently mounted")
}

// editFstab is the transaction behind add, remove and replace: lock,
// read, rewrite old-style paths, change, write, then mount or unmount in
// a running jail; any failure (or cancellation) restores the file as it
// was and undoes the mounts already made.
func (h *Host) editFstab(ctx context.Context, inv *inventory.Inventory, j *inventory.Jail, warn *[]string, change func(t *fstab.Table, root string) ([]mountStep, error)) error {
	ctx, tx, inv, j, err := h.BeginJail(ctx, "fstab", inv, j)
	if err != nil {
		return err
	}
	defer tx.End()
	if j.Err != nil {
		return fmt.Errorf("%s: %w", j.Name, j.Err)
	}
	lock, err := txn.LockFile(j.ConfigPath())
	if err != nil {
		return err
	}
	defer lock.Unlock()
	path := j.FstabPath()
	orig, err := readMaybe(path)
	if err != nil {
		return err
	}
	t := fstab.Parse(orig)
	*warn = append(*warn, rejectedWarnings(t, path)...)
	root := j.RootPath()
	legacy := t.RewriteLegacy(inv.Tree.Mountpoint, root)
	steps, err := change(t, root)
	if err != nil {
		return err
	}
	for _, m := range legacy {
		h.Say("%s", m)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := h.writeJailFile(ctx, tx, j, path, func() error { return t.Save(path) }); err != nil {
		return err
	}
	if j.Running() {
		for _, s := range steps {
			if err := ctx.Err(); err != nil {
				return err
			}
			if s.undo != nil {
				if err := tx.WillRun(*s.undo, root); err != nil {
					return err
				}
			}
			_, err := h.Run.Run(ctx, s.cmd)
			if s.undo != nil {
				err = tx.Ran(err)
			}
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				if s.unmount && notMounted(err) {
					*warn = append(*warn, fmt.Sprintf("Unmounting entry failed: %v", err))
					continue
				}
				if s.unmount {
					return fmt.Errorf("Unmounting entry failed: %w", err)
				}
				return fmt.Errorf("Mounting entry failed: %w", err)
			}
		}
	}
	return tx.Commit()
}

// writeJailFile runs write, which replaces path in j's dataset, as a step
// of tx: the file's content is journaled first, and a template's dataset
// (kept readonly=on) is made writable around the write, with readonly
// coming back on undo as well.
func (h *Host) writeJailFile(ctx context.Context, tx *txn.Tx, j *inventory.Jail, path string, write func() error) error {
	ro := h.readonlyToggle(ctx, j)
	if ro != nil {
		if err := tx.WillSet(j.Dataset.Name, "readonly", "on"); err != nil {
			return err
		}
		if err := ro(false); err != nil {
			return fmt.Errorf("make %s writable: %w", j.Dir, err)
		}
	}
	if err := tx.WillWrite(path); err != nil {
		return err
	}
	if err := write(); err != nil {
		return err
	}
	if ro == nil {
		return nil
	}
	// Undone before the write is: the file goes back while writable.
	if err := tx.WillSet(j.Dataset.Name, "readonly", "off"); err != nil {
		return err
	}
	if err := ro(true); err != nil {
		return fmt.Errorf("make %s readonly again: %w", j.Dir, err)
	}
	return nil
}

func rejectedWarnings(t *fstab.Table, path string) []string {
	var w []string
	for _, r := range t.Rejected {
		w = append(w, r.Warning(path))
	}
	return w
}

// readMaybe reads path; a missing file is empty.
func readMaybe(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return b, err
}
