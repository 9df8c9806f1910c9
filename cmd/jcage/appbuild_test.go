package main

import (
	"slices"
	"strings"
	"testing"
)

// Each command is registered under the name it answers to, once.
func TestRegisteredNames(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range commandFactories {
		if c := f.build(&env{}); c.Name != f.name {
			t.Errorf("registered as %q, builds %q", f.name, c.Name)
		}
		if seen[f.name] {
			t.Errorf("%q registered twice", f.name)
		}
		seen[f.name] = true
	}
}

// A command line builds only the command it names.
func TestFactoriesFor(t *testing.T) {
	all := len(commandFactories)
	for _, c := range []struct {
		args []string
		want []string // nil: every command
	}{
		{[]string{"jcage", "--version"}, []string{}},
		{[]string{"jcage", "-v"}, []string{}},
		{[]string{"jcage", "-D", "list", "-h"}, []string{"list"}},
		{[]string{"jcage", "start", "--rc"}, []string{"start"}},
		{[]string{"jcage", "exec", "web", "--", "ls"}, []string{"exec"}},
		{[]string{"jcage"}, nil},
		{[]string{"jcage", "--help"}, nil},
		{[]string{"jcage", "--version", "--help"}, nil},
		{[]string{"jcage", "help", "list"}, nil},
		{[]string{"jcage", "lst"}, nil},
		{[]string{"jcage", "__complete", "li"}, nil},
	} {
		got := factoriesFor(c.args)
		if c.want == nil {
			if len(got) != all {
				t.Errorf("%q: %d commands, want all %d", c.args, len(got), all)
			}
			continue
		}
		var names []string
		for _, f := range got {
			names = append(names, f.name)
		}
		if !slices.Equal(names, c.want) && !(len(names) == 0 && len(c.want) == 0) {
			t.Errorf("%q: commands %q, want %q", c.args, names, c.want)
		}
	}
}

// Only a bare --version (no verb, no --help) is answered without a log.
func TestVersionOnly(t *testing.T) {
	for args, want := range map[string]bool{
		"jcage --version": true, "jcage -v": true, "jcage -D --version": true,
		"jcage": false, "jcage --version --help": false, "jcage list": false, "jcage -v list": false,
	} {
		if got := versionOnly(strings.Fields(args)); got != want {
			t.Errorf("versionOnly(%q) = %v", args, got)
		}
	}
}
