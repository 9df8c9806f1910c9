package zfs

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/jcage/jcage/internal/layout"
)

// Fake is an in-memory Manager that obeys the rules real ZFS enforces.
// When Mountpoints is set, filesystems are also directories under it, so
// code that writes config.json or extracts a tree into a dataset can run
// against the fake; snapshots then keep a copy of the directory so that
// clone and rollback restore real content.
type Fake struct {
	mu       sync.Mutex
	pools    []string
	ds       map[string]*fakeDS
	txg      int
	fail     []failRule
	after    []afterRule
	calls    map[string]int
	mountDir string
	now      func() time.Time
}

type fakeDS struct {
	typ     string
	origin  string
	props   map[string]string
	txg     int
	created time.Time
	mounted bool
}

type afterRule struct {
	op string
	fn func()
}

type failRule struct {
	op, name string
	err      error
	once     bool
}

var _ Manager = (*Fake)(nil)

// NewFake returns a fake with the given pools (each with its root
// dataset). mountDir, when not empty, backs filesystems with directories.
func NewFake(mountDir string, pools ...string) *Fake {
	f := &Fake{ds: map[string]*fakeDS{}, calls: map[string]int{}, mountDir: mountDir, now: time.Now}
	for _, p := range pools {
		f.pools = append(f.pools, p)
		f.ds[p] = f.newDS(Filesystem, "")
		f.mkdir(p)
	}
	return f
}

// FailOn makes the next and every later op (e.g. "create", "clone",
// "destroy") on name fail with err; name "" matches any dataset.
func (f *Fake) FailOn(op, name string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail = append(f.fail, failRule{op, name, err, false})
}

// After runs fn (without the fake's lock held) after every successful op,
// e.g. to cancel a context between two steps of a command.
func (f *Fake) After(op string, fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.after = append(f.after, afterRule{op, fn})
}

// done runs the After hooks of op; callers hold no lock.
func (f *Fake) done(op string) {
	f.mu.Lock()
	var fns []func()
	for _, a := range f.after {
		if a.op == op {
			fns = append(fns, a.fn)
		}
	}
	f.mu.Unlock()
	for _, fn := range fns {
		fn()
	}
}

// FailOnce is FailOn for a single call: the failure happens once, and the
// cleanup that follows it meets a working ZFS again.
func (f *Fake) FailOnce(op, name string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail = append(f.fail, failRule{op, name, err, true})
}

// ClearFailures removes every FailOn rule.
func (f *Fake) ClearFailures() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail = nil
}

// Calls returns how many times op was called; op "" counts every call.
func (f *Fake) Calls(op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if op == "" {
		n := 0
		for _, c := range f.calls {
			n += c
		}
		return n
	}
	return f.calls[op]
}

// Names returns every dataset and snapshot name, sorted.
func (f *Fake) Names() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for n := range f.ds {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// MountPath returns where a filesystem's directory lives ("" without a mountDir).
// MountTable returns every mounted filesystem's mountpoint, as the
// kernel's mount table would list them. It is not a zfs call.
func (f *Fake) MountTable() map[string]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	t := map[string]string{}
	for n, d := range f.ds {
		if d.typ == Filesystem && d.mounted {
			if mp := f.row(n, nil).Mountpoint; mp != "" {
				t[n] = mp
			}
		}
	}
	return t
}

func (f *Fake) MountPath(name string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.mountpoint(name)
}

func (f *Fake) enter(op, name string) error {
	f.calls[op]++
	for i, r := range f.fail {
		if r.op == op && (r.name == "" || r.name == name) {
			if r.once {
				f.fail = append(f.fail[:i:i], f.fail[i+1:]...)
			}
			return r.err
		}
	}
	return nil
}

func (f *Fake) newDS(typ, origin string) *fakeDS {
	f.txg++
	return &fakeDS{typ: typ, origin: origin, props: map[string]string{}, txg: f.txg, created: f.now(), mounted: typ == Filesystem}
}

