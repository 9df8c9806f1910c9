package jail

import (
	"path/filepath"
	"strconv"
	"strings"

	"github.com/jcage/jcage/internal/config"
	"github.com/jcage/jcage/internal/layout"
)

// HostFacts are what the jail.conf rendering needs to know about the host
// beyond the jail's own properties.
type HostFacts struct {
	// Release is the host's release as `uname -r` prints it
	// ("14.3-RELEASE-p2"). iocage gates parameters on it: jail(8) of an
	// older host refuses parameters it does not know.
	Release string
}

// version returns the host's major.minor; ok is false when Release does
// not start with one ("CURRENT", "").
func (f HostFacts) version() (v relVersion, ok bool) {
	return parseRelVersion(f.Release)
}

// relVersion is a release number as major*100+minor, so 9.3 < 10.3 < 14.10.
// iocage compares Python floats, which would order 14.10 before 14.3.
type relVersion int

func parseRelVersion(release string) (relVersion, bool) {
	num, _, _ := strings.Cut(release, "-")
	maj, min, found := strings.Cut(num, ".")
	if !found {
		return 0, false
	}
	a, err1 := strconv.Atoi(maj)
	b, err2 := strconv.Atoi(min)
	if err1 != nil || err2 != nil || a < 0 || b < 0 || b > 99 {
		return 0, false
	}
	return relVersion(a*100 + b), true
}

func rel(major, minor int) relVersion { return relVersion(major*100 + minor) }

// ConfInput is everything the jail.conf of one start depends on.
type ConfInput struct {
	Name    string         // the jail's name (NAME)
	Dir     string         // the jail's directory: IOCROOT/jails/NAME
	IOCRoot string         // where POOL/iocage is mounted
	Props   *config.Config // the jail's effective properties
	Host    HostFacts
	// IP4 and IP6 are ip4.addr and ip6.addr as the start computed them
	// (NAT allocation, assign_localhost, alias fix-up); "" means the
	// configured ip4_addr/ip6_addr.
	IP4, IP6 string
	// DevfsRuleset is the ruleset the start generated or cloned; "" means
	// the configured devfs_ruleset.
	DevfsRuleset string
}

// ConfParam is one statement of a jail block.
type ConfParam struct {
	Key   string
	Value string
	Bare  bool // a parameter without value: `persist;`
	// List parameters (ip4.addr, ip6.addr) hold a comma list and are
	// written as one `+=` line per item.
	List bool
}

// Conf is the jail(8) configuration of one jail, as iocage writes it to
// /var/run/jail.ioc-NAME_.conf.
type Conf struct {
	Name   string // the block name, JailName(NAME)
	Params []ConfParam
	// Net holds the networking parameters as key=value words, in order:
	// what iocage prints after "Using IP options:".
	Net []string
}

// ConfPath is where iocage keeps the jail.conf of a jail: runDir is
// /var/run on a host.
func ConfPath(runDir, name string) string {
	return filepath.Join(runDir, "jail."+JailName(name)+".conf")
}

// ConsoleLogPath is the jail(8) exec.consolelog of a jail.
func ConsoleLogPath(iocroot, name string) string {
	return filepath.Join(layout.Dirs(iocroot).Log(), JailName(name)+"-console.log") // confine: host-owned, IOCROOT/log
}

// ServiceLogPath is where iocage appends the output of exec_start and
// exec_stop, which it runs itself through jexec.
func ServiceLogPath(iocroot, name string) string {
	return filepath.Join(layout.Dirs(iocroot).Log(), underscored(name)+"-console.log") // confine: host-owned, IOCROOT/log
}

// underscored is NAME with dots as underscores: iocage's host.hostuuid and
// the name its start and stop messages use.
func underscored(name string) string { return strings.ReplaceAll(name, ".", "_") }

