package jail

import (
	"context"
	"strings"

	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/layout"
	"github.com/jcage/jcage/internal/txn"
)

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
	plans, err := planCreate(r.inv, req)
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
	want   inventory.Wanted
	mt     inventory.MountTable
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
	mt, ok := h.CurrentMounts()
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
	inv *inventory.Inventory
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
		inv, ok, err := h.LoadNarrowFrom(ctx, g.mt, g.want, inventory.Options{Create: true})
		read <- narrowResult{inv, ok, err}
	}()
	taken.err = tx.Made(snap, h.ZFS.Snapshot(ctx, snap, false))
	r := <-read
	return r, taken, r.err
}
