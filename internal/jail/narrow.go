package jail

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/jcage/jcage/internal/zfs"
)

// Wanted is what a command that names everything it touches needs to see
// of the tree: create and clone check a few names and read one source.
type Wanted struct {
	Names     []string // new jail names: their jails/ and templates/ datasets, '.' and '_' folded
	Templates []string // templates to read
	Releases  []string // releases whose root must be present
}

// maxFolds bounds the '.'/'_' spellings of a name looked up (2^maxFolds).
const maxFolds = 4

// LoadNarrow is Load for a command that names what it touches. Instead of
// listing the whole tree (a `zfs list` whose cost grows with every jail
// and snapshot on the host), it takes the pools from the mount table and
// asks zfs, in one call, about the pool roots, the tree datasets and the
// wanted names only. The inventory then holds just the wanted jails and
// templates that exist.
//
// ok is false when that cannot settle the answer: no mount table, a name
// with too many spellings, no pool with its tree mounted, or a wanted
// release that is not there (create then fetches it). The caller then
// runs the full Load.
func (h *Host) LoadNarrow(ctx context.Context, want Wanted, opts Options) (inv *Inventory, ok bool, err error) {
	mt, ok := h.mountTable()
	if !ok || opts.State {
		return nil, false, nil
	}
	return h.loadNarrow(ctx, mt, want, opts)
}

// mountTable reads the mount table; false when there is none to read.
func (h *Host) mountTable() (MountTable, bool) {
	if h.Mounts == nil {
		return nil, false
	}
	mt, err := h.Mounts()
	return mt, err == nil
}

func (h *Host) loadNarrow(ctx context.Context, mt MountTable, want Wanted, opts Options) (inv *Inventory, ok bool, err error) {
	var pools []string
	if h.Pool != "" {
		pools = []string{h.Pool}
	} else {
		seen := map[string]bool{}
		for ds := range mt {
			p, _, _ := strings.Cut(ds, "/")
			if !seen[p] {
				seen[p] = true
				pools = append(pools, p)
			}
		}
		sort.Strings(pools)
	}
	// zfs is asked about the pool roots (the active marker), each tree
	// root (exec) and the wanted jail and template names, which may exist
	// unmounted. The tree's other datasets and the releases count when
	// mounted, and the mount table says where.
	var names []string
	var mounted []zfs.Dataset
	mount := func(name string) {
		if mp, ok := mt[name]; ok {
			mounted = append(mounted, zfs.Dataset{Name: name, Type: zfs.Filesystem, Mountpoint: mp, Mounted: true})
		}
	}
	for _, p := range pools {
		names = append(names, p)
		l := zfs.Layout{Pool: p}
		if _, ok := mt[l.Root()]; !ok {
			continue
		}
		names = append(names, l.Root())
		for _, d := range l.Tree()[1:] {
			mount(d)
		}
		for _, n := range want.Names {
			spellings := foldSpellings(n)
			if spellings == nil {
				return nil, false, nil
			}
			for _, v := range spellings {
				names = append(names, l.Jail(v), l.Template(v))
			}
		}
		for _, t := range want.Templates {
			names = append(names, l.Template(t), l.TemplateRoot(t))
		}
		for _, r := range want.Releases {
			for _, v := range uniq([]string{r, strings.ToUpper(r)}) {
				mount(l.Release(v))
				mount(l.ReleaseRoot(v))
			}
		}
	}
	ds, err := h.ZFS.ListNames(ctx, uniq(names), []string{ActiveProp, "exec"})
	if err != nil {
		return nil, false, err
	}
	ds = append(ds, mounted...)
	sort.Slice(ds, func(a, b int) bool { return ds[a].Name < ds[b].Name })
	tree, s, err := h.openScan(ctx, newScan(ds), opts.Create)
	if err != nil {
		return nil, false, err
	}
	for _, r := range want.Releases {
		_, lower := s.Get(tree.ReleaseRoot(r))
		_, upper := s.Get(tree.ReleaseRoot(strings.ToUpper(r)))
		if !lower && !upper {
			return nil, false, nil
		}
	}
	inv, err = h.fill(ctx, tree, s, opts)
	if err != nil {
		return nil, false, err
	}
	inv.Narrow = true
	return inv, true, nil
}

