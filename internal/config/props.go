package config

import (
	"slices"
	"strings"
	"sync"
)

// Class is how a property's value is validated by set.
type Class int

// Property classes. Each names one validation rule in validate.go.
const (
	ClassMeta           Class = iota // bookkeeping written by iocage itself; never set by the user
	ClassBool                        // truthy: 0 1 off on no yes false true, stored as 0/1
	ClassEnum                        // one of Prop.Enum
	ClassUint                        // non-negative integer within Prop.Max
	ClassInt                         // integer within [Prop.Min, Prop.Max]
	ClassRuleset                     // devfs ruleset number, stored without leading zeros
	ClassMTU                         // "auto" or an MTU
	ClassIPList                      // ip4_addr/ip6_addr: none, or a comma list of [iface|]addr[/mask], DHCP, accept_rtadv
	ClassRouter                      // auto, none or one address
	ClassIfacePairs                  // interfaces: comma list of nic:bridge
	ClassIface                       // none, auto (where allowed) or a host NIC
	ClassIfaceList                   // none or space-separated interface names
	ClassMACPair                     // none or two different MAC addresses
	ClassMACPrefix                   // six hex digits, unicast, locally administered
	ClassRCTL                        // off or action=amount
	ClassCpuset                      // off, all, N,N,... or A-B
	ClassIPv4                        // none or one IPv4 address
	ClassNATForwards                 // none or comma list of proto(port[:port]) / proto(a-b)
	ClassNATPrefix                   // two octets of a private IPv4 range
	ClassHostname                    // a host name
	ClassDomainname                  // "", none or a domain name
	ClassNames                       // none or space-separated jail names
	ClassResolver                    // path, none, or ;-separated resolv.conf lines
	ClassPath                        // none or an absolute path
	ClassDatasets                    // space-separated pool-relative dataset names
	ClassUUID                        // a host UUID
	ClassZFSSize                     // none or a size ending in M, G or T
	ClassZFSDedup                    // a ZFS dedup value
	ClassZFSCompression              // a ZFS compression value
	ClassCommand                     // a non-empty command line
	ClassText                        // free text
)

var classNames = [...]string{
	"meta", "bool", "enum", "uint", "int", "ruleset", "mtu", "iplist", "router", "ifacepairs",
	"iface", "ifacelist", "macpair", "macprefix", "rctl", "cpuset", "ipv4", "natforwards",
	"natprefix", "hostname", "domainname", "names", "resolver", "path", "datasets", "uuid",
	"zfssize", "zfsdedup", "zfscompression", "command", "text",
}

func (c Class) String() string {
	if int(c) < len(classNames) {
		return classNames[c]
	}
	return "unknown"
}

// Flag marks how a property is stored and applied.
type Flag uint16

// Property categories.
const (
	// ReadOnly properties are written by jcage/iocage only; set refuses them
	// with iocage's "KEY cannot be changed by the user."
	ReadOnly Flag = 1 << iota
	// DefaultOnly properties can be set only on the default pseudo-jail.
	DefaultOnly
	// JailOnly properties exist only in jail configs, never in defaults.json.
	JailOnly
	// ZFS properties mirror a ZFS property of the jail dataset
	// (POOL/iocage/jails|templates/NAME): the caller runs zfs set when one
	// is set on a jail; the value is stored in config.json as well.
	ZFS
	// Live properties are jail(8) parameters the caller may change on a
	// running jail with `jail -m jid=JID PARAM=VALUE` (Prop.Param), if the
	// running kernel lists the parameter under security.jail.param.
	Live
	// RCTL properties are applied to a running jail with rctl(8).
	RCTL
	// Restart properties take effect at the next start; the caller prints
	// RestartNotice for a running jail.
	Restart
	// Stopped properties cannot change while the jail runs.
	Stopped
	// Special properties need the caller's own handling (template
	// conversion renames datasets).
	Special
	// Pseudo properties are computed by get (state, jid) and never stored.
	Pseudo
)

// Prop describes one property.
type Prop struct {
	Name  string
	Class Class
	Flags Flag
	// Param is the jail(8) parameter for a Live property.
	Param string
	// Enum lists the accepted values of a ClassEnum property, in iocage's
	// message order.
	Enum []string
	// Min and Max bound ClassInt and ClassUint values.
	Min, Max int64
}

