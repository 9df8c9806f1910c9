package main

import (
	"errors"
	"flag"
	"fmt"
	"sort"
	"strings"

	"github.com/urfave/cli/v2"
)

// usageError is a command line jcage cannot parse: an unknown command or
// option, or an option's value of the wrong kind. It exits 2, as iocage
// does through click (pallets/click src/click/exceptions.py: UsageError,
// and its NoSuchOption, carry exit_code 2; Group.resolve_command raises
// "No such command"), before anything is read from ZFS.
type usageError struct{ error }

func (u usageError) Error() string { return u.error.Error() }

// usageErrorf builds a usageError.
func usageErrorf(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

// unknownCommand is click's `No such command "lst".`, with the nearest
// command names as a suggestion.
func unknownCommand(app *cli.App, name string) error {
	var names []string
	for _, c := range app.Commands {
		if !c.Hidden {
			names = append(names, c.Names()...)
		}
	}
	msg := fmt.Sprintf("No such command %q.", name)
	if s := nearest(name, names); len(s) > 0 {
		msg += " Did you mean " + quoteAll(s, `"`) + "?"
	}
	return usageError{fmt.Errorf("%s See 'jcage help'.", msg)}
}

// flagUsageError rewrites urfave/cli's flag errors in click's words and
// suggests the nearest option of the command (or of jcage itself for the
// global options).
func flagUsageError(c *cli.Context, err error, sub bool) error {
	msg := err.Error()
	flags, where := c.App.Flags, "jcage"
	if sub {
		flags, where = c.Command.Flags, "jcage "+c.Command.Name
	}
	if errors.Is(err, flag.ErrHelp) {
		// Go's flag package reserves -h; iocage's -h is a command's "no
		// header", and help is --help.
		msg = "flag provided but not defined: -h"
	}
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		var names []string
		for _, f := range flags {
			for _, n := range f.Names() {
				names = append(names, dashed(n))
			}
		}
		names = append(names, "--help")
		out := fmt.Sprintf("No such option: %s.", dashed(name))
		if s := nearest(dashed(name), names); len(s) > 0 {
			out += " Did you mean " + strings.Join(s, ", ") + "?"
		}
		return usageError{fmt.Errorf("%s See '%s --help'.", out, where)}
	}
	return usageError{fmt.Errorf("%s (see '%s --help')", msg, where)}
}

// dashed spells a flag name as it is typed: -r, --release, -NU.
func dashed(name string) string {
	name = strings.TrimLeft(name, "-")
	if len(name) == 1 || (len(name) == 2 && strings.ToUpper(name) == name) {
		return "-" + name
	}
	return "--" + name
}

func quoteAll(s []string, q string) string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = q + x + q
	}
	return strings.Join(out, " or ")
}

// nearest returns the candidates closest to typed by edit distance, when
// they are close enough to be what was meant: within a third of the
// word's length (at least one edit), or starting with what was typed.
func nearest(typed string, candidates []string) []string {
	type scored struct {
		name string
		d    int
	}
	bare := strings.TrimLeft(typed, "-")
	limit := max(1, len(bare)/3)
	if len(bare) == 1 {
		// One letter is one edit from every other letter: suggest only
		// the long names it starts (-h: --help).
		limit = 0
	}
	var hits []scored
	seen := map[string]bool{}
	for _, c := range candidates {
		if seen[c] || c == typed {
			continue
		}
		seen[c] = true
		cb := strings.TrimLeft(c, "-")
		d := editDistance(bare, cb)
		if d <= limit || (len(cb) > 1 && strings.HasPrefix(cb, bare)) {
			hits = append(hits, scored{c, d})
		}
	}
	sort.SliceStable(hits, func(i, j int) bool {
		if hits[i].d != hits[j].d {
			return hits[i].d < hits[j].d
		}
		return hits[i].name < hits[j].name
	})
	var out []string
	for _, h := range hits {
		if len(out) == 3 || (len(out) > 0 && h.d > hits[0].d) {
			break
		}
		out = append(out, h.name)
	}
	return out
}

// editDistance is the Damerau-Levenshtein distance (adjacent swaps count
// as one edit, so "lsit" is one edit from "list").
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
