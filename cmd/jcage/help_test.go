package main

import (
	"strings"
	"testing"
	"unicode"
)

// Every command's summary is one sentence in iocage's style (capital
// first, a period at the end), and every command has a description.
func TestHelpStyle(t *testing.T) {
	app := newApp(&env{})
	if u := app.Usage; !unicode.IsUpper(rune(u[0])) || !strings.HasSuffix(u, ".") {
		t.Errorf("jcage's summary %q", u)
	}
	for _, c := range app.Commands {
		if u := c.Usage; u == "" || !unicode.IsUpper(rune(u[0])) || !strings.HasSuffix(u, ".") {
			t.Errorf("%s: summary %q is not a sentence", c.Name, u)
		}
		if strings.TrimSpace(c.Description) == "" {
			t.Errorf("%s has no description", c.Name)
		}
		for _, line := range strings.Split(c.Description, "\n") {
			if len(line) > 100 {
				t.Errorf("%s: description line longer than 100 columns: %q", c.Name, line)
			}
		}
	}
	for _, name := range []string{"exec", "pkg"} {
		h := newHarness(t)
		h.uid = 1001
		if code := h.jcage(name, "--help"); code != 0 || !strings.Contains(h.stdout.String(), "DESCRIPTION:") {
			t.Errorf("%s --help: %d %q %q", name, code, h.stdout.String(), h.stderr.String())
		}
	}
}
