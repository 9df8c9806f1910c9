package inventory

import (
	"context"
	"sort"
	"strings"

	"github.com/jcage/jcage/internal/layout"
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
	mt, ok := h.CurrentMounts()
	if !ok || opts.State {
		return nil, false, nil
	}
	return h.LoadNarrowFrom(ctx, mt, want, opts)
}

// mountTable reads the mount table; false when there is none to read.
func (h *Host) CurrentMounts() (MountTable, bool) {
	mt, err := h.Mounts.ReadMountTable()
	return mt, err == nil
}

func (h *Host) LoadNarrowFrom(ctx context.Context, mt MountTable, want Wanted, opts Options) (inv *Inventory, ok bool, err error) {
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
			spellings := FoldSpellings(n)
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
func FoldSpellings(name string) []string {
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