func zerr(verb, name string, sentinel error) error {
	return fmt.Errorf("cannot %s '%s': %w", verb, name, sentinel)
}

// Pools implements Manager.
func (f *Fake) Pools(ctx context.Context) ([]Pool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("pools", ""); err != nil {
		return nil, err
	}
	var out []Pool
	for _, p := range f.pools {
		out = append(out, Pool{Name: p, Health: "ONLINE"})
	}
	return out, nil
}

// List implements Manager.
func (f *Fake) List(ctx context.Context, root string, opts ListOptions) ([]Dataset, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("list", root); err != nil {
		return nil, err
	}
	if root == "" {
		var all []Dataset
		for _, p := range f.pools {
			f.calls["list"]-- // one call, however many pools
			f.mu.Unlock()
			ds, err := f.List(ctx, p, opts)
			f.mu.Lock()
			if err != nil {
				return nil, err
			}
			all = append(all, ds...)
		}
		return all, nil
	}
	if _, ok := f.ds[root]; !ok {
		return nil, zerr("open", root, ErrNotFound)
	}
	types := opts.Types
	if len(types) == 0 {
		types = []string{Filesystem}
	}
	want := map[string]bool{}
	for _, t := range types {
		if t == "all" {
			want[Filesystem], want[Snapshot], want[Volume] = true, true, true
		}
		want[t] = true
	}
	rootDepth := strings.Count(root, "/")
	var out []Dataset
	for _, n := range f.sortedNames() {
		if !layout.Child(root, n) {
			continue
		}
		d := f.ds[n]
		if !want[d.typ] {
			continue
		}
		if n != root && !strings.HasPrefix(n, root+"@") {
			if !opts.Recursive && opts.Depth <= 0 {
				continue
			}
			depth := strings.Count(layout.Parent(n), "/") - rootDepth + 1
			if d.typ != Snapshot {
				depth = strings.Count(n, "/") - rootDepth
			}
			if opts.Depth > 0 && depth > opts.Depth {
				continue
			}
		} else if n != root && !opts.Recursive && opts.Depth <= 0 {
			// A root's own snapshots need a recursive read, as with zfs list.
			continue
		}
		out = append(out, f.row(n, opts.Props))
	}
	return out, nil
}

// sortedNames orders datasets as zfs list does: each filesystem, then its
// snapshots by creation, then its children.
func (f *Fake) sortedNames() []string {
	names := make([]string, 0, len(f.ds))
	for n := range f.ds {
		names = append(names, n)
	}
	// "/" sorts after the snapshot marker so a dataset's snapshots come
	// before its children.
	key := func(n string) string {
		ds, snap, isSnap := layout.SplitSnap(n)
		if isSnap {
			return strings.ReplaceAll(ds, "/", "\x02") + "\x01" + fmt.Sprintf("%012d", f.ds[n].txg) + snap
		}
		return strings.ReplaceAll(n, "/", "\x02")
	}
	sort.Slice(names, func(i, j int) bool { return key(names[i]) < key(names[j]) })
	return names
}

func (f *Fake) row(n string, props []string) Dataset {
	d := f.ds[n]
	out := Dataset{Name: n, Type: d.typ, Origin: d.origin, Creation: d.created, Mounted: d.mounted && d.typ == Filesystem}
	out.Used, out.Refer = 65536, 65536
	if d.typ == Filesystem {
		out.Avail = 1 << 30
		out.Mountpoint = f.mountpointProp(n)
	}
	if len(props) > 0 {
		out.Props = map[string]string{}
		for _, p := range props {
			out.Props[p] = f.propValue(n, p)
		}
	}
	return out
}

