package jail

import (
	"context"
	"errors"
	"testing"

	"github.com/jcage/jcage/internal/inventory"
)

// A change decides from the tree as it is under the lock: an inventory
// read before another command changed the tree is read again, and the
// jails it named are found again in it.
func TestBeginReadsAChangedTreeAgain(t *testing.T) {
	w := newSnapWorld(t)
	ctx := context.Background()
	w.jail("web")
	w.jail("db")
	inv := w.load()
	web := w.find(inv, "web")

	// Nothing changed: the inventory is the caller's.
	_, tx, got, err := w.h.Begin(ctx, "test", "web", inv)
	if err != nil {
		t.Fatal(err)
	}
	tx.End()
	if got != inv {
		t.Fatal("an unchanged tree was read again")
	}

	// Another command renames db away and web to db's old name.
	if err := w.h.Rename(ctx, w.load(), "db", "db2"); err != nil {
		t.Fatal(err)
	}
	if err := w.h.Rename(ctx, w.load(), "web", "db"); err != nil {
		t.Fatal(err)
	}
	_, tx, got, js, err := w.h.BeginJails(ctx, "test", inv, []*inventory.Jail{web})
	if tx != nil {
		tx.End()
	}
	var nf *inventory.NotFoundError
	if got == inv || !errors.As(err, &nf) || nf.Name != "web" || js != nil {
		t.Fatalf("stale inventory: fresh %v, jails %v, err %v", got != inv, js, err)
	}
	// A rename decided from the stale read is refused as iocage
	// refuses a taken name, and changes nothing.
	before := w.f.Names()
	if err := w.h.Rename(ctx, inv, "db2", "db"); err == nil || err.Error() != "Jail: db already exists!" {
		t.Fatalf("rename onto a name taken since the read: %v", err)
	}
	if after := w.f.Names(); len(after) != len(before) {
		t.Fatalf("refused rename changed the pool: %v", after)
	}
}