// allowParams are the enabled-only boolean parameters in iocage's order,
// each with the host release that introduced it (0: always) and the
// property it comes from.
var allowParams = []struct {
	param, prop string
	after       relVersion // emitted only when the host is newer than this
	since       relVersion // emitted only when the host is at least this
}{
	{"mount.fdescfs", "mount_fdescfs", rel(9, 3), 0},
	{"allow.mlock", "allow_mlock", 0, rel(12, 0)},
	{"allow.mount.tmpfs", "allow_mount_tmpfs", rel(9, 3), 0},
	{"allow.mount.fdescfs", "allow_mount_fdescfs", rel(9, 3), 0},
	{"allow.mount.fusefs", "allow_mount_fusefs", 0, rel(12, 0)},
	{"allow.vmm", "allow_vmm", 0, rel(12, 0)},
	// The freebsd/iocage fork: jail(8) knows allow.nfsd from 13.3.
	{"allow.nfsd", "allow_nfsd", 0, rel(13, 3)},
	{"allow.set_hostname", "allow_set_hostname", 0, 0},
	{"mount.devfs", "mount_devfs", 0, 0},
	{"allow.raw_sockets", "allow_raw_sockets", 0, 0},
	{"allow.sysvipc", "allow_sysvipc", 0, 0},
	{"allow.quotas", "allow_quotas", 0, 0},
	{"allow.socket_af", "allow_socket_af", 0, 0},
	{"allow.chflags", "allow_chflags", 0, 0},
	{"allow.mount", "allow_mount", 0, 0},
	{"allow.mount.devfs", "allow_mount_devfs", 0, 0},
	{"allow.mount.nullfs", "allow_mount_nullfs", 0, 0},
	{"allow.mount.procfs", "allow_mount_procfs", 0, 0},
	{"allow.mount.linprocfs", "allow_mount_linprocfs", 0, 0},
	{"allow.mount.linsysfs", "allow_mount_linsysfs", 0, 0},
	{"allow.mount.zfs", "allow_mount_zfs", 0, 0},
}

// confBuilder collects parameters the way iocage's dict does: a key keeps
// its first position and its last value.
type confBuilder struct {
	params []ConfParam
	index  map[string]int
}

func (b *confBuilder) add(p ConfParam) {
	if b.index == nil {
		b.index = map[string]int{}
	}
	if i, ok := b.index[p.Key]; ok {
		b.params[i] = p
		return
	}
	b.index[p.Key] = len(b.params)
	b.params = append(b.params, p)
}

func (b *confBuilder) set(key, value string) {
	b.add(ConfParam{Key: key, Value: strings.TrimSpace(value)})
}

