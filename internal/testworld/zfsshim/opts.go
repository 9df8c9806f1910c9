package zfsshim

import (
	"errors"
	"strings"
)

// opt is one parsed option: its letter and, for options that take one, its
// argument.
type opt struct {
	name   byte
	arg    string
	hasArg bool
}

// optSpec describes a subcommand's options the way getopt(3) does: letters
// that stand alone and letters that take an argument.
type optSpec struct {
	bools   string
	withArg string
}

// parsed is a subcommand's argv split into options and operands.
type parsed struct {
	opts     []opt
	operands []string
}

var errBadOption = errors.New("option not understood")

// parseOpts splits args like glibc getopt(3) does: combined letters (-rHp),
// attached or separate option arguments (-oname, -o name), operands mixed
// with options (go-zfs puts "rename SRC DST -p"), and "--" ending options.
// Anything it doesn't know (long options, unknown letters, a missing
// argument) yields errBadOption: the caller then hands the untouched argv to
// the real zfs so that it prints its own usage error.
func parseOpts(args []string, spec optSpec) (parsed, error) {
	var p parsed
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			p.operands = append(p.operands, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			p.operands = append(p.operands, a)
			continue
		}
		if a[1] == '-' {
			return parsed{}, errBadOption
		}
		for j := 1; j < len(a); j++ {
			c := a[j]
			switch {
			case strings.IndexByte(spec.bools, c) >= 0:
				p.opts = append(p.opts, opt{name: c})
			case strings.IndexByte(spec.withArg, c) >= 0:
				if j+1 < len(a) {
					p.opts = append(p.opts, opt{name: c, arg: a[j+1:], hasArg: true})
				} else if i+1 < len(args) {
					i++
					p.opts = append(p.opts, opt{name: c, arg: args[i], hasArg: true})
				} else {
					return parsed{}, errBadOption
				}
				j = len(a)
			default:
				return parsed{}, errBadOption
			}
		}
	}
	return p, nil
}

// has reports whether option c was given.
func (p parsed) has(c byte) bool {
	for _, o := range p.opts {
		if o.name == c {
			return true
		}
	}
	return false
}

// last returns the argument of the last -c given, as getopt loops that
// assign a variable keep the last value.
func (p parsed) last(c byte) (string, bool) {
	v, ok := "", false
	for _, o := range p.opts {
		if o.name == c {
			v, ok = o.arg, true
		}
	}
	return v, ok
}

// all returns the arguments of every -c given, in order.
func (p parsed) all(c byte) []string {
	var vs []string
	for _, o := range p.opts {
		if o.name == c {
			vs = append(vs, o.arg)
		}
	}
	return vs
}

// flagArgs renders the options named in letters (in the order given on the
// command line) back into argv form, one option per word.
func (p parsed) flagArgs(letters string) []string {
	var out []string
	for _, o := range p.opts {
		if strings.IndexByte(letters, o.name) < 0 {
			continue
		}
		out = append(out, "-"+string(o.name))
		if o.hasArg {
			out = append(out, o.arg)
		}
	}
	return out
}