// foldSpellings lists every spelling of name with each '.' or '_' as
// either (jail(8) names turn dots into underscores), or nil when there
// are more than maxFolds of them.
func foldSpellings(name string) []string {
	var at []int
	for i := 0; i < len(name); i++ {
		if name[i] == '.' || name[i] == '_' {
			at = append(at, i)
		}
	}
	if len(at) > maxFolds {
		return nil
	}
	out := make([]string, 0, 1<<len(at))
	for m := 0; m < 1<<len(at); m++ {
		b := []byte(name)
		for k, i := range at {
			b[i] = '.'
			if m&(1<<k) != 0 {
				b[i] = '_'
			}
		}
		out = append(out, string(b))
	}
	return out
}

func uniq(xs []string) []string {
	seen := make(map[string]bool, len(xs))
	out := xs[:0:0]
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// CreateSpeculative makes the most common jail, one named thin jail from
// a fetched release, with its two slowest steps overlapped: the narrow
// read (LoadNarrow) runs while the release snapshot is taken, on the pool
// and release the mount table points at. The snapshot is journaled like
// any create step; when the read then refuses the name, or shows the
// guess was wrong, it is destroyed again before anything else happens.
//
// handled is false, with nothing changed, when the request is not that
// case or the guess did not hold: the caller then creates the usual way.
func (h *Host) CreateSpeculative(ctx context.Context, req CreateRequest) (handled bool, err error) {
	want, narrow := req.Wanted()
	if !narrow || req.Name == "" || req.Count > 1 || len(want.Releases) == 0 ||
		req.Thick || req.Basejail || req.CloneBasejail {
		return false, nil
	}
	mt, ok := h.mountTable()
	if !ok {
		return false, nil
	}
	pool := h.Pool
	if pool == "" {
		for ds := range mt {
			if p, rest, _ := strings.Cut(ds, "/"); rest == zfs.RootName {
				if pool != "" {
					return false, nil // more than one tree: let the read decide
				}
				pool = p
			}
		}
	}
	l := zfs.Layout{Pool: pool}
	rel := ""
	for _, r := range []string{strings.ToUpper(req.Release), req.Release} {
		if _, ok := mt[l.ReleaseRoot(r)]; ok {
			rel = r
			break
		}
	}
	if rel == "" {
		return false, nil
	}
	name := req.Name
	snap := zfs.SnapName(l.ReleaseRoot(rel), name)

	tx, err := h.begin(ctx, "create", name)
	if err != nil {
		return true, err
	}
	defer tx.end()
	taken := &takenSnapshot{since: time.Now().Unix()}
	// Only the snapshot for now: whether the jail's dataset is free is
	// what the read is about to tell, and the journal must never name a
	// dataset that is someone else's.
	if err := tx.destroyOnCrash(snap, false); err != nil {
		return true, err
	}
	type narrowRead struct {
		inv *Inventory
		ok  bool
		err error
	}
	read := make(chan narrowRead, 1)
	go func() {
		inv, ok, err := h.loadNarrow(ctx, mt, want, Options{Create: true, Locked: true})
		read <- narrowRead{inv, ok, err}
	}()
	taken.err = tx.made(snap, h.ZFS.Snapshot(ctx, snap, false))
	if taken.err == nil {
		tx.Add(func() error { return h.ZFS.Destroy(tx.ctx, snap, zfs.DestroyOptions{}) })
	}
	r := <-read
	if r.err != nil {
		return true, r.err
	}
	if !r.ok || r.inv.Tree.Pool != pool {
		tx.end() // the guess was wrong: unwind before the usual way
		return false, nil
	}
	plans, err := r.inv.plan(req)
	if err != nil {
		return true, err
	}
	src, err := h.resolveSource(ctx, r.inv, req)
	if err != nil {
		return true, err
	}
	if src.root != l.ReleaseRoot(rel) || src.parent != "" {
		tx.end()
		return false, nil
	}
	if err := h.createIn(ctx, tx, r.inv, req, src, plans[0], taken); err != nil {
		return true, err
	}
	h.say("%s successfully created!", name)
	return true, nil
}