func (f *Fake) propValue(n, p string) string {
	switch p {
	case "name":
		return n
	case "type":
		return f.ds[n].typ
	case "origin":
		if f.ds[n].origin == "" {
			return "-"
		}
		return f.ds[n].origin
	case "mountpoint":
		return f.mountpointProp(n)
	case "mounted":
		if f.ds[n].typ != Filesystem {
			return "-"
		}
		if f.ds[n].mounted {
			return "yes"
		}
		return "no"
	case "used", "referenced", "usedbydataset":
		return "65536"
	case "available":
		return "1073741824"
	case "creation":
		return fmt.Sprint(f.ds[n].created.Unix())
	case "clones":
		// zfsprops(7): a snapshot's clones, comma-separated; "-" for
		// none, as zfs prints a property it cannot get.
		if f.ds[n].typ != Snapshot {
			return "-"
		}
		var cs []string
		for _, c := range f.sortedNames() {
			if f.ds[c].origin == n {
				cs = append(cs, c)
			}
		}
		if len(cs) == 0 {
			return "-"
		}
		return strings.Join(cs, ",")
	}
	// Properties inherit from the nearest ancestor that sets them
	// (snapshots from their dataset).
	for cur := n; cur != ""; cur = layout.Parent(cur) {
		if d, ok := f.ds[cur]; ok {
			if v, ok := d.props[p]; ok {
				return v
			}
		}
	}
	switch p {
	case "compression":
		return "off"
	case "exec", "atime", "canmount":
		return "on"
	case "readonly", "jailed":
		return "off"
	case "quota", "reservation", "refquota", "refreservation":
		return "0"
	case "compressratio", "refcompressratio":
		return "1.00x"
	}
	return "-"
}

func (f *Fake) mountpointProp(n string) string {
	if f.ds[n].typ != Filesystem {
		return "-"
	}
	if v, ok := f.ds[n].props["mountpoint"]; ok {
		return v
	}
	if p := layout.Parent(n); p != "" {
		pm := f.mountpointProp(p)
		if pm == "none" || pm == "legacy" {
			return pm
		}
		return strings.TrimSuffix(pm, "/") + "/" + layout.Base(n)
	}
	if f.mountDir != "" {
		// Pools mount inside mountDir, so mountpoints are real directories.
		return filepath.Join(f.mountDir, n)
	}
	return "/" + n
}

// mountpoint is the directory backing n, or "" when there is none.
func (f *Fake) mountpoint(n string) string {
	if f.mountDir == "" {
		return ""
	}
	if _, ok := f.ds[n]; !ok {
		return ""
	}
	mp := f.mountpointProp(n)
	if !strings.HasPrefix(mp, "/") {
		return ""
	}
	return mp
}

func (f *Fake) mkdir(n string) {
	if p := f.mountpoint(n); p != "" {
		_ = os.MkdirAll(p, 0o755)
	}
}

// ListNames implements Manager.
func (f *Fake) ListNames(ctx context.Context, names []string, props []string) ([]Dataset, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(names) == 0 {
		return nil, nil
	}
	if err := f.enter("list", names[0]); err != nil {
		return nil, err
	}
	// zfs lists the names it is given sorted, as it sorts everything.
	sorted := append([]string(nil), names...)
	sort.Strings(sorted)
	var out []Dataset
	for i, n := range sorted {
		if d, ok := f.ds[n]; ok && d.typ != Snapshot && (i == 0 || n != sorted[i-1]) {
			out = append(out, f.row(n, props))
		}
	}
	return out, nil
}

// Get implements Manager.
func (f *Fake) Get(ctx context.Context, name string, props ...string) (Dataset, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("get", name); err != nil {
		return Dataset{}, err
	}
	if _, ok := f.ds[name]; !ok {
		return Dataset{}, zerr("open", name, ErrNotFound)
	}
	return f.row(name, props), nil
}

