package jail

import (
	"context"
	"fmt"
	"io"

	"github.com/jcage/jcage/internal/inventory"
)

// EachJail runs do on each jail in turn. One jail's failure comes back as
// it is. With several jails a failure is printed on errw as it happens
// and the next jail goes on; the error then names every jail that failed
// (a *MultiError, whose Verb is verb). An interrupt ends the loop.
func EachJail(ctx context.Context, jails []*inventory.Jail, verb string, errw io.Writer, do func(*inventory.Jail) error) error {
	errw = OrDiscard(errw)
	var failed []string
	var first error
	for _, j := range jails {
		if err := ctx.Err(); err != nil {
			return err
		}
		err := do(j)
		if err == nil {
			continue
		}
		if len(jails) == 1 || ctx.Err() != nil {
			return err
		}
		fmt.Fprintln(errw, ErrorText(err))
		if first == nil {
			first = err
		}
		failed = append(failed, j.Name)
	}
	if first != nil {
		return &MultiError{Verb: verb, Names: failed, First: first}
	}
	return nil
}
