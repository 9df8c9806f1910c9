package jail

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/layout"
	"github.com/jcage/jcage/internal/lazyregexp"
	"github.com/jcage/jcage/internal/zfs"
)

// maxDatasetName is ZFS_MAX_DATASET_NAME_LEN less its terminating NUL.
const maxDatasetName = 255

// snapNameRE is what ZFS accepts in a snapshot name, less the space: the
// default UTC %F_%T name, iocage's ioc_update_… names and the usual
// auto-snapshot tools' names all fit.
var snapNameRE = lazyregexp.New(`^[A-Za-z0-9._:-]+$`)

// ValidateSnapName checks a snapshot name given with -n before anything
// reaches zfs, so "a@b" or "../x" are refused with a clear reason.
func ValidateSnapName(name string) error {
	switch {
	case name == "":
		return errors.New("snapshot name is empty")
	case name == "." || name == "..":
		return fmt.Errorf("invalid snapshot name %q", name)
	case strings.ContainsAny(name, "@/"):
		return fmt.Errorf("invalid snapshot name %q: '@' and '/' are not allowed", name)
	case !snapNameRE.MatchString(name):
		return fmt.Errorf("invalid snapshot name %q: use letters, digits and . _ : - only", name)
	}
	return nil
}

// ErrSnapExists is iocage's refusal of a snapshot name already taken.
var ErrSnapExists = errors.New("Snapshot already exists")