// createImpl is Create under the fake's rules.
func (f *Fake) createImpl(ctx context.Context, name string, opts CreateOptions) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("create", name); err != nil {
		return err
	}
	if strings.Contains(name, "@") || !strings.Contains(name, "/") {
		return fmt.Errorf("cannot create '%s': invalid dataset name", name)
	}
	if _, ok := f.ds[name]; ok {
		if opts.Parents {
			return nil
		}
		return zerr("create", name, ErrExists)
	}
	if err := f.ensureParent("create", name, opts.Parents); err != nil {
		return err
	}
	d := f.newDS(Filesystem, "")
	for k, v := range opts.Props {
		d.props[k] = v
	}
	f.ds[name] = d
	f.mkdir(name)
	return nil
}

func (f *Fake) ensureParent(verb, name string, parents bool) error {
	p := layout.Parent(name)
	if _, ok := f.ds[p]; ok {
		return nil
	}
	if !parents || !strings.Contains(p, "/") {
		if _, ok := f.ds[layout.PoolOf(name)]; !ok {
			return fmt.Errorf("cannot %s '%s': no such pool '%s'", verb, name, layout.PoolOf(name))
		}
		if !parents {
			return zerr(verb, name, ErrNoParent)
		}
	}
	if err := f.ensureParent(verb, p, true); err != nil {
		return err
	}
	f.ds[p] = f.newDS(Filesystem, "")
	f.mkdir(p)
	return nil
}

// setpropsImpl is SetProps under the fake's rules.
func (f *Fake) setpropsImpl(ctx context.Context, name string, props map[string]string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("set", name); err != nil {
		return err
	}
	d, ok := f.ds[name]
	if !ok {
		return zerr("open", name, ErrNotFound)
	}
	for k, v := range props {
		if k == "mountpoint" && d.typ == Filesystem {
			old := f.mountpoint(name)
			d.props[k] = v
			if nw := f.mountpoint(name); old != "" && nw != "" && old != nw {
				_ = os.MkdirAll(filepath.Dir(nw), 0o755)
				_ = os.Rename(old, nw)
			}
			continue
		}
		d.props[k] = v
	}
	return nil
}

// Inherit implements Manager.
func (f *Fake) Inherit(ctx context.Context, name, prop string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("inherit", name); err != nil {
		return err
	}
	d, ok := f.ds[name]
	if !ok {
		return zerr("open", name, ErrNotFound)
	}
	delete(d.props, prop)
	return nil
}

// snapshotImpl is Snapshot under the fake's rules.
func (f *Fake) snapshotImpl(ctx context.Context, name string, recursive bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("snapshot", name); err != nil {
		return err
	}
	ds, snap, ok := layout.SplitSnap(name)
	if !ok || snap == "" {
		return fmt.Errorf("cannot create snapshot '%s': invalid snapshot name", name)
	}
	if d, ok := f.ds[ds]; !ok || d.typ == Snapshot {
		return zerr("open", ds, ErrNotFound)
	}
	targets := []string{ds}
	if recursive {
		targets = nil
		for _, n := range f.sortedNames() {
			if f.ds[n].typ != Snapshot && layout.Child(ds, n) {
				targets = append(targets, n)
			}
		}
	}
	for _, t := range targets {
		if _, ok := f.ds[layout.SnapName(t, snap)]; ok {
			return fmt.Errorf("cannot create snapshot '%s': %w", layout.SnapName(t, snap), ErrExists)
		}
	}
	for i, t := range targets {
		f.ds[layout.SnapName(t, snap)] = f.newDS(Snapshot, "")
		f.ds[layout.SnapName(t, snap)].mounted = false
		if err := f.saveSnapDir(t, snap); err != nil {
			for _, u := range targets[:i+1] {
				delete(f.ds, layout.SnapName(u, snap))
				os.RemoveAll(f.snapStore(u, snap))
			}
			return fmt.Errorf("cannot create snapshot '%s': %w", layout.SnapName(t, snap), err)
		}
	}
	return nil
}

