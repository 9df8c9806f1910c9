package jail

import (
	"context"
	"fmt"
	"io"
)

// Commands whose JAIL argument may be ALL (exec, pkg, update, upgrade)
// run one jail after the other, as iocage's exec_all, update_all and
// upgrade_all do (iocage_lib/iocage.py): every jail in the order iocage
// lists them, sorted by name. iocage also walks the templates, where
// nothing can run and every command fails; jcage leaves them out, as
// start, stop and restart ALL do. iocage stops at the first jail that
// fails; jcage reports it and goes on, so that one stopped jail does not
// keep the command from the rest, and exits 1 naming every failure.

// Targets resolves a JAIL argument: a jail by name or unique prefix, or
// with ALL every jail.
func (inv *Inventory) Targets(arg string) ([]*Jail, error) {
	targets, _, err := inv.ResolveTargets([]string{arg}, false)
	return targets, err
}

// EachJail runs do on each jail in turn. One jail's failure comes back as
// it is. With several jails a failure is printed on errw as it happens
// and the next jail goes on; the error then names every jail that failed
// (a *MultiError, whose Verb is verb). An interrupt ends the loop.
func EachJail(ctx context.Context, jails []*Jail, verb string, errw io.Writer, do func(*Jail) error) error {
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
