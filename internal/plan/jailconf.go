package plan

import (
	"path/filepath"
	"strings"

	"github.com/jcage/jcage/internal/config"
)

// ConfInput is everything the jail.conf of one start depends on.
type ConfInput struct {
	Name    string         // the jail's name (NAME)
	Dir     string         // the jail's directory: IOCROOT/jails/NAME
	IOCRoot string         // where POOL/iocage is mounted
	Props   *config.Config // the jail's effective properties
	// Release is the host's release as `uname -r` prints it
	// ("14.3-RELEASE-p2"). iocage gates parameters on it: jail(8) of an
	// older host refuses parameters it does not know.
	Release string
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

// allowParams are the enabled-only boolean parameters in iocage's order,
// each with the host release that introduced it (0: always) and the
// property it comes from.
var allowParams = []struct {
	param, prop string
	after       Version // emitted only when the host is newer than this
	since       Version // emitted only when the host is at least this
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
	in     ConfInput
	conf   *Conf
	params []ConfParam
	index  map[string]int
	// the host's release, and whether it is known; an unknown release
	// gates nothing
	v     Version
	known bool
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

func (b *confBuilder) get(key string) string {
	v, _ := b.in.Props.Get(key)
	return v
}

func (b *confBuilder) newer(than Version) bool    { return !b.known || b.v > than }
func (b *confBuilder) atLeast(since Version) bool { return !b.known || b.v >= since }

// JailConf builds the jail.conf iocage writes for a start: the parameter
// list, its order and iocage's host-version gates. It runs nothing.
func JailConf(in ConfInput) *Conf {
	b := &confBuilder{in: in, conf: &Conf{Name: JailName(in.Name)}}
	b.v, b.known = ParseVersion(in.Release)
	if in.Props.Bool("vnet") {
		b.vnetParams()
	} else {
		b.ipParams()
	}
	b.allowParams()
	b.jailParams()
	b.conf.Params = b.params
	return b.conf
}

// ipParams are a shared-stack jail's addresses and address selection.
func (b *confBuilder) ipParams() {
	ip4, ip6 := b.in.IP4, b.in.IP6
	if ip4 == "" {
		ip4 = b.get("ip4_addr")
	}
	if ip6 == "" {
		ip6 = b.get("ip6_addr")
	}
	if ip4 != "none" {
		b.conf.Net = append(b.conf.Net, "ip4.addr="+ip4)
		b.add(ConfParam{Key: "ip4.addr", Value: ip4, List: true})
	}
	if ip6 != "none" {
		b.conf.Net = append(b.conf.Net, "ip6.addr="+ip6)
		b.add(ConfParam{Key: "ip6.addr", Value: ip6, List: true})
	}
	for _, kv := range [][2]string{
		{"ip4.saddrsel", "ip4_saddrsel"}, {"ip4", "ip4"},
		{"ip6.saddrsel", "ip6_saddrsel"}, {"ip6", "ip6"},
	} {
		b.conf.Net = append(b.conf.Net, kv[0]+"="+b.get(kv[1]))
		b.set(kv[0], b.get(kv[1]))
	}
}

// vnetParams are a vnet jail's: vnet, and the host interfaces it takes.
func (b *confBuilder) vnetParams() {
	b.conf.Net = append(b.conf.Net, "vnet")
	b.add(ConfParam{Key: "vnet", Bare: true})
	ifaces := strings.Fields(b.get("vnet_interfaces"))
	if len(ifaces) == 1 && ifaces[0] == "none" {
		ifaces = nil
	}
	for _, ifc := range ifaces {
		b.conf.Net = append(b.conf.Net, "vnet.interface="+ifc)
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

// allowParams are the boolean parameters that are on, as the host's
// release knows them; jail_zfs needs mounting rights inside the jail.
func (b *confBuilder) allowParams() {
	jailZFS := b.in.Props.Bool("jail_zfs")
	for _, a := range allowParams {
		if a.after != 0 && !b.newer(a.after) || a.since != 0 && !b.atLeast(a.since) {
			continue
		}
		val := b.get(a.prop)
		if jailZFS && (a.prop == "allow_mount" || a.prop == "allow_mount_zfs") {
			val = "1"
		}
		if strings.Contains(val, "1") {
			b.set(a.param, val)
		}
	}
}

// jailParams are the rest, in iocage's order.
func (b *confBuilder) jailParams() {
	if b.newer(rel(10, 3)) {
		b.set("sysvmsg", b.get("sysvmsg"))
		b.set("sysvsem", b.get("sysvsem"))
		b.set("sysvshm", b.get("sysvshm"))
	}
	if b.atLeast(rel(12, 0)) {
		b.set("exec.created", b.get("exec_created"))
	}
	ruleset := b.in.DevfsRuleset
	if ruleset == "" {
		ruleset = b.get("devfs_ruleset")
	}
	enforceStatfs := b.get("enforce_statfs")
	if b.in.Props.Bool("jail_zfs") && enforceStatfs == "2" {
		enforceStatfs = "1"
	}
	b.set("host.domainname", b.get("host_domainname"))
	b.set("host.hostname", b.get("host_hostname"))
	b.set("path", filepath.Join(b.in.Dir, "root")) // confine: host-owned, the root directory itself
	b.set("securelevel", b.get("securelevel"))
	b.set("host.hostuuid", Underscored(b.in.Name))
	b.set("devfs_ruleset", ruleset)
	b.set("enforce_statfs", enforceStatfs)
	b.set("children.max", b.get("children_max"))
	b.set("exec.clean", b.get("exec_clean"))
	b.set("exec.timeout", b.get("exec_timeout"))
	b.set("stop.timeout", b.get("stop_timeout"))
	b.set("mount.fstab", filepath.Join(b.in.Dir, "fstab"))
	// FreeBSD 15's jail(8) warns that allow.dying is deprecated, and iocage
	// fails a stop on any jail(8) stderr; older hosts keep it as iocage has it.
	if !b.known || b.v < rel(15, 0) {
		b.add(ConfParam{Key: "allow.dying", Bare: true})
	}
	b.set("exec.consolelog", ConsoleLogPath(b.in.IOCRoot, b.in.Name))
	if b.in.Props.Bool("ip_hostname") {
		b.set("ip_hostname", b.get("ip_hostname"))
	}
	b.add(ConfParam{Key: "persist", Bare: true})
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