func (f *Fake) snapStore(ds, snap string) string {
	return filepath.Join(f.mountDir, ".fake-snapshots", strings.ReplaceAll(ds, "/", "%"), snap)
}

func (f *Fake) saveSnapDir(ds, snap string) error {
	if src := f.mountpoint(ds); src != "" {
		return copyTree(src, f.snapStore(ds, snap), f.childMounts(ds))
	}
	return nil
}

// childMounts lists the directories of ds's child filesystems, which a
// copy of ds's own content must leave out.
func (f *Fake) childMounts(ds string) map[string]bool {
	skip := map[string]bool{}
	for n, d := range f.ds {
		if d.typ == Filesystem && layout.Parent(n) == ds {
			if p := f.mountpoint(n); p != "" {
				skip[p] = true
			}
		}
	}
	return skip
}

// cloneImpl is Clone under the fake's rules.
func (f *Fake) cloneImpl(ctx context.Context, snap, target string, opts CreateOptions) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("clone", target); err != nil {
		return err
	}
	s, ok := f.ds[snap]
	if !ok || s.typ != Snapshot {
		return zerr("open", snap, ErrNotFound)
	}
	if _, ok := f.ds[target]; ok {
		return zerr("create", target, ErrExists)
	}
	if err := f.ensureParent("create", target, opts.Parents); err != nil {
		return err
	}
	d := f.newDS(Filesystem, snap)
	for k, v := range opts.Props {
		d.props[k] = v
	}
	f.ds[target] = d
	if dst := f.mountpoint(target); dst != "" {
		if err := os.MkdirAll(dst, 0o755); err != nil {
			delete(f.ds, target)
			return fmt.Errorf("cannot create '%s': %w", target, err)
		}
		ds, sn, _ := layout.SplitSnap(snap)
		if err := copyTree(f.snapStore(ds, sn), dst, nil); err != nil {
			delete(f.ds, target)
			os.RemoveAll(dst)
			return fmt.Errorf("cannot create '%s': %w", target, err)
		}
	}
	return nil
}

// Promote implements Manager.
func (f *Fake) Promote(ctx context.Context, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("promote", name); err != nil {
		return err
	}
	d, ok := f.ds[name]
	if !ok {
		return zerr("open", name, ErrNotFound)
	}
	if d.origin == "" {
		return fmt.Errorf("cannot promote '%s': not a cloned filesystem", name)
	}
	origDS, _, _ := layout.SplitSnap(d.origin)
	// Snapshots of the origin up to the clone point move to the clone, and
	// the origin becomes a clone of the moved snapshot.
	originSnap := d.origin
	moved := map[string]string{}
	for n, s := range f.ds {
		ds, sn, isSnap := layout.SplitSnap(n)
		if isSnap && ds == origDS && s.txg <= f.ds[originSnap].txg {
			moved[n] = layout.SnapName(name, sn)
		}
	}
	for from, to := range moved {
		f.ds[to] = f.ds[from]
		delete(f.ds, from)
	}
	for _, o := range f.ds {
		if nw, ok := moved[o.origin]; ok {
			o.origin = nw
		}
	}
	d.origin = ""
	f.ds[origDS].origin = moved[originSnap]
	return nil
}

