package fbsdsim

import "strings"

// bsdOpt is one option parsed by bsdGetopt.
type bsdOpt struct {
	Flag byte
	Arg  string
}

// bsdGetopt parses args the way FreeBSD's getopt(3) does. Options end at
// the first word that is not an option, or after "--"; words are never
// permuted (unlike GNU getopt), so `jls -v foo -n` treats "-n" as a
// parameter name, just as the real tools do. A letter followed by ':' in
// spec takes an argument, attached ("-fFILE") or as the next word.
//
// On error it returns the getopt(3) diagnostic without the program name:
// "illegal option -- x" or "option requires an argument -- f".
func bsdGetopt(args []string, spec string) (opts []bsdOpt, rest []string, errMsg string) {
	spec = strings.TrimLeft(spec, "+:")
	i := 0
	for ; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return opts, args[i+1:], ""
		}
		if len(a) < 2 || a[0] != '-' {
			break
		}
		for j := 1; j < len(a); j++ {
			c := a[j]
			k := strings.IndexByte(spec, c)
			if c == ':' || k < 0 {
				return opts, nil, "illegal option -- " + string(c)
			}
			if k+1 < len(spec) && spec[k+1] == ':' {
				if j+1 < len(a) {
					opts = append(opts, bsdOpt{c, a[j+1:]})
				} else if i+1 < len(args) {
					i++
					opts = append(opts, bsdOpt{c, args[i]})
				} else {
					return opts, nil, "option requires an argument -- " + string(c)
				}
				break
			}
			opts = append(opts, bsdOpt{Flag: c})
		}
	}
	return opts, args[i:], ""
}

// usageError prints a getopt(3) diagnostic, if any, then the usage text,
// and returns code.
func (e *Env) usageError(code int, getoptMsg string, usage ...string) int {
	if getoptMsg != "" {
		e.Errorf(0, "%s", getoptMsg)
	}
	return e.Usage(code, usage...)
}
