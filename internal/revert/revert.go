// Package revert keeps an undo stack around a multi-step change:
//
//	r := revert.New()
//	defer r.Fail()
//	... step; r.Add(undo) ...
//	r.Success()
//
// Fail runs the undo functions in reverse order unless Success was called.
// A cleanup error is reported but never replaces the error that caused
// the unwinding.
package revert

import (
	"errors"
	"fmt"
	"io"
)

// Reverter is an undo stack.
type Reverter struct {
	undo []func() error
	done bool
	// Log receives cleanup failures, one line each: the writer the
	// command reports on. With none they come back from Fail only.
	Log io.Writer
}

// New returns an empty stack.
func New() *Reverter { return &Reverter{} }

// Add pushes an undo step.
func (r *Reverter) Add(f func() error) { r.undo = append(r.undo, f) }

// Success disarms the stack.
func (r *Reverter) Success() { r.done = true }

// Fail unwinds unless Success was called, and returns the joined cleanup
// errors (nil when everything unwound).
func (r *Reverter) Fail() error {
	if r.done {
		return nil
	}
	r.done = true
	var errs []error
	for i := len(r.undo) - 1; i >= 0; i-- {
		if err := r.undo[i](); err != nil {
			errs = append(errs, err)
			if r.Log != nil {
				fmt.Fprintf(r.Log, "cleanup: %v\n", err)
			}
		}
	}
	return errors.Join(errs...)
}
