package fbsdsim

// uname(1). Like the real one, every field can be overridden with an
// environment variable UNAME_<flag> (UNAME_r, UNAME_m, ...): that is how
// freebsd-update is told which release it runs on. Without an override
// the field comes from the simulated kernel (see sysctl.go): release from
// JCAGE_SIM_HOST_RELEASE, machine from JCAGE_SIM_MACHINE.

import (
	"fmt"
	"strconv"
	"strings"
)

func init() { register("uname", runUname) }

// unameFields lists the fields in print order with their option letter.
var unameFields = []byte{'s', 'n', 'r', 'v', 'm', 'p', 'i', 'K', 'U', 'b'}

// unameValue returns one field, honouring UNAME_<c>. The real uname
// checks getenv() != NULL, so even an empty UNAME_x would win; an Env
// cannot tell empty from unset, so empty means unset here.
func unameValue(e *Env, c byte) string {
	if v := e.Getenv("UNAME_" + string(c)); v != "" {
		return v
	}
	get := func(name string) string {
		v, _ := sysctlGet(e, name)
		return v
	}
	switch c {
	case 's':
		return get("kern.ostype")
	case 'n':
		return get("kern.hostname")
	case 'r':
		return get("kern.osrelease")
	case 'v':
		return strings.NewReplacer("\n", " ", "\t", " ").Replace(get("kern.version"))
	case 'm':
		return get("hw.machine")
	case 'p':
		return get("hw.machine_arch")
	case 'i':
		return get("kern.ident")
	case 'K':
		return get("kern.osreldate")
	case 'U':
		// __FreeBSD_version the uname binary was built for: the userland.
		return strconv.Itoa(ulOSRelDate(ulHostUserland(e)))
	case 'b':
		return get("kern.build_id")
	}
	return ""
}

func runUname(e *Env) int {
	opts, rest, oerr := ulGetopt(e.Args, "abiKmnoprsUv")
	if oerr != nil {
		fmt.Fprintln(e.Stderr, oerr.libc("uname"))
		return e.Usage(1, "usage: uname [-abiKmnoprsUv]")
	}
	if len(rest) > 0 {
		return e.Usage(1, "usage: uname [-abiKmnoprsUv]")
	}
	want := map[byte]bool{}
	for _, o := range opts {
		switch o.c {
		case 'a':
			for _, c := range []byte{'m', 'n', 'r', 's', 'v'} {
				want[c] = true
			}
		case 'o':
			want['s'] = true
		default:
			want[o.c] = true
		}
	}
	if len(want) == 0 {
		want['s'] = true
	}
	var out []string
	for _, c := range unameFields {
		if want[c] {
			out = append(out, unameValue(e, c))
		}
	}
	fmt.Fprintln(e.Stdout, strings.Join(out, " "))
	return 0
}