// renameImpl is Rename under the fake's rules.
func (f *Fake) renameImpl(ctx context.Context, from, to string, opts RenameOptions) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("rename", from); err != nil {
		return err
	}
	if _, ok := f.ds[from]; !ok {
		return zerr("open", from, ErrNotFound)
	}
	if _, ok := f.ds[to]; ok {
		return fmt.Errorf("cannot rename to '%s': %w", to, ErrExists)
	}
	if layout.PoolOf(from) != layout.PoolOf(to) {
		return fmt.Errorf("cannot rename to '%s': datasets must be within same pool", to)
	}
	if layout.Child(from, to) {
		return fmt.Errorf("cannot rename to '%s': New dataset name cannot be a descendant of current dataset name", to)
	}
	if err := f.ensureParent("rename", to, opts.Parents); err != nil {
		return err
	}
	oldDir := f.mountpoint(from)
	renamed := map[string]string{}
	for n := range f.ds {
		if layout.Child(from, n) {
			renamed[n] = to + strings.TrimPrefix(n, from)
		}
	}
	for o, nw := range renamed {
		f.ds[nw] = f.ds[o]
		delete(f.ds, o)
	}
	for _, d := range f.ds {
		if nw, ok := renamed[d.origin]; ok {
			d.origin = nw
		}
	}
	if nd := f.mountpoint(to); oldDir != "" && nd != "" {
		_ = os.MkdirAll(filepath.Dir(nd), 0o755)
		_ = os.Rename(oldDir, nd)
	}
	if f.mountDir != "" {
		store := filepath.Join(f.mountDir, ".fake-snapshots")
		for o, nw := range renamed {
			if ds, sn, ok := layout.SplitSnap(o); ok {
				nds, _, _ := layout.SplitSnap(nw)
				_ = os.MkdirAll(filepath.Join(store, strings.ReplaceAll(nds, "/", "%")), 0o755)
				_ = os.Rename(f.snapStore(ds, sn), f.snapStore(nds, sn))
			}
		}
	}
	return nil
}

// destroyImpl is Destroy under the fake's rules.
func (f *Fake) destroyImpl(ctx context.Context, name string, opts DestroyOptions) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("destroy", name); err != nil {
		return err
	}
	if !strings.ContainsAny(name, "/@") {
		return zerr("destroy", name, ErrPoolRoot)
	}
	var victims []string
	if ds, snap, isSnap := layout.SplitSnap(name); isSnap {
		if _, ok := f.ds[name]; !ok && !opts.Recursive {
			return fmt.Errorf("could not find any snapshots to destroy; check snapshot names: %w", ErrNotFound)
		}
		for n, d := range f.ds {
			if d.typ != Snapshot {
				continue
			}
			nds, nsnap, _ := layout.SplitSnap(n)
			if nsnap == snap && (nds == ds || (opts.Recursive && layout.Child(ds, nds))) {
				victims = append(victims, n)
			}
		}
		if len(victims) == 0 {
			return fmt.Errorf("could not find any snapshots to destroy; check snapshot names: %w", ErrNotFound)
		}
	} else {
		if _, ok := f.ds[name]; !ok {
			return zerr("open", name, ErrNotFound)
		}
		for n := range f.ds {
			if layout.Child(name, n) {
				victims = append(victims, n)
			}
		}
		if len(victims) > 1 && !opts.Recursive && !opts.Clones {
			return zerr("destroy", name, ErrHasChildren)
		}
	}
	set := map[string]bool{}
	for _, v := range victims {
		set[v] = true
	}
	// Clones of anything destroyed must go too, which only -R allows.
	for changed := true; changed; {
		changed = false
		for n, d := range f.ds {
			if set[n] || d.origin == "" || !set[d.origin] {
				continue
			}
			if !opts.Clones {
				return zerr("destroy", name, ErrHasClones)
			}
			for m := range f.ds {
				if layout.Child(n, m) && !set[m] {
					set[m] = true
					changed = true
				}
			}
		}
	}
	for n := range set {
		if d := f.ds[n]; d.typ == Filesystem && layout.Parent(n) != "" && !set[layout.Parent(n)] {
			if p := f.mountpoint(n); p != "" {
				_ = os.RemoveAll(p)
			}
		}
	}
	for n := range set {
		if ds, sn, ok := layout.SplitSnap(n); ok && f.mountDir != "" {
			_ = os.RemoveAll(f.snapStore(ds, sn))
		}
		delete(f.ds, n)
	}
	return nil
}

