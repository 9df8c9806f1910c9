package main

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// permuteArgs moves a command's flags in front of its positional
// arguments. iocage's command line (click) accepts flags anywhere, as in
// `iocage clone www1 -n www2`; urfave/cli stops at the first positional
// argument. Everything after "--" stays positional.
func permuteArgs(app *cli.App, args []string) []string {
	if len(args) < 2 {
		return args
	}
	// Global flags come before the command name.
	i := 1
	for i < len(args) && strings.HasPrefix(args[i], "-") && args[i] != "-" {
		i++
	}
	if i >= len(args) {
		return args
	}
	cmd := findCommand(app, args[i])
	if cmd == nil || cmd.SkipFlagParsing {
		// exec, pkg and friends pass their arguments on untouched.
		return args
	}
	takesValue := map[string]bool{}
	for _, f := range cmd.Flags {
		_, isBool := f.(*cli.BoolFlag)
		for _, n := range f.Names() {
			takesValue[n] = !isBool
		}
	}
	out := append([]string{}, args[:i+1]...)
	var flags, positional []string
	rest := args[i+1:]
	for k := 0; k < len(rest); k++ {
		a := rest[k]
		switch {
		case a == "--":
			positional = append(positional, rest[k+1:]...)
			k = len(rest)
		case len(a) > 1 && a[0] == '-' && a != "-":
			name := strings.TrimLeft(a, "-")
			if strings.Contains(name, "=") {
				flags = append(flags, a)
				continue
			}
			if _, known := takesValue[name]; !known && !strings.HasPrefix(a, "--") && len(name) > 1 {
				if split, next, ok := splitShort(name, takesValue); ok {
					flags = append(flags, split...)
					if next && k+1 < len(rest) {
						k++
						flags = append(flags, rest[k])
					}
					continue
				}
			}
			flags = append(flags, a)
			if takesValue[name] && k+1 < len(rest) {
				k++
				flags = append(flags, rest[k])
			}
		default:
			positional = append(positional, a)
		}
	}
	out = append(out, flags...)
	if len(positional) > 0 {
		out = append(out, "--")
		out = append(out, positional...)
	}
	return out
}

func findCommand(app *cli.App, name string) *cli.Command {
	for _, c := range app.Commands {
		if c.HasName(name) {
			return c
		}
	}
	return nil
}

// splitShort spells out a cluster of short options as click's parser
// reads it (pallets/click src/click/parser.py: _process_opts first
// matches the whole word as an option, as -NU is; _match_short_opt then
// reads the word letter by letter): letter by
// letter, each a boolean option, until one that takes a value, which
// takes the rest of the word (`-c5`, `-rh` for fetch's -r h) or, when
// the word ends there, the next argument (next). The result is one word
// per option and value; ok is false when a letter is no option of the
// command, and urfave/cli reports the word as it was typed.
func splitShort(cluster string, takesValue map[string]bool) (out []string, next, ok bool) {
	for j, ch := range cluster {
		name := string(ch)
		valued, known := takesValue[name]
		if !known {
			return nil, false, false
		}
		out = append(out, "-"+name)
		if valued {
			if v := cluster[j+len(name):]; v != "" {
				return append(out, v), false, true
			}
			return out, true, true
		}
	}
	return out, false, true
}
