package main

import (
	"testing"

	"github.com/jcage/jcage/internal/lazyregexp"
)

// Every package-level pattern is compiled on first use, not at start-up;
// this compiles them all, so that a typo fails here and not in the
// command that first matches it.
func TestPatternsCompile(t *testing.T) {
	if err := lazyregexp.Check(); err != nil {
		t.Fatal(err)
	}
}