// Rollback implements Manager.
func (f *Fake) Rollback(ctx context.Context, snap string, destroyNewer bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("rollback", snap); err != nil {
		return err
	}
	s, ok := f.ds[snap]
	ds, sn, isSnap := layout.SplitSnap(snap)
	if !ok || !isSnap {
		return zerr("open", snap, ErrNotFound)
	}
	var newer []string
	for n, d := range f.ds {
		nds, _, isSnap := layout.SplitSnap(n)
		if isSnap && nds == ds && d.txg > s.txg {
			newer = append(newer, n)
		}
	}
	if len(newer) > 0 && !destroyNewer {
		return fmt.Errorf("cannot rollback to '%s': %w", snap, ErrNewerSnapshots)
	}
	for _, n := range newer {
		for _, d := range f.ds {
			if d.origin == n {
				return fmt.Errorf("cannot rollback to '%s': %w", snap, ErrHasClones)
			}
		}
	}
	for _, n := range newer {
		_, nsn, _ := layout.SplitSnap(n)
		if f.mountDir != "" {
			_ = os.RemoveAll(f.snapStore(ds, nsn))
		}
		delete(f.ds, n)
	}
	if dst := f.mountpoint(ds); dst != "" {
		skip := f.childMounts(ds)
		entries, err := os.ReadDir(dst)
		if err != nil {
			return fmt.Errorf("cannot rollback to '%s': %w", snap, err)
		}
		for _, e := range entries {
			if p := filepath.Join(dst, e.Name()); !skip[p] {
				if err := os.RemoveAll(p); err != nil {
					return fmt.Errorf("cannot rollback to '%s': %w", snap, err)
				}
			}
		}
		if err := copyTree(f.snapStore(ds, sn), dst, nil); err != nil {
			return fmt.Errorf("cannot rollback to '%s': %w", snap, err)
		}
	}
	return nil
}

// fakeStream is what the fake's Send writes: enough to recreate a dataset.
type fakeStream struct {
	Magic string            `json:"magic"`
	Snap  string            `json:"snap"`
	Props map[string]string `json:"props"`
}

const fakeMagic = "jcage-fake-zfs-stream-v1"

// Send implements Manager.
func (f *Fake) Send(ctx context.Context, snap string, w io.Writer) error {
	f.mu.Lock()
	if err := f.enter("send", snap); err != nil {
		f.mu.Unlock()
		return err
	}
	s, ok := f.ds[snap]
	if !ok || s.typ != Snapshot {
		f.mu.Unlock()
		return zerr("open", snap, ErrNotFound)
	}
	f.mu.Unlock()
	return f.sendStream(snap, w)
}

// sendStream writes the fake's stream of snap: its header line, then
// the snapshot's files (see fakestream.go).
func (f *Fake) sendStream(snap string, w io.Writer) error {
	f.mu.Lock()
	ds, sn, _ := layout.SplitSnap(snap)
	props := map[string]string{}
	for k, v := range f.ds[ds].props {
		props[k] = v
	}
	store := ""
	if f.mountDir != "" {
		store = f.snapStore(ds, sn)
	}
	f.mu.Unlock()
	if err := json.NewEncoder(w).Encode(fakeStream{Magic: fakeMagic, Snap: layout.Base(snap), Props: props}); err != nil {
		return err
	}
	if store == "" {
		return nil
	}
	return tarTree(w, store)
}

