package fbsdsim

import (
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"
)

// jpType is the type of a jail parameter as security.jail.param describes
// it (freebsd-interfaces.md §1.4).
type jpType int

const (
	jpBool jpType = iota
	jpInt
	jpString
	jpJailsys // disable | new | inherit
	jpIPv4    // list of IPv4 addresses
	jpIPv6    // list of IPv6 addresses
)

// jailParamDef describes one kernel jail parameter.
type jailParamDef struct {
	name       string
	typ        jpType
	def        string // default, in jls's text form
	ro         bool   // read-only: jls reports it, jail(8) may not set it
	createOnly bool   // may be set by -c only
}

// kernelParams is the parameter catalogue of the simulated kernel: what
// `sysctl -d security.jail.param` would list on a 14.x host without the
// linux module. Defaults that depend on the host are filled in at create.
var kernelParams = []jailParamDef{
	{name: "jid", typ: jpInt, createOnly: true},
	{name: "name", typ: jpString},
	{name: "path", typ: jpString, def: "/", createOnly: true},
	{name: "parent", typ: jpInt, def: "0", ro: true},
	{name: "dying", typ: jpBool, def: "false", ro: true},
	{name: "securelevel", typ: jpInt, def: "-1"},
	{name: "children.max", typ: jpInt, def: "0"},
	{name: "children.cur", typ: jpInt, def: "0", ro: true},
	{name: "cpuset.id", typ: jpInt, ro: true},
	{name: "devfs_ruleset", typ: jpInt, def: "0"},
	{name: "enforce_statfs", typ: jpInt, def: "2"},
	{name: "persist", typ: jpBool, def: "false"},
	{name: "osrelease", typ: jpString, createOnly: true},
	{name: "osreldate", typ: jpInt, createOnly: true},
	{name: "host", typ: jpJailsys, def: "new"},
	{name: "host.hostname", typ: jpString},
	{name: "host.domainname", typ: jpString, def: ""},
	{name: "host.hostuuid", typ: jpString, def: "00000000-0000-0000-0000-000000000000"},
	{name: "host.hostid", typ: jpInt, def: "0"},
	{name: "ip4", typ: jpJailsys},
	{name: "ip4.addr", typ: jpIPv4, def: ""},
	{name: "ip4.saddrsel", typ: jpBool, def: "true"},
	{name: "ip6", typ: jpJailsys},
	{name: "ip6.addr", typ: jpIPv6, def: ""},
	{name: "ip6.saddrsel", typ: jpBool, def: "true"},
	{name: "vnet", typ: jpJailsys, def: "inherit", createOnly: true},
	{name: "sysvmsg", typ: jpJailsys, def: "disable"},
	{name: "sysvsem", typ: jpJailsys, def: "disable"},
	{name: "sysvshm", typ: jpJailsys, def: "disable"},
	{name: "meta", typ: jpString, def: ""},
	{name: "env", typ: jpString, def: ""},
	{name: "allow.set_hostname", typ: jpBool, def: "true"},
	{name: "allow.reserved_ports", typ: jpBool, def: "true"},
	{name: "allow.unprivileged_proc_debug", typ: jpBool, def: "true"},
	{name: "allow.suser", typ: jpBool, def: "true"},
	{name: "allow.sysvipc", typ: jpBool, def: "false"},
	{name: "allow.raw_sockets", typ: jpBool, def: "false"},
	{name: "allow.chflags", typ: jpBool, def: "false"},
	{name: "allow.mount", typ: jpBool, def: "false"},
	{name: "allow.mount.devfs", typ: jpBool, def: "false"},
	{name: "allow.mount.fdescfs", typ: jpBool, def: "false"},
	{name: "allow.mount.fusefs", typ: jpBool, def: "false"},
	{name: "allow.mount.nullfs", typ: jpBool, def: "false"},
	{name: "allow.mount.procfs", typ: jpBool, def: "false"},
	{name: "allow.mount.linprocfs", typ: jpBool, def: "false"},
	{name: "allow.mount.linsysfs", typ: jpBool, def: "false"},
	{name: "allow.mount.tmpfs", typ: jpBool, def: "false"},
	{name: "allow.mount.zfs", typ: jpBool, def: "false"},
	{name: "allow.quotas", typ: jpBool, def: "false"},
	{name: "allow.socket_af", typ: jpBool, def: "false"},
	{name: "allow.mlock", typ: jpBool, def: "false"},
	{name: "allow.read_msgbuf", typ: jpBool, def: "false"},
	{name: "allow.vmm", typ: jpBool, def: "false"},
	{name: "allow.nfsd", typ: jpBool, def: "false"},
	{name: "allow.extattr", typ: jpBool, def: "false"},
	{name: "allow.adjtime", typ: jpBool, def: "false"},
	{name: "allow.settime", typ: jpBool, def: "false"},
	{name: "allow.routing", typ: jpBool, def: "false"},
}

// pseudoParams are the parameters jail(8) itself acts on and never passes
// to the kernel (§1.5), with their types.
var pseudoParams = map[string]jpType{
	"exec.prepare": jpString, "exec.prestart": jpString, "exec.created": jpString,
	"exec.start": jpString, "command": jpString, "exec.poststart": jpString,
	"exec.prestop": jpString, "exec.stop": jpString, "exec.poststop": jpString,
	"exec.release":   jpString,
	"exec.clean":     jpBool,
	"exec.jail_user": jpString, "exec.system_jail_user": jpBool, "exec.system_user": jpString,
	"exec.timeout": jpInt, "exec.consolelog": jpString, "exec.fib": jpInt,
	"stop.timeout": jpInt,
	"interface":    jpString, "vnet.interface": jpString,
	"ip_hostname": jpBool,
	"mount":       jpString, "mount.fstab": jpString,
	"mount.devfs": jpBool, "mount.fdescfs": jpBool, "mount.procfs": jpBool,
	"allow.dying": jpBool,
	"depend":      jpString,
}

