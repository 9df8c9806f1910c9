package jail

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

// rctlResources are the RCTL properties, one per rctl(8) resource.
var rctlResources = []string{
	"cputime", "datasize", "stacksize", "coredumpsize", "memoryuse", "memorylocked",
	"maxproc", "openfiles", "vmemoryuse", "pseudoterminals", "swapuse", "nthr",
	"msgqqueued", "msgqsize", "nmsgq", "nsem", "nsemop", "nshm", "shmsize",
	"wallclock", "pcpu", "readbps", "writebps", "readiops", "writeiops",
}

// truthyProps is the freebsd/iocage fork's truthy_props list (a superset of
// iocage 1.2's): these are stored as the integers 0/1 and normalised on load.
var truthyProps = map[string]bool{}

var propTable = map[string]Prop{}

const (
	maxInt32 = 1<<31 - 1
	maxPort  = 65535
)

var sysvEnum = []string{"new", "inherit", "disable"}

// loadProps fills propTable and truthyProps on first use: most commands
// never look a property up, and nothing is built before one needs it.
var loadProps = sync.OnceFunc(buildProps)

func buildProps() {
	add := func(p Prop) {
		if _, dup := propTable[p.Name]; dup {
			panic("jail: property listed twice: " + p.Name)
		}
		propTable[p.Name] = p
		if p.Class == ClassBool {
			truthyProps[p.Name] = true
		}
	}
	boolean := func(name string, flags Flag) {
		add(Prop{Name: name, Class: ClassBool, Flags: flags})
	}
	// allow_* parameters. iocage turns the name into the parameter by
	// replacing underscores with dots, except for three whose parameter
	// keeps an underscore after the first dot.
	for _, name := range []string{
		"allow_set_hostname", "allow_sysvipc", "allow_raw_sockets", "allow_chflags",
		"allow_mlock", "allow_mount", "allow_mount_devfs", "allow_mount_fdescfs",
		"allow_mount_fusefs", "allow_mount_nullfs", "allow_mount_procfs",
		"allow_mount_linprocfs", "allow_mount_linsysfs", "allow_mount_tmpfs",
		"allow_mount_zfs", "allow_quotas", "allow_socket_af", "allow_vmm", "allow_nfsd",
	} {
		add(Prop{Name: name, Class: ClassBool, Flags: Live, Param: paramName(name)})
	}
	// Truthy properties that iocage handles itself.
	for _, name := range []string{
		"allow_tun", "bpf", "boot", "exec_clean", "host_time", "hostid_strict_check",
		"ip_hostname", "mount_devfs", "mount_fdescfs", "mount_linprocfs", "mount_procfs",
		"nat", "rtsold", "assign_localhost",
	} {
		boolean(name, 0)
	}
	add(Prop{Name: "ip4_saddrsel", Class: ClassBool, Flags: Live, Param: "ip4.saddrsel"})
	add(Prop{Name: "ip6_saddrsel", Class: ClassBool, Flags: Live, Param: "ip6.saddrsel"})
	boolean("dhcp", Stopped)
	boolean("jail_zfs", Stopped)
	boolean("vnet", Restart)
	boolean("template", Special)
	boolean("basejail", ReadOnly)

	// Networking.
	add(Prop{Name: "interfaces", Class: ClassIfacePairs})
	add(Prop{Name: "host_domainname", Class: ClassDomainname, Flags: Live, Param: "host.domainname"})
	add(Prop{Name: "host_hostname", Class: ClassHostname, Flags: Live | JailOnly, Param: "host.hostname"})
	add(Prop{Name: "exec_fib", Class: ClassUint, Max: maxPort})
	add(Prop{Name: "ip4_addr", Class: ClassIPList, Flags: Live, Param: "ip4.addr"})
	add(Prop{Name: "ip6_addr", Class: ClassIPList, Flags: Live, Param: "ip6.addr"})
	add(Prop{Name: "ip4", Class: ClassEnum, Flags: Live, Param: "ip4", Enum: sysvEnum})
	add(Prop{Name: "ip6", Class: ClassEnum, Flags: Live, Param: "ip6", Enum: sysvEnum})
	add(Prop{Name: "defaultrouter", Class: ClassRouter})
	add(Prop{Name: "defaultrouter6", Class: ClassRouter})
	add(Prop{Name: "resolver", Class: ClassResolver})
	add(Prop{Name: "mac_prefix", Class: ClassMACPrefix})
	for _, n := range []string{"0", "1", "2", "3"} {
		add(Prop{Name: "vnet" + n + "_mac", Class: ClassMACPair})
		add(Prop{Name: "vnet" + n + "_mtu", Class: ClassMTU})
	}
	add(Prop{Name: "vnet_default_mtu", Class: ClassUint, Min: 68, Max: maxPort})
	add(Prop{Name: "vnet_default_interface", Class: ClassIface})
	add(Prop{Name: "vnet_interfaces", Class: ClassIfaceList})
	add(Prop{Name: "localhost_ip", Class: ClassIPv4})
	add(Prop{Name: "nat_prefix", Class: ClassNATPrefix, Flags: DefaultOnly})
	add(Prop{Name: "nat_interface", Class: ClassIface, Flags: DefaultOnly})
	add(Prop{Name: "nat_backend", Class: ClassEnum, Flags: DefaultOnly, Enum: []string{"pf", "ipfw"}})
	add(Prop{Name: "nat_forwards", Class: ClassNATForwards})

	// jail(8) parameters and iocage's start/stop hooks.
	// devfs_ruleset and enforce_statfs are not Live: iocage maps them to
	// "devfs.ruleset" and "enforce.statfs", which no kernel lists, so it never
	// changes them on a running jail; jcage keeps that (4 is iocage's "generate
	// a ruleset" marker, and jail_zfs rewrites enforce_statfs at start).
	add(Prop{Name: "devfs_ruleset", Class: ClassRuleset})
	add(Prop{Name: "min_dyn_devfs_ruleset", Class: ClassRuleset})
	for _, name := range []string{
		"exec_start", "exec_stop", "exec_prestart", "exec_poststart",
		"exec_prestop", "exec_poststop", "exec_created",
	} {
		add(Prop{Name: name, Class: ClassCommand})
	}
	add(Prop{Name: "exec_timeout", Class: ClassUint, Max: maxInt32})
	add(Prop{Name: "stop_timeout", Class: ClassUint, Max: maxInt32})
	for _, name := range []string{"exec_jail_user", "exec_system_jail_user", "exec_system_user", "login_flags"} {
		add(Prop{Name: name, Class: ClassText})
	}
	add(Prop{Name: "enforce_statfs", Class: ClassEnum, Enum: []string{"0", "1", "2"}})
	add(Prop{Name: "children_max", Class: ClassUint, Flags: Live, Param: "children.max", Max: maxInt32})
	add(Prop{Name: "securelevel", Class: ClassInt, Flags: Live, Param: "securelevel", Min: -1, Max: 3})
	for _, name := range []string{"sysvmsg", "sysvsem", "sysvshm"} {
		add(Prop{Name: name, Class: ClassEnum, Flags: Live, Param: name, Enum: sysvEnum})
	}

	// Resource limits.
	add(Prop{Name: "cpuset", Class: ClassCpuset, Flags: Restart})
	add(Prop{Name: "rlimits", Class: ClassEnum, Enum: []string{"off", "on"}})
	for _, name := range rctlResources {
		add(Prop{Name: name, Class: ClassRCTL, Flags: RCTL})
	}

	// iocage's own properties.
	for _, name := range []string{"notes", "owner", "comment", "plugin_name", "plugin_repository"} {
		add(Prop{Name: name, Class: ClassText})
	}
	add(Prop{Name: "priority", Class: ClassInt, Min: 1, Max: 99})
	add(Prop{Name: "hostid", Class: ClassUUID})
	add(Prop{Name: "depends", Class: ClassNames})
	add(Prop{Name: "jail_zfs_dataset", Class: ClassDatasets, Flags: Stopped | JailOnly})
	add(Prop{Name: "jail_zfs_mountpoint", Class: ClassPath, Flags: Stopped})

	// ZFS properties of the jail dataset. origin, mountpoint, compressratio,
	// available and used hold the placeholder "readonly" in defaults.json.
	// iocage passes them to zfs set, which fails or (mountpoint) breaks
	// the dataset layout; jcage refuses them up front.
	add(Prop{Name: "quota", Class: ClassZFSSize, Flags: ZFS})
	add(Prop{Name: "reservation", Class: ClassZFSSize, Flags: ZFS})
	add(Prop{Name: "dedup", Class: ClassZFSDedup, Flags: ZFS})
	// iocage 1.2 sets compression with zfs set; the fork dropped it from the
	// settable keys. jcage keeps it settable: it is a plain ZFS property.
	add(Prop{Name: "compression", Class: ClassZFSCompression, Flags: ZFS})
	for _, name := range []string{"origin", "mountpoint", "compressratio", "available", "used"} {
		add(Prop{Name: name, Class: ClassMeta, Flags: ZFS | ReadOnly})
	}

	// Bookkeeping.
	for _, name := range []string{"CONFIG_VERSION", "type", "last_started", "count", "sync_state", "sync_target", "sync_tgt_zpool"} {
		add(Prop{Name: name, Class: ClassMeta, Flags: ReadOnly})
	}
	for _, name := range []string{"CONFIG_TYPE", "host_hostuuid", "release", "cloned_release", "source_template"} {
		add(Prop{Name: name, Class: ClassMeta, Flags: ReadOnly | JailOnly})
	}
	for _, name := range []string{"state", "jid"} {
		add(Prop{Name: name, Class: ClassMeta, Flags: ReadOnly | Pseudo})
	}
}

// paramName is iocage's property → jail(8) parameter mapping.
func paramName(key string) string {
	switch key {
	case "allow_raw_sockets", "allow_socket_af", "allow_set_hostname":
		return strings.Replace(key, "_", ".", 1)
	}
	return strings.ReplaceAll(key, "_", ".")
}

// Lookup returns the description of a known property.
func Lookup(key string) (Prop, bool) {
	loadProps()
	p, ok := propTable[key]
	return p, ok
}

// Props returns every known property, sorted by name.
func Props() []Prop {
	loadProps()
	out := make([]Prop, 0, len(propTable))
	for _, p := range propTable {
		out = append(out, p)
	}
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
// as 0/1.
func IsTruthy(key string) bool {
	loadProps()
	return truthyProps[key]
}

// LiveParam returns the jail(8) parameter that set may change on a running
// jail for key. The caller still checks the running kernel's parameter list,
// and skips ip4.addr/ip6.addr for vnet jails and for the value "none".
func LiveParam(key string) (string, bool) {
	loadProps()
	p, ok := propTable[key]
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