// JailConf builds the jail.conf iocage writes for a start: the parameter
// list, its order and iocage's host-version gates. It runs nothing.
func JailConf(in ConfInput) *Conf {
	p := in.Props
	get := func(key string) string {
		v, _ := p.Get(key)
		return v
	}
	v, known := in.Host.version()
	newer := func(than relVersion) bool { return !known || v > than }
	atLeast := func(since relVersion) bool { return !known || v >= since }

	c := &Conf{Name: JailName(in.Name)}
	var b confBuilder

	// jail_zfs needs mounting rights inside the jail.
	overrides := map[string]string{}
	enforceStatfs := get("enforce_statfs")
	if p.Bool("jail_zfs") {
		overrides["allow_mount"] = "1"
		overrides["allow_mount_zfs"] = "1"
		if enforceStatfs == "2" {
			enforceStatfs = "1"
		}
	}

	if !p.Bool("vnet") {
		ip4, ip6 := in.IP4, in.IP6
		if ip4 == "" {
			ip4 = get("ip4_addr")
		}
		if ip6 == "" {
			ip6 = get("ip6_addr")
		}
		if ip4 != "none" {
			c.Net = append(c.Net, "ip4.addr="+ip4)
			b.add(ConfParam{Key: "ip4.addr", Value: ip4, List: true})
		}
		if ip6 != "none" {
			c.Net = append(c.Net, "ip6.addr="+ip6)
			b.add(ConfParam{Key: "ip6.addr", Value: ip6, List: true})
		}
		for _, kv := range [][2]string{
			{"ip4.saddrsel", "ip4_saddrsel"}, {"ip4", "ip4"},
			{"ip6.saddrsel", "ip6_saddrsel"}, {"ip6", "ip6"},
		} {
			c.Net = append(c.Net, kv[0]+"="+get(kv[1]))
			b.set(kv[0], get(kv[1]))
		}
	} else {
		c.Net = append(c.Net, "vnet")
		b.add(ConfParam{Key: "vnet", Bare: true})
		ifaces := strings.Fields(get("vnet_interfaces"))
		if len(ifaces) == 1 && ifaces[0] == "none" {
			ifaces = nil
		}
		for _, ifc := range ifaces {
			c.Net = append(c.Net, "vnet.interface="+ifc)
		}
		switch {
		case len(ifaces) == 1:
			b.set("vnet.interface", ifaces[0])
		case len(ifaces) > 1:
			// iocage's dict keeps only the last vnet.interface, so jail(8)
			// moves one interface; jcage lists every one.
			b.add(ConfParam{Key: "vnet.interface", Value: strings.Join(ifaces, ","), List: true})
		}
	}

	for _, a := range allowParams {
		if a.after != 0 && !newer(a.after) || a.since != 0 && !atLeast(a.since) {
			continue
		}
		val, ok := overrides[a.prop]
		if !ok {
			val = get(a.prop)
		}
		if strings.Contains(val, "1") {
			b.set(a.param, val)
		}
	}

	if newer(rel(10, 3)) {
		b.set("sysvmsg", get("sysvmsg"))
		b.set("sysvsem", get("sysvsem"))
		b.set("sysvshm", get("sysvshm"))
	}
	if atLeast(rel(12, 0)) {
		b.set("exec.created", get("exec_created"))
	}
	ruleset := in.DevfsRuleset
	if ruleset == "" {
		ruleset = get("devfs_ruleset")
	}
	b.set("host.domainname", get("host_domainname"))
	b.set("host.hostname", get("host_hostname"))
	b.set("path", filepath.Join(in.Dir, "root")) // confine: host-owned, the root directory itself
	b.set("securelevel", get("securelevel"))
	b.set("host.hostuuid", underscored(in.Name))
	b.set("devfs_ruleset", ruleset)
	b.set("enforce_statfs", enforceStatfs)
	b.set("children.max", get("children_max"))
	b.set("exec.clean", get("exec_clean"))
	b.set("exec.timeout", get("exec_timeout"))
	b.set("stop.timeout", get("stop_timeout"))
	b.set("mount.fstab", filepath.Join(in.Dir, "fstab"))
	// FreeBSD 15's jail(8) warns that allow.dying is deprecated, and iocage
	// fails a stop on any jail(8) stderr; older hosts keep it as iocage has it.
	if !known || v < rel(15, 0) {
		b.add(ConfParam{Key: "allow.dying", Bare: true})
	}
	b.set("exec.consolelog", ConsoleLogPath(in.IOCRoot, in.Name))
	if p.Bool("ip_hostname") {
		b.set("ip_hostname", get("ip_hostname"))
	}
	b.add(ConfParam{Key: "persist", Bare: true})
	c.Params = b.params
	return c
}

// Render writes the configuration as iocage does: the quoted block name,
// one TAB-indented statement per line, list items as `+=` lines.
func (c *Conf) Render() string {
	var lines []string
	for _, p := range c.Params {
		switch {
		case p.List:
			for _, item := range strings.Split(p.Value, ",") {
				lines = append(lines, p.Key+" += "+confQuote(strings.TrimSpace(item))+";")
			}
		case p.Bare:
			lines = append(lines, p.Key+";")
		default:
			lines = append(lines, p.Key+" = "+confQuote(p.Value)+";")
		}
	}
	return confQuote(c.Name) + " {\n\t" + strings.Join(lines, "\n\t") + "\n}\n"
}

// confQuote double-quotes a value. iocage writes values raw between
// quotes, which breaks on a quote or backslash in a value; jcage escapes
// those two as jail.conf(5) reads them, leaving every other value as
// iocage writes it.
func confQuote(s string) string {
	if strings.ContainsAny(s, `"\`) {
		s = strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s)
	}
	return `"` + s + `"`
}

// StripExec removes every exec* statement from a rendered jail.conf, as a
// forced stop does so that jail -r runs no command of the jail's.
func StripExec(text string) string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "exec") {
			continue
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}