// Snapshot takes NAME (by default the UTC time, %F_%T) of every jail in
// jails, recursively, so the jail dataset and its root (and any other
// child) share one atomic snapshot per jail. With several jails it is all
// or nothing: a failure, or Ctrl-C, destroys the snapshots already taken.
// It returns the snapshots made, POOL/iocage/jails/NAME@SNAP.
func (h *Host) Snapshot(ctx context.Context, inv *inventory.Inventory, jails []*inventory.Jail, name string) ([]string, error) {
	if name == "" {
		name = layout.UserSnapName(h.Clock())
	} else if err := ValidateSnapName(name); err != nil {
		return nil, err
	}
	if name == inventory.AllJails {
		return nil, errors.New(`"ALL" is reserved: snapremove -n ALL means every snapshot`)
	}
	for _, j := range jails {
		if s := layout.SnapName(inv.SnapDataset(j), name); len(s) > maxDatasetName {
			return nil, fmt.Errorf("snapshot name %s is longer than ZFS allows (%d characters)", s, maxDatasetName)
		}
	}
	ctx, tx, inv, jails, err := h.BeginJails(ctx, "snapshot", inv, jails)
	if err != nil {
		return nil, err
	}
	defer tx.End()
	var made []string
	for _, j := range jails {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		snap := layout.SnapName(inv.SnapDataset(j), name)
		if err := tx.WillCreate(snap, true); err != nil {
			return nil, err
		}
		if err := tx.Made(snap, h.ZFS.Snapshot(ctx, snap, true)); err != nil {
			if errors.Is(err, zfs.ErrExists) {
				if len(jails) > 1 {
					return nil, fmt.Errorf("%w: %s", ErrSnapExists, snap)
				}
				return nil, ErrSnapExists
			}
			return nil, err
		}
		made = append(made, snap)
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return made, nil
}

// snapIndex is one bulk read of snapshots, grouped by dataset in the
// order zfs lists them, which is creation order.
type snapIndex struct {
	byDS map[string][]zfs.Dataset
	fs   []string // filesystems, in list order (when asked for)
	// clones maps each snapshot to its clones wherever they live, from
	// the snapshots' clones property (when asked for).
	clones map[string][]string
}

// snapRead selects what readSnaps reads besides the snapshots.
type snapRead struct {
	fs     bool // the filesystems too
	clones bool // each snapshot's clones property
}

func (h *Host) readSnaps(ctx context.Context, root string, what snapRead) (*snapIndex, error) {
	opts := zfs.ListOptions{Types: []string{zfs.Snapshot}, Recursive: true}
	if what.fs {
		opts.Types = []string{zfs.Filesystem, zfs.Snapshot}
	}
	if what.clones {
		opts.Props = []string{"clones"}
	}
	list, err := h.ZFS.List(ctx, root, opts)
	if err != nil {
		return nil, err
	}
	idx := &snapIndex{byDS: map[string][]zfs.Dataset{}, clones: map[string][]string{}}
	for _, d := range list {
		if ds, _, ok := layout.SplitSnap(d.Name); ok {
			idx.byDS[ds] = append(idx.byDS[ds], d)
			if c := d.Prop("clones"); c != "-" {
				idx.clones[d.Name] = strings.Split(c, ",")
			}
		} else if d.Type == zfs.Filesystem {
			idx.fs = append(idx.fs, d.Name)
		}
	}
	return idx, nil
}

func (idx *snapIndex) has(ds, name string) bool {
	for _, s := range idx.byDS[ds] {
		if layout.Base(s.Name) == name {
			return true
		}
	}
	return false
}

// SnapRows are snaplist's rows from one zfs call: for each jail, the
// snapshots of its dataset each followed by its root twin (pairs only, as
// iocage shows them; other children such as data are left out): the name
// (full with long), creation in Unix seconds, referenced and used in
// bytes, after the jail's name with withJail (snaplist ALL). Rows come in
// creation order; the caller sorts.
func (h *Host) SnapRows(ctx context.Context, inv *inventory.Inventory, jails []*inventory.Jail, long, withJail bool) ([][]string, error) {
	var rows [][]string
	if len(jails) == 0 {
		return nil, nil
	}
	idx, err := h.readSnaps(ctx, inv.ListRoot(jails), snapRead{})
	if err != nil {
		return nil, err
	}
	for _, j := range jails {
		roots := map[string]zfs.Dataset{}
		for _, s := range idx.byDS[inv.SnapRoot(j)] {
			roots[layout.Base(s.Name)] = s
		}
		for _, s := range idx.byDS[inv.SnapDataset(j)] {
			name := layout.Base(s.Name)
			r, ok := roots[name]
			if !ok {
				continue
			}
			pname, rname := name, layout.RootOf(name)
			if long {
				pname, rname = s.Name, r.Name
			}
			rows = append(rows, snapRow(j, withJail, pname, s), snapRow(j, withJail, rname, r))
		}
	}
	return rows, nil
}

func snapRow(j *inventory.Jail, withJail bool, name string, d zfs.Dataset) []string {
	created := "-"
	if !d.Creation.IsZero() {
		created = strconv.FormatInt(d.Creation.Unix(), 10)
	}
	row := []string{name, created, strconv.FormatUint(d.Refer, 10), strconv.FormatUint(d.Used, 10)}
	if withJail {
		row = append([]string{j.Name}, row...)
	}
	return row
}

// ClonesError refuses to destroy a snapshot that clones depend on. It
// matches zfs.ErrHasClones.
type ClonesError struct {
	Snapshot   string   // the snapshot named by the user
	Clones     []string // the dependent clones, described; empty when only zfs knew
	RollbackTo string   // set when a rollback would destroy Snapshot
}

func (e *ClonesError) Error() string {
	list := ""
	if len(e.Clones) > 0 {
		list = ": " + strings.Join(e.Clones, ", ")
	}
	if e.RollbackTo != "" {
		return fmt.Sprintf("Cannot roll back to %s: the newer snapshot %s has dependent clones%s; destroy or promote them first", e.RollbackTo, e.Snapshot, list)
	}
	return fmt.Sprintf("Snapshot: %s has dependent clones%s; use -R to destroy them with it", e.Snapshot, list)
}

func (e *ClonesError) Unwrap() error { return zfs.ErrHasClones }

// cloneIndex maps origin snapshots to the filesystems cloned from them:
// the clones the inventory's scan holds (every jail and template root),
// and those the snapshots read into idx name in their clones property,
// wherever on the pool they live. The scan reads the iocage tree only,
// so a clone elsewhere is known from the property alone.
func cloneIndex(inv *inventory.Inventory, idx *snapIndex) map[string][]string {
	m := map[string][]string{}
	for snap, cs := range idx.clones {
		m[snap] = append(m[snap], cs...)
	}
	if inv.Scan != nil {
		for _, d := range inv.Scan.Datasets {
			if d.Origin != "" {
				m[d.Origin] = append(m[d.Origin], d.Name)
			}
		}
	}
	for k, c := range m {
		sort.Strings(c)
		m[k] = slices.Compact(c)
	}
	return m
}

// clonesOf lists the clones of ds@name and of the same snapshot of every
// descendant of ds: what a recursive destroy of ds@name would take along.
func clonesOf(idx *snapIndex, clones map[string][]string, ds, name string) []string {
	var out []string
	for d, snaps := range idx.byDS {
		if !layout.Child(ds, d) {
			continue
		}
		for _, s := range snaps {
			if layout.Base(s.Name) == name {
				out = append(out, clones[s.Name]...)
			}
		}
	}
	sort.Strings(out)
	return out
}

// SnapRemoveOptions is one snapremove.
type SnapRemoveOptions struct {
	Name   string // the snapshot name, or ALL for every snapshot of each jail
	Clones bool   // -R: destroy the clones that depend on it too
}

// SnapRemoval is one snapshot removed, or kept for its clones.
type SnapRemoval struct {
	Snapshot string   // POOL/iocage/jails/NAME@SNAP, destroyed recursively
	Clones   []string // the dependent clones destroyed with it, or that kept it
}

// SnapRemoveResult is what a snapremove did, also when it stopped early.
type SnapRemoveResult struct {
	Removed []SnapRemoval
	Skipped []SnapRemoval // -n ALL without -R: kept because clones use them
}

// SnapRemove destroys a snapshot of each jail, recursively, so that the
// root twin goes with it. Unlike iocage, which passes -R and silently takes
// every clone of the snapshot along (including other jails' roots), it
// refuses with a ClonesError naming them unless opts.Clones is set; and
// even then it refuses while a jail whose tree holds such a clone runs.
// With -n ALL it removes every snapshot of each jail dataset, newest first,
// and skips those clones use (unless opts.Clones). Every check is made
// before the first destroy, so a refusal changes nothing.
func (h *Host) SnapRemove(ctx context.Context, inv *inventory.Inventory, jails []*inventory.Jail, opts SnapRemoveOptions) (*SnapRemoveResult, error) {
	all := opts.Name == inventory.AllJails
	if !all {
		if err := ValidateSnapName(opts.Name); err != nil {
			return nil, err
		}
	}
	res := &SnapRemoveResult{}
	if len(jails) == 0 {
		return res, nil
	}
	// Nothing to journal: a destroyed snapshot cannot come back, and each
	// destroy is one zfs call. The lock keeps the checks below true until
	// the destroys are done.
	ctx, tx, inv, jails, err := h.BeginJails(ctx, "snapremove", inv, jails)
	if err != nil {
		return nil, err
	}
	defer tx.End()
	idx, err := h.readSnaps(ctx, inv.ListRoot(jails), snapRead{clones: true})
	if err != nil {
		return nil, err
	}
	clones := cloneIndex(inv, idx)
	var plan []SnapRemoval
	for _, j := range jails {
		ds := inv.SnapDataset(j)
		var names []string
		switch {
		case all:
			snaps := idx.byDS[ds]
			for i := len(snaps) - 1; i >= 0; i-- {
				names = append(names, layout.Base(snaps[i].Name))
			}
		case idx.has(ds, opts.Name):
			names = []string{opts.Name}
		case len(jails) == 1:
			return nil, fmt.Errorf("Snapshot: %s not found!", layout.SnapName(ds, opts.Name))
		}
		for _, name := range names {
			snap := layout.SnapName(ds, name)
			deps := clonesOf(idx, clones, ds, name)
			if len(deps) > 0 && !opts.Clones {
				if all {
					res.Skipped = append(res.Skipped, SnapRemoval{Snapshot: snap, Clones: deps})
					continue
				}
				return nil, &ClonesError{Snapshot: snap, Clones: inv.DescribeClones(deps)}
			}
			for _, c := range deps {
				if o := inv.Owner(c); o != nil && o.Running() {
					return nil, fmt.Errorf("Cannot destroy %s with %s: jail %s is running", c, snap, o.Name)
				}
			}
			plan = append(plan, SnapRemoval{Snapshot: snap, Clones: deps})
		}
	}
	if !all && len(plan) == 0 {
		return nil, fmt.Errorf("Snapshot: %s not found!", opts.Name)
	}
	for _, p := range plan {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		o := zfs.DestroyOptions{Recursive: true, Clones: opts.Clones, Force: opts.Clones}
		if err := h.ZFS.Destroy(ctx, p.Snapshot, o); err != nil {
			if errors.Is(err, zfs.ErrHasClones) {
				// A clone made since the snapshots were read: zfs itself refused.
				return res, &ClonesError{Snapshot: p.Snapshot}
			}
			return res, err
		}
		res.Removed = append(res.Removed, p)
	}
	return res, tx.Commit()
}

// RollbackPlan is what a rollback will do, worked out before anything
// changes so that the user can be told which snapshots go.
type RollbackPlan struct {
	Jail     string   // the jail's name
	Target   string   // POOL/iocage/jails/NAME, as "Rolled back to:" names it
	Name     string   // the snapshot name
	Datasets []string // filesystems to roll back, deepest first, Target last
	Newer    []string // snapshots the rollback destroys, per dataset in creation order
	Missing  []string // filesystems under Target without the snapshot: left as they are
}

// PlanRollback checks that j can go back to its snapshot name: the jail
// must be stopped, Target@name must exist, and no snapshot newer than it
// may have clones (zfs would refuse half way, after other datasets had
// already been rolled back). One zfs call.
func (h *Host) PlanRollback(ctx context.Context, inv *inventory.Inventory, j *inventory.Jail, name string) (*RollbackPlan, error) {
	if err := ValidateSnapName(name); err != nil {
		return nil, err
	}
	if j.Running() {
		return nil, fmt.Errorf("Please stop %s before trying to rollback!", j.Name)
	}
	p := &RollbackPlan{Jail: j.Name, Target: inv.SnapDataset(j), Name: name}
	return p, h.planRollback(ctx, inv, p)
}

// planRollback fills p from one read of the target's snapshots.
func (h *Host) planRollback(ctx context.Context, inv *inventory.Inventory, p *RollbackPlan) error {
	name := p.Name
	idx, err := h.readSnaps(ctx, p.Target, snapRead{fs: true, clones: true})
	if err != nil {
		return err
	}
	if !idx.has(p.Target, name) {
		return fmt.Errorf("%s does not exist", layout.SnapName(p.Target, name))
	}
	clones := cloneIndex(inv, idx)
	for _, fs := range idx.fs {
		if !layout.Child(p.Target, fs) {
			continue
		}
		if !idx.has(fs, name) {
			p.Missing = append(p.Missing, fs)
			continue
		}
		p.Datasets = append(p.Datasets, fs)
		seen := false
		for _, s := range idx.byDS[fs] {
			if seen {
				if c := clones[s.Name]; len(c) > 0 {
					return &ClonesError{Snapshot: s.Name, Clones: inv.DescribeClones(c), RollbackTo: layout.SnapName(p.Target, name)}
				}
				p.Newer = append(p.Newer, s.Name)
			}
			seen = seen || layout.Base(s.Name) == name
		}
	}
	sort.SliceStable(p.Datasets, func(a, b int) bool {
		return strings.Count(p.Datasets[a], "/") > strings.Count(p.Datasets[b], "/")
	})
	return nil
}

// Rollback carries out a plan made from inv: every filesystem goes back to
// its snapshot with the newer ones destroyed. Under the tree lock the
// snapshots are read again, and a plan that no longer holds is refused. A rollback can't be
// undone, and stopping half way would leave config.json and the root from
// different times, so once started it finishes: after SIGINT/SIGTERM, and
// after a crash, when the next command finishes it from the journal.
func (h *Host) Rollback(ctx context.Context, inv *inventory.Inventory, p *RollbackPlan) error {
	ctx, tx, inv, err := h.Begin(ctx, "rollback", p.Jail, inv)
	if err != nil {
		return err
	}
	defer tx.End()
	now := &RollbackPlan{Jail: p.Jail, Target: p.Target, Name: p.Name}
	if err := h.planRollback(ctx, inv, now); err != nil {
		return err
	}
	if !slices.Equal(now.Datasets, p.Datasets) || !slices.Equal(now.Newer, p.Newer) {
		return fmt.Errorf("the snapshots of %s changed since the rollback was planned; nothing was rolled back", p.Target)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	ctx = context.WithoutCancel(ctx)
	if err := tx.WillRollBack(p.Name, p.Datasets...); err != nil {
		return err
	}
	for _, fs := range p.Datasets {
		if err := h.ZFS.Rollback(ctx, layout.SnapName(fs, p.Name), true); err != nil {
			return err
		}
	}
	return tx.Commit()
}