// receiveImpl is Receive under the fake's rules.
func (f *Fake) receiveImpl(ctx context.Context, name string, r io.Reader, opts ReceiveOptions) error {
	var st fakeStream
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	head, files, _ := bytes.Cut(b, []byte("\n"))
	if err := json.Unmarshal(head, &st); err != nil || st.Magic != fakeMagic {
		return fmt.Errorf("cannot receive: invalid stream (bad magic number)")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("receive", name); err != nil {
		return err
	}
	_, existed := f.ds[name]
	if existed && !opts.Force {
		return fmt.Errorf("cannot receive new filesystem stream: destination '%s' exists: %w", name, ErrExists)
	}
	if err := f.ensureParent("receive", name, false); err != nil {
		return err
	}
	d := f.newDS(Filesystem, "")
	d.props = st.Props
	f.ds[name] = d
	snap := layout.SnapName(name, st.Snap)
	f.ds[snap] = f.newDS(Snapshot, "")
	if dir := f.mountpoint(name); dir != "" && len(files) > 0 {
		err := os.MkdirAll(dir, 0o755)
		if err == nil {
			err = untarTree(bytes.NewReader(files), dir)
		}
		if err == nil {
			err = f.saveSnapDir(name, st.Snap)
		}
		if err != nil {
			delete(f.ds, snap)
			delete(f.ds, name)
			os.RemoveAll(f.snapStore(name, st.Snap))
			if !existed {
				os.RemoveAll(dir)
			}
			return fmt.Errorf("cannot receive new filesystem stream: %w", err)
		}
	} else {
		f.mkdir(name)
	}
	return nil
}

// Mount implements Manager.
func (f *Fake) Mount(ctx context.Context, name string) error {
	return f.setMounted("mount", name, true)
}

// Unmount implements Manager.
func (f *Fake) Unmount(ctx context.Context, name string, force bool) error {
	return f.setMounted("unmount", name, false)
}

func (f *Fake) setMounted(op, name string, on bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter(op, name); err != nil {
		return err
	}
	d, ok := f.ds[name]
	if !ok || d.typ != Filesystem {
		return zerr("open", name, ErrNotFound)
	}
	d.mounted = on
	return nil
}

// copyTree copies regular files, directories and symlinks from src into
// dst, skipping the directories in skip. A missing src copies nothing.
func copyTree(src, dst string, skip map[string]bool) error {
	if _, err := os.Lstat(src); os.IsNotExist(err) {
		return nil
	}
	return filepath.Walk(src, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if skip[p] {
			return filepath.SkipDir
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		switch {
		case fi.IsDir():
			return os.MkdirAll(target, fi.Mode().Perm())
		case fi.Mode()&os.ModeSymlink != 0:
			l, err := os.Readlink(p)
			if err != nil {
				return err
			}
			if err := os.Remove(target); err != nil && !os.IsNotExist(err) {
				return err
			}
			return os.Symlink(l, target)
		case fi.Mode().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(target, b, fi.Mode().Perm())
		}
		return nil
	})
}

// Create implements Manager.
func (f *Fake) Create(ctx context.Context, name string, opts CreateOptions) error {
	return f.then("create", f.createImpl(ctx, name, opts))
}

// Snapshot implements Manager.
func (f *Fake) Snapshot(ctx context.Context, name string, recursive bool) error {
	return f.then("snapshot", f.snapshotImpl(ctx, name, recursive))
}

// Clone implements Manager.
func (f *Fake) Clone(ctx context.Context, snap, target string, opts CreateOptions) error {
	return f.then("clone", f.cloneImpl(ctx, snap, target, opts))
}

// Rename implements Manager.
func (f *Fake) Rename(ctx context.Context, from, to string, opts RenameOptions) error {
	return f.then("rename", f.renameImpl(ctx, from, to, opts))
}

// Destroy implements Manager.
func (f *Fake) Destroy(ctx context.Context, name string, opts DestroyOptions) error {
	return f.then("destroy", f.destroyImpl(ctx, name, opts))
}

// SetProps implements Manager.
func (f *Fake) SetProps(ctx context.Context, name string, props map[string]string) error {
	return f.then("set", f.setpropsImpl(ctx, name, props))
}

// Receive implements Manager.
func (f *Fake) Receive(ctx context.Context, name string, r io.Reader, opts ReceiveOptions) error {
	return f.then("receive", f.receiveImpl(ctx, name, r, opts))
}

func (f *Fake) then(op string, err error) error {
	if err == nil {
		f.done(op)
	}
	return err
}
