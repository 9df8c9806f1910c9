package jail

import (
	"context"
	"sort"
	"strings"

	"github.com/jcage/jcage/internal/layout"
	"github.com/jcage/jcage/internal/txn"
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
	mt, err := h.Mounts.ReadMountTable()
	return mt, err == nil
}

func (h *Host) loadNarrow(ctx context.Context, mt MountTable, want Wanted, opts Options) (inv *Inventory, ok bool, err error) {
	q, ok := narrowQuery(mt, h.narrowPools(mt), want)
	if !ok {
		return nil, false, nil
	}
	gen := h.Txns().Generation()
	ds, err := h.ZFS.ListNames(ctx, uniq(q.names), []string{ActiveProp, "exec"})
	if err != nil {
		return nil, false, err
	}
	ds = append(ds, q.mounted...)
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
	inv.gen, inv.reload = gen, h.narrowReload(want, opts)
	return inv, true, nil
}

// narrowPools is the pinned pool, or every pool the mount table holds a
// dataset of, sorted.
func (h *Host) narrowPools(mt MountTable) []string {
	if h.Pool != "" {
		return []string{h.Pool}
	}
	var pools []string
	seen := map[string]bool{}
	for ds := range mt {
		p, _, _ := strings.Cut(ds, "/")
		if !seen[p] {
			seen[p] = true
			pools = append(pools, p)
		}
	}
	sort.Strings(pools)
	return pools
}

// narrowTargets is what the narrow read asks zfs about (names) and what
// it takes from the mount table instead (mounted).
type narrowTargets struct {
	names   []string
	mounted []zfs.Dataset
}

// narrowQuery lists what to read of pools for want. zfs is asked about
// the pool roots (the active marker), each tree root (exec) and the
// wanted jail and template names, which may exist unmounted. The tree's
// other datasets and the releases count when mounted, and the mount
// table says where. ok is false when a name has too many spellings.
func narrowQuery(mt MountTable, pools []string, want Wanted) (q narrowTargets, ok bool) {
	mount := func(name string) {
		if mp, ok := mt[name]; ok {
			q.mounted = append(q.mounted, zfs.Dataset{Name: name, Type: zfs.Filesystem, Mountpoint: mp, Mounted: true})
		}
	}
	for _, p := range pools {
		q.names = append(q.names, p)
		l := layout.Layout{Pool: p}
		if _, ok := mt[l.Root()]; !ok {
			continue
		}
		q.names = append(q.names, l.Root())
		for _, d := range l.Tree()[1:] {
			mount(d)
		}
		for _, n := range want.Names {
			spellings := foldSpellings(n)
			if spellings == nil {
				return narrowTargets{}, false
			}
			for _, v := range spellings {
				q.names = append(q.names, l.Jail(v), l.Template(v))
			}
		}
		for _, t := range want.Templates {
			q.names = append(q.names, l.Template(t), l.TemplateRoot(t))
		}
		for _, r := range want.Releases {
			for _, v := range uniq([]string{r, strings.ToUpper(r)}) {
				mount(l.Release(v))
				mount(l.ReleaseRoot(v))
			}
		}
	}
	return q, true
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
	g, ok := h.guessThinCreate(req)
	if !ok {
		return false, nil
	}
	name := req.Name
	snap := layout.SnapName(g.layout.ReleaseRoot(g.rel), name)

	ctx, tx, _, err := h.Begin(ctx, "create", name, nil)
	if err != nil {
		return true, err
	}
	defer tx.End()
	r, taken, err := h.snapshotWhileReading(ctx, tx, g, snap)
	if err != nil {
		return true, err
	}
	if !r.ok || r.inv.Tree.Pool != g.layout.Pool {
		tx.End() // the guess was wrong: unwind before the usual way
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
	if src.root != g.layout.ReleaseRoot(g.rel) || src.parent != "" {
		tx.End()
		return false, nil
	}
	if err := h.createIn(ctx, tx, r.inv, req, src, plans[0], taken); err != nil {
		return true, err
	}
	h.Say("%s successfully created!", name)
	return true, nil
}

// thinGuess is where the mount table says a thin create will land: the
// pool with the one tree, and the release's spelling there.
type thinGuess struct {
	want   Wanted
	mt     MountTable
	layout layout.Layout
	rel    string
}

// guessThinCreate is false unless req is one named thin jail from a
// release and the mount table shows one tree with that release mounted.
func (h *Host) guessThinCreate(req CreateRequest) (thinGuess, bool) {
	want, narrow := req.Wanted()
	if !narrow || req.Name == "" || req.Count > 1 || len(want.Releases) == 0 ||
		req.Thick || req.Basejail || req.CloneBasejail {
		return thinGuess{}, false
	}
	mt, ok := h.mountTable()
	if !ok {
		return thinGuess{}, false
	}
	pool := h.Pool
	if pool == "" {
		for ds := range mt {
			if p, rest, _ := strings.Cut(ds, "/"); rest == layout.RootName {
				if pool != "" {
					return thinGuess{}, false // more than one tree: let the read decide
				}
				pool = p
			}
		}
	}
	l := layout.Layout{Pool: pool}
	for _, r := range []string{strings.ToUpper(req.Release), req.Release} {
		if _, ok := mt[l.ReleaseRoot(r)]; ok {
			return thinGuess{want: want, mt: mt, layout: l, rel: r}, true
		}
	}
	return thinGuess{}, false
}

// narrowResult is LoadNarrow's answer, passed back from its goroutine.
type narrowResult struct {
	inv *Inventory
	ok  bool
	err error
}

// snapshotWhileReading takes snap, journaled and undone on failure, while
// the narrow read of g runs beside it.
func (h *Host) snapshotWhileReading(ctx context.Context, tx *txn.Tx, g thinGuess, snap string) (narrowResult, *takenSnapshot, error) {
	taken := &takenSnapshot{}
	// Only the snapshot for now: whether the jail's dataset is free is
	// what the read is about to tell, and the journal must never name a
	// dataset that is someone else's.
	if err := tx.WillCreate(snap, false); err != nil {
		return narrowResult{}, nil, err
	}
	read := make(chan narrowResult, 1)
	go func() {
		inv, ok, err := h.loadNarrow(ctx, g.mt, g.want, Options{Create: true})
		read <- narrowResult{inv, ok, err}
	}()
	taken.err = tx.Made(snap, h.ZFS.Snapshot(ctx, snap, false))
	r := <-read
	return r, taken, r.err
}

// narrowReload reads a narrow inventory again, or the whole tree when the
// narrow read no longer settles it.
func (h *Host) narrowReload(want Wanted, opts Options) func(context.Context) (*Inventory, error) {
	return func(ctx context.Context) (*Inventory, error) {
		inv, ok, err := h.LoadNarrow(ctx, want, opts)
		if err == nil && !ok {
			inv, err = h.Load(ctx, opts)
		}
		return inv, err
	}
}