// Has reports whether p carries every flag in f.
func (p Prop) Has(f Flag) bool { return p.Flags&f == f }

// RctlResources are the RCTL properties, one per rctl(8) resource.
var RctlResources = []string{
	"cputime", "datasize", "stacksize", "coredumpsize", "memoryuse", "memorylocked",
	"maxproc", "openfiles", "vmemoryuse", "pseudoterminals", "swapuse", "nthr",
	"msgqqueued", "msgqsize", "nmsgq", "nsem", "nsemop", "nshm", "shmsize",
	"wallclock", "pcpu", "readbps", "writebps", "readiops", "writeiops",
}

const (
	maxInt32 = 1<<31 - 1
	maxPort  = 65535
)

var sysvEnum = []string{"new", "inherit", "disable"}

// propList is every property jcage knows, grouped as iocage's
// documentation groups them. It is data the compiler lays out: nothing
// runs at start-up, and propIndex is built on the first look-up.
var propList = [...]Prop{
	// allow_* parameters. Param is iocage's mapping (paramName): the
	// underscores become dots, except that allow.raw_sockets,
	// allow.socket_af and allow.set_hostname keep the one after the first
	// dot.
	{Name: "allow_set_hostname", Class: ClassBool, Flags: Live, Param: "allow.set_hostname"},
	{Name: "allow_sysvipc", Class: ClassBool, Flags: Live, Param: "allow.sysvipc"},
	{Name: "allow_raw_sockets", Class: ClassBool, Flags: Live, Param: "allow.raw_sockets"},
	{Name: "allow_chflags", Class: ClassBool, Flags: Live, Param: "allow.chflags"},
	{Name: "allow_mlock", Class: ClassBool, Flags: Live, Param: "allow.mlock"},
	{Name: "allow_mount", Class: ClassBool, Flags: Live, Param: "allow.mount"},
	{Name: "allow_mount_devfs", Class: ClassBool, Flags: Live, Param: "allow.mount.devfs"},
	{Name: "allow_mount_fdescfs", Class: ClassBool, Flags: Live, Param: "allow.mount.fdescfs"},
	{Name: "allow_mount_fusefs", Class: ClassBool, Flags: Live, Param: "allow.mount.fusefs"},
	{Name: "allow_mount_nullfs", Class: ClassBool, Flags: Live, Param: "allow.mount.nullfs"},
	{Name: "allow_mount_procfs", Class: ClassBool, Flags: Live, Param: "allow.mount.procfs"},
	{Name: "allow_mount_linprocfs", Class: ClassBool, Flags: Live, Param: "allow.mount.linprocfs"},
	{Name: "allow_mount_linsysfs", Class: ClassBool, Flags: Live, Param: "allow.mount.linsysfs"},
	{Name: "allow_mount_tmpfs", Class: ClassBool, Flags: Live, Param: "allow.mount.tmpfs"},
	{Name: "allow_mount_zfs", Class: ClassBool, Flags: Live, Param: "allow.mount.zfs"},
	{Name: "allow_quotas", Class: ClassBool, Flags: Live, Param: "allow.quotas"},
	{Name: "allow_socket_af", Class: ClassBool, Flags: Live, Param: "allow.socket_af"},
	{Name: "allow_vmm", Class: ClassBool, Flags: Live, Param: "allow.vmm"},
	{Name: "allow_nfsd", Class: ClassBool, Flags: Live, Param: "allow.nfsd"},

	// Truthy properties that iocage handles itself.
	{Name: "allow_tun", Class: ClassBool},
	{Name: "bpf", Class: ClassBool},
	{Name: "boot", Class: ClassBool},
	{Name: "exec_clean", Class: ClassBool},
	{Name: "host_time", Class: ClassBool},
	{Name: "hostid_strict_check", Class: ClassBool},
	{Name: "ip_hostname", Class: ClassBool},
	{Name: "mount_devfs", Class: ClassBool},
	{Name: "mount_fdescfs", Class: ClassBool},
	{Name: "mount_linprocfs", Class: ClassBool},
	{Name: "mount_procfs", Class: ClassBool},
	{Name: "nat", Class: ClassBool},
	{Name: "rtsold", Class: ClassBool},
	{Name: "assign_localhost", Class: ClassBool},
	{Name: "ip4_saddrsel", Class: ClassBool, Flags: Live, Param: "ip4.saddrsel"},
	{Name: "ip6_saddrsel", Class: ClassBool, Flags: Live, Param: "ip6.saddrsel"},
	{Name: "dhcp", Class: ClassBool, Flags: Stopped},
	{Name: "jail_zfs", Class: ClassBool, Flags: Stopped},
	{Name: "vnet", Class: ClassBool, Flags: Restart},
	{Name: "template", Class: ClassBool, Flags: Special},
	{Name: "basejail", Class: ClassBool, Flags: ReadOnly},

	// Networking.
	{Name: "interfaces", Class: ClassIfacePairs},
	{Name: "host_domainname", Class: ClassDomainname, Flags: Live, Param: "host.domainname"},
	{Name: "host_hostname", Class: ClassHostname, Flags: Live | JailOnly, Param: "host.hostname"},
	{Name: "exec_fib", Class: ClassUint, Max: maxPort},
	{Name: "ip4_addr", Class: ClassIPList, Flags: Live, Param: "ip4.addr"},
	{Name: "ip6_addr", Class: ClassIPList, Flags: Live, Param: "ip6.addr"},
	{Name: "ip4", Class: ClassEnum, Flags: Live, Param: "ip4", Enum: sysvEnum},
	{Name: "ip6", Class: ClassEnum, Flags: Live, Param: "ip6", Enum: sysvEnum},
	{Name: "defaultrouter", Class: ClassRouter},
	{Name: "defaultrouter6", Class: ClassRouter},
	{Name: "resolver", Class: ClassResolver},
	{Name: "mac_prefix", Class: ClassMACPrefix},
	{Name: "vnet0_mac", Class: ClassMACPair},
	{Name: "vnet0_mtu", Class: ClassMTU},
	{Name: "vnet1_mac", Class: ClassMACPair},
	{Name: "vnet1_mtu", Class: ClassMTU},
	{Name: "vnet2_mac", Class: ClassMACPair},
	{Name: "vnet2_mtu", Class: ClassMTU},
	{Name: "vnet3_mac", Class: ClassMACPair},
	{Name: "vnet3_mtu", Class: ClassMTU},
	{Name: "vnet_default_mtu", Class: ClassUint, Min: 68, Max: maxPort},
	{Name: "vnet_default_interface", Class: ClassIface},
	{Name: "vnet_interfaces", Class: ClassIfaceList},
	{Name: "localhost_ip", Class: ClassIPv4},
	{Name: "nat_prefix", Class: ClassNATPrefix, Flags: DefaultOnly},
	{Name: "nat_interface", Class: ClassIface, Flags: DefaultOnly},
	{Name: "nat_backend", Class: ClassEnum, Flags: DefaultOnly, Enum: []string{"pf", "ipfw"}},
	{Name: "nat_forwards", Class: ClassNATForwards},

	// jail(8) parameters and iocage's start/stop hooks.
	// devfs_ruleset and enforce_statfs are not Live: iocage maps them to
	// "devfs.ruleset" and "enforce.statfs", which no kernel lists, so it never
	// changes them on a running jail; jcage keeps that (4 is iocage's "generate
	// a ruleset" marker, and jail_zfs rewrites enforce_statfs at start).
	{Name: "devfs_ruleset", Class: ClassRuleset},
	{Name: "min_dyn_devfs_ruleset", Class: ClassRuleset},
	{Name: "exec_start", Class: ClassCommand},
	{Name: "exec_stop", Class: ClassCommand},
	{Name: "exec_prestart", Class: ClassCommand},
	{Name: "exec_poststart", Class: ClassCommand},
	{Name: "exec_prestop", Class: ClassCommand},
	{Name: "exec_poststop", Class: ClassCommand},
	{Name: "exec_created", Class: ClassCommand},
	{Name: "exec_timeout", Class: ClassUint, Max: maxInt32},
	{Name: "stop_timeout", Class: ClassUint, Max: maxInt32},
	{Name: "exec_jail_user", Class: ClassText},
	{Name: "exec_system_jail_user", Class: ClassText},
	{Name: "exec_system_user", Class: ClassText},
	{Name: "login_flags", Class: ClassText},
	{Name: "enforce_statfs", Class: ClassEnum, Enum: []string{"0", "1", "2"}},
	{Name: "children_max", Class: ClassUint, Flags: Live, Param: "children.max", Max: maxInt32},
	{Name: "securelevel", Class: ClassInt, Flags: Live, Param: "securelevel", Min: -1, Max: 3},
	{Name: "sysvmsg", Class: ClassEnum, Flags: Live, Param: "sysvmsg", Enum: sysvEnum},
	{Name: "sysvsem", Class: ClassEnum, Flags: Live, Param: "sysvsem", Enum: sysvEnum},
	{Name: "sysvshm", Class: ClassEnum, Flags: Live, Param: "sysvshm", Enum: sysvEnum},

	// Resource limits: cpuset, and one RCTL property per rctl(8)
	// resource, in RctlResources' order.
	{Name: "cpuset", Class: ClassCpuset, Flags: Restart},
	{Name: "rlimits", Class: ClassEnum, Enum: []string{"off", "on"}},
	{Name: "cputime", Class: ClassRCTL, Flags: RCTL},
	{Name: "datasize", Class: ClassRCTL, Flags: RCTL},
	{Name: "stacksize", Class: ClassRCTL, Flags: RCTL},
	{Name: "coredumpsize", Class: ClassRCTL, Flags: RCTL},
	{Name: "memoryuse", Class: ClassRCTL, Flags: RCTL},
	{Name: "memorylocked", Class: ClassRCTL, Flags: RCTL},
	{Name: "maxproc", Class: ClassRCTL, Flags: RCTL},
	{Name: "openfiles", Class: ClassRCTL, Flags: RCTL},
	{Name: "vmemoryuse", Class: ClassRCTL, Flags: RCTL},
	{Name: "pseudoterminals", Class: ClassRCTL, Flags: RCTL},
	{Name: "swapuse", Class: ClassRCTL, Flags: RCTL},
	{Name: "nthr", Class: ClassRCTL, Flags: RCTL},
	{Name: "msgqqueued", Class: ClassRCTL, Flags: RCTL},
	{Name: "msgqsize", Class: ClassRCTL, Flags: RCTL},
	{Name: "nmsgq", Class: ClassRCTL, Flags: RCTL},
	{Name: "nsem", Class: ClassRCTL, Flags: RCTL},
	{Name: "nsemop", Class: ClassRCTL, Flags: RCTL},
	{Name: "nshm", Class: ClassRCTL, Flags: RCTL},
	{Name: "shmsize", Class: ClassRCTL, Flags: RCTL},
	{Name: "wallclock", Class: ClassRCTL, Flags: RCTL},
	{Name: "pcpu", Class: ClassRCTL, Flags: RCTL},
	{Name: "readbps", Class: ClassRCTL, Flags: RCTL},
	{Name: "writebps", Class: ClassRCTL, Flags: RCTL},
	{Name: "readiops", Class: ClassRCTL, Flags: RCTL},
	{Name: "writeiops", Class: ClassRCTL, Flags: RCTL},

	// iocage's own properties.
	{Name: "notes", Class: ClassText},
	{Name: "owner", Class: ClassText},
	{Name: "comment", Class: ClassText},
	{Name: "plugin_name", Class: ClassText},
	{Name: "plugin_repository", Class: ClassText},
	{Name: "priority", Class: ClassInt, Min: 1, Max: 99},
	{Name: "hostid", Class: ClassUUID},
	{Name: "depends", Class: ClassNames},
	{Name: "jail_zfs_dataset", Class: ClassDatasets, Flags: Stopped | JailOnly},
	{Name: "jail_zfs_mountpoint", Class: ClassPath, Flags: Stopped},

	// ZFS properties of the jail dataset. origin, mountpoint, compressratio,
	// available and used hold the placeholder "readonly" in defaults.json.
	// iocage passes them to zfs set, which fails or (mountpoint) breaks
	// the dataset layout; jcage refuses them up front.
	{Name: "quota", Class: ClassZFSSize, Flags: ZFS},
	{Name: "reservation", Class: ClassZFSSize, Flags: ZFS},
	{Name: "dedup", Class: ClassZFSDedup, Flags: ZFS},
	// iocage 1.2 sets compression with zfs set; the fork dropped it from the
	// settable keys. jcage keeps it settable: it is a plain ZFS property.
	{Name: "compression", Class: ClassZFSCompression, Flags: ZFS},
	{Name: "origin", Class: ClassMeta, Flags: ZFS | ReadOnly},
	{Name: "mountpoint", Class: ClassMeta, Flags: ZFS | ReadOnly},
	{Name: "compressratio", Class: ClassMeta, Flags: ZFS | ReadOnly},
	{Name: "available", Class: ClassMeta, Flags: ZFS | ReadOnly},
	{Name: "used", Class: ClassMeta, Flags: ZFS | ReadOnly},

	// Bookkeeping.
	{Name: "CONFIG_VERSION", Class: ClassMeta, Flags: ReadOnly},
	{Name: "type", Class: ClassMeta, Flags: ReadOnly},
	{Name: "last_started", Class: ClassMeta, Flags: ReadOnly},
	{Name: "count", Class: ClassMeta, Flags: ReadOnly},
	{Name: "sync_state", Class: ClassMeta, Flags: ReadOnly},
	{Name: "sync_target", Class: ClassMeta, Flags: ReadOnly},
	{Name: "sync_tgt_zpool", Class: ClassMeta, Flags: ReadOnly},
	{Name: "CONFIG_TYPE", Class: ClassMeta, Flags: ReadOnly | JailOnly},
	{Name: "host_hostuuid", Class: ClassMeta, Flags: ReadOnly | JailOnly},
	{Name: "release", Class: ClassMeta, Flags: ReadOnly | JailOnly},
	{Name: "cloned_release", Class: ClassMeta, Flags: ReadOnly | JailOnly},
	{Name: "source_template", Class: ClassMeta, Flags: ReadOnly | JailOnly},
	{Name: "state", Class: ClassMeta, Flags: ReadOnly | Pseudo},
	{Name: "jid", Class: ClassMeta, Flags: ReadOnly | Pseudo},
}