// multiValued parameters collect every value given (repeated on the
// command line, comma lists or += in jail.conf); the rest take the last.
func multiValued(name string) bool {
	switch name {
	case "ip4.addr", "ip6.addr", "mount", "vnet.interface", "depend", "command":
		return true
	}
	return strings.HasPrefix(name, "exec.") && pseudoParams[name] == jpString &&
		name != "exec.jail_user" && name != "exec.system_user" && name != "exec.consolelog"
}

func kernelParam(name string) *jailParamDef {
	for i := range kernelParams {
		if kernelParams[i].name == name {
			return &kernelParams[i]
		}
	}
	return nil
}

// paramType reports the type of a kernel or jail(8) parameter.
func paramType(name string) (jpType, bool) {
	if d := kernelParam(name); d != nil {
		return d.typ, true
	}
	t, ok := pseudoParams[name]
	return t, ok
}

// normalizeBoolName turns the "no" spelling of a boolean or jailsys
// parameter (nopersist, allow.nomount, mount.nodevfs, novnet) into the
// parameter and its value; other names pass through.
func normalizeBoolName(name string) (string, string, bool) {
	if _, ok := paramType(name); ok {
		return name, "", false
	}
	prefix, last := "", name
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		prefix, last = name[:i+1], name[i+1:]
	}
	if !strings.HasPrefix(last, "no") {
		return name, "", false
	}
	base := prefix + last[2:]
	switch t, ok := paramType(base); {
	case ok && t == jpBool:
		return base, "false", true
	case ok && t == jpJailsys:
		return base, "disable", true
	}
	return name, "", false
}

// importParam checks one kernel or jail(8) parameter value and returns it
// in jls's text form. bare means the boolean spelling (`persist`).
// Messages are libjail's.
func importParam(name string, vals []string, bare bool) (string, string) {
	t, _ := paramType(name)
	joined := strings.Join(vals, ",")
	switch t {
	case jpBool:
		if bare {
			return "true", ""
		}
		switch strings.ToLower(joined) {
		case "true":
			return "true", ""
		case "false":
			return "false", ""
		}
		n, err := strconv.Atoi(joined)
		if err != nil {
			return "", fmt.Sprintf("%s: unknown boolean value %q", name, joined)
		}
		return strconv.FormatBool(n != 0), ""
	case jpInt:
		if bare {
			return "", fmt.Sprintf("%s: non-integer value %q", name, "")
		}
		n, err := strconv.Atoi(joined)
		if err != nil {
			return "", fmt.Sprintf("%s: non-integer value %q", name, joined)
		}
		return strconv.Itoa(n), ""
	case jpJailsys:
		if bare || joined == "" {
			return "new", ""
		}
		switch joined {
		case "disable", "new", "inherit":
			return joined, ""
		case "0":
			return "disable", ""
		case "1":
			return "new", ""
		case "2":
			return "inherit", ""
		}
		return "", fmt.Sprintf("%s: unknown jailsys value %q", name, joined)
	case jpIPv4, jpIPv6:
		var addrs []string
		for _, v := range vals {
			for _, item := range strings.Split(v, ",") {
				if strings.TrimSpace(item) == "" {
					continue
				}
				ent, msg := parseIPEntry(name, item)
				if msg != "" {
					return "", msg
				}
				addrs = append(addrs, ent.Addr)
			}
		}
		return strings.Join(addrs, ","), ""
	}
	return joined, ""
}

// ipEntry is one ip4.addr/ip6.addr value in jail(8)'s extended syntax:
// `[iface|]addr[/mask][ extra ifconfig words]`.
type ipEntry struct {
	Iface string
	Addr  string
	Mask  string // "" (none), a prefix length, or a dotted netmask
	Extra []string
	V6    bool
}

func parseIPEntry(param, s string) (ipEntry, string) {
	var ent ipEntry
	ent.V6 = strings.HasPrefix(param, "ip6")
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '|'); i >= 0 {
		ent.Iface, s = s[:i], s[i+1:]
	}
	f := strings.Fields(s)
	if len(f) == 0 {
		return ent, fmt.Sprintf("%s: not an %s address: %s", param, familyWord(ent.V6), s)
	}
	addr := f[0]
	ent.Extra = f[1:]
	if i := strings.IndexByte(addr, '/'); i >= 0 {
		addr, ent.Mask = addr[:i], addr[i+1:]
	}
	a, err := netip.ParseAddr(addr)
	if err != nil || a.Is4() == ent.V6 || a.Zone() != "" {
		return ent, fmt.Sprintf("%s: not an %s address: %s", param, familyWord(ent.V6), addr)
	}
	ent.Addr = a.String()
	return ent, ""
}

func familyWord(v6 bool) string {
	if v6 {
		return "IPv6"
	}
	return "IPv4"
}

// allParamNames lists every kernel parameter in jls's "all" order:
// top-level names first, then dotted names, each group sorted.
func allParamNames() []string {
	names := make([]string, 0, len(kernelParams))
	for _, d := range kernelParams {
		names = append(names, d.name)
	}
	sort.Slice(names, func(a, b int) bool {
		da, db := strings.Contains(names[a], "."), strings.Contains(names[b], ".")
		if da != db {
			return db
		}
		return names[a] < names[b]
	})
	return names
}
