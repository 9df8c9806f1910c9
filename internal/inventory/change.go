package inventory

import (
	"context"

	"github.com/jcage/jcage/internal/txn"
)

// DefaultLockDir holds the tree lock on a FreeBSD host.
const DefaultLockDir = txn.DefaultDir

// Txns is the host's transaction store: the tree lock in LockDir, the
// journals beside it, and what replays them. Every change to the tree is
// one transaction begun there (see package txn).
func (h *Host) Txns() *txn.Store {
	return &txn.Store{Dir: h.LockDir, ZFS: h.ZFS, Run: h.Run, Log: h.Out}
}

// Begin starts the change op on name: it takes the tree lock (through
// txn.Store.Begin: waiting honours ctx, and dead changes are cleaned up
// first) and returns the context that carries the change, the change, and
// the inventory to decide from. That is inv itself, read by the caller
// before the lock, unless another command has changed the tree since: then
// the tree is read again, under the lock, the way inv was read. inv may be
// nil for a change that reads nothing. Defer the change's End.
func (h *Host) Begin(ctx context.Context, op, name string, inv *Inventory) (context.Context, *txn.Tx, *Inventory, error) {
	s := h.Txns()
	ctx, tx, err := s.Begin(ctx, op, name)
	if err != nil {
		return ctx, nil, inv, err
	}
	if inv == nil || inv.reload == nil || s.Generation() == inv.gen {
		return ctx, tx, inv, nil
	}
	fresh, err := inv.reload(ctx)
	if err != nil {
		tx.End()
		return ctx, nil, inv, err
	}
	return ctx, tx, fresh, nil
}

// changeName names a change over several jails.
func changeName(jails []*Jail) string {
	if len(jails) == 1 {
		return jails[0].Name
	}
	return AllJails
}

// BeginJails is Begin for a change to jails, taken from inv: when inv is
// read again, so are they, found by their exact names (a jail gone in the
// meantime is not found).
func (h *Host) BeginJails(ctx context.Context, op string, inv *Inventory, jails []*Jail) (context.Context, *txn.Tx, *Inventory, []*Jail, error) {
	ctx, tx, fresh, err := h.Begin(ctx, op, changeName(jails), inv)
	if err != nil || fresh == inv {
		return ctx, tx, fresh, jails, err
	}
	found := make([]*Jail, len(jails))
	for i, j := range jails {
		if found[i] = fresh.exactly(j); found[i] == nil {
			tx.End()
			return ctx, nil, fresh, nil, &NotFoundError{Name: j.Name}
		}
	}
	return ctx, tx, fresh, found, nil
}

// BeginJail is BeginJails for one jail.
func (h *Host) BeginJail(ctx context.Context, op string, inv *Inventory, j *Jail) (context.Context, *txn.Tx, *Inventory, *Jail, error) {
	ctx, tx, inv, js, err := h.BeginJails(ctx, op, inv, []*Jail{j})
	if err != nil {
		return ctx, nil, inv, nil, err
	}
	return ctx, tx, inv, js[0], nil
}

// exactly finds the jail or template named as j is.
func (inv *Inventory) exactly(j *Jail) *Jail {
	for _, o := range inv.Jails {
		if o.Name == j.Name && o.Template == j.Template {
			return o
		}
	}
	return nil
}