// propIndex maps each name to its entry in propList. It is built on the
// first look-up (a map of some 150 entries), since most commands never
// look a property up.
var propIndex = sync.OnceValue(func() map[string]*Prop {
	idx := make(map[string]*Prop, len(propList))
	for i := range propList {
		p := &propList[i]
		if _, dup := idx[p.Name]; dup {
			panic("config: property listed twice: " + p.Name)
		}
		idx[p.Name] = p
	}
	return idx
})

// Lookup returns the description of a known property.
func Lookup(key string) (Prop, bool) {
	if p, ok := propIndex()[key]; ok {
		return *p, true
	}
	return Prop{}, false
}

// Props returns every known property, sorted by name.
func Props() []Prop {
	out := slices.Clone(propList[:])
	slices.SortFunc(out, func(a, b Prop) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// PropsWith returns the names of the known properties carrying flag f,
// sorted.
func PropsWith(f Flag) []string {
	var out []string
	for _, p := range Props() {
		if p.Has(f) {
			out = append(out, p.Name)
		}
	}
	return out
}

// IsTruthy reports whether key is one of iocage's truthy properties, stored
// as 0/1: the ClassBool properties are the freebsd/iocage fork's
// truthy_props (a superset of iocage 1.2's), normalised on load.
func IsTruthy(key string) bool {
	p, ok := propIndex()[key]
	return ok && p.Class == ClassBool
}

// LiveParam returns the jail(8) parameter that set may change on a running
// jail for key. The caller still checks the running kernel's parameter list,
// and skips ip4.addr/ip6.addr for vnet jails and for the value "none".
func LiveParam(key string) (string, bool) {
	p, ok := propIndex()[key]
	if !ok || !p.Has(Live) {
		return "", false
	}
	return p.Param, true
}

// RestartNotice is the INFO line iocage prints when a Restart property is
// set on a running jail.
func RestartNotice(key string) string {
	return key + " changes require a jail restart"
}
