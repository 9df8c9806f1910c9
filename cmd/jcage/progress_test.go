package main

import (
	"bytes"
	"strings"
	"testing"
)

// On a terminal an image stream shows a bar with its total and the time
// left; off one, nothing.
func TestImageProgressBar(t *testing.T) {
	var errb bytes.Buffer
	if imageProgress(&errb) != nil {
		t.Fatal("a progress display off a terminal")
	}
	defer func(f func(any) bool) { isTerminal = f }(isTerminal)
	isTerminal = func(any) bool { return true }
	p := imageProgress(&errb)("tank/iocage/jails/web", 4<<20)
	if _, err := p.Write(make([]byte, 1<<20)); err != nil {
		t.Fatal(err)
	}
	out := errb.String()
	for _, want := range []string{"tank/iocage/jails/web", "25%", "4.0 MiB", "[0s:"} {
		if !strings.Contains(out, want) {
			t.Errorf("bar lacks %q: %q", want, out)
		}
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
}
