package fbsdsim

// sysctl(8): a fixed table of the OIDs a jail manager reads, with values
// derived from the simulator settings, plus writes kept in the state file
// sysctl.json.
//
// Settings:
//   JCAGE_SIM_HOST_RELEASE  kern.osrelease (default JCAGE_SIM_OSRELEASE, else 14.3-RELEASE)
//   JCAGE_SIM_OSRELDATE     kern.osreldate (default derived: 14.3 -> 1403000)
//   JCAGE_SIM_MACHINE       hw.machine (default amd64); hw.machine_arch follows
//   JCAGE_SIM_NCPU          hw.ncpu (default 4)
//   JCAGE_SIM_HOSTNAME      kern.hostname (default the Linux host name)
//   JCAGE_SIM_VIMAGE=0      removes kern.features.vimage (a kernel without VIMAGE)
//   JCAGE_SIM_RACCT=1       kern.racct.enable=1
//   JCAGE_SIM_FIBS          net.fibs (default 1)
//   JCAGE_SIM_SYSCTL        extra or overriding OIDs: "name=value,name=value"
//                           (unknown names become read-only strings)

import (
	"fmt"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
)

const sysctlStateFile = "sysctl.json"

type sysctlState struct {
	Values map[string]string `json:"values"`
}

// sysctlOID is one leaf of the simulated MIB.
type sysctlOID struct {
	name string
	kind string // ctl_typename: "integer", "string", "unsigned long", ...
	val  string
	rw   bool // CTLFLAG_WR
	tun  bool // CTLFLAG_TUN (boot-time tunable)
	desc string
	// set vets a write; a non-nil error is the errno text sysctl(3)
	// would return (for example "Operation not permitted").
	set func(old, new string) error
}

func sysctlNumeric(kind string) bool { return kind != "string" }

func sysctlSigned(kind string) bool {
	switch kind {
	case "integer", "long integer", "int8_t", "int16_t", "int32_t", "int64_t":
		return true
	}
	return false
}

// sysctlJailParams lists security.jail.param.* leaves: the parameter
// catalogue jail(8) and jail managers probe (strings vs integers as the
// kernel declares them; address lists are opaque and not listed). A
// parameter that also has sub-parameters ends in "." as in the kernel
// ("allow.mount." next to "allow.mount.zfs").
var sysctlJailParams = []struct{ name, kind string }{
	{"allow.adjtime", "integer"}, {"allow.chflags", "integer"},
	{"allow.extattr", "integer"}, {"allow.settime", "integer"},
	{"allow.mlock", "integer"}, {"allow.mount.", "integer"},
	{"allow.mount.devfs", "integer"}, {"allow.mount.fdescfs", "integer"},
	{"allow.mount.fusefs", "integer"},
	{"allow.mount.linprocfs", "integer"}, {"allow.mount.linsysfs", "integer"},
	{"allow.mount.nullfs", "integer"}, {"allow.mount.procfs", "integer"},
	{"allow.mount.tmpfs", "integer"}, {"allow.mount.zfs", "integer"},
	{"allow.nfsd", "integer"}, {"allow.quotas", "integer"},
	{"allow.raw_sockets", "integer"}, {"allow.read_msgbuf", "integer"},
	{"allow.reserved_ports", "integer"}, {"allow.set_hostname", "integer"},
	{"allow.socket_af", "integer"}, {"allow.suser", "integer"},
	{"allow.sysvipc", "integer"}, {"allow.unprivileged_proc_debug", "integer"},
	{"allow.vmm", "integer"},
	{"children.cur", "integer"}, {"children.max", "integer"},
	{"cpuset.id", "integer"}, {"devfs_ruleset", "integer"},
	{"dying", "integer"}, {"enforce_statfs", "integer"},
	{"host.", "integer"}, {"host.domainname", "string"}, {"host.hostid", "unsigned long"},
	{"host.hostname", "string"}, {"host.hostuuid", "string"},
	{"ip4.", "integer"}, {"ip4.saddrsel", "integer"},
	{"ip6.", "integer"}, {"ip6.saddrsel", "integer"},
	{"jid", "integer"}, {"linux.", "integer"},
	{"linux.osname", "string"}, {"linux.osrelease", "string"},
	{"linux.oss_version", "integer"}, {"name", "string"},
	{"osreldate", "integer"}, {"osrelease", "string"},
	{"parent", "integer"}, {"path", "string"}, {"persist", "integer"},
	{"securelevel", "integer"}, {"sysvmsg", "integer"},
	{"sysvsem", "integer"}, {"sysvshm", "integer"}, {"vnet", "integer"},
}

// sysctlTable builds the MIB for this invocation's settings.
func sysctlTable(e *Env) map[string]*sysctlOID {
	rel := ulHostRelease(e)
	host := e.Setting("HOSTNAME")
	if host == "" {
		host, _ = os.Hostname()
	}
	ncpu := e.Setting("NCPU")
	if ncpu == "" {
		ncpu = "4"
	}
	fibs := e.Setting("FIBS")
	if fibs == "" {
		fibs = "1"
	}
	racct := "0"
	if e.Setting("RACCT") == "1" {
		racct = "1"
	}
	maj, minor, _ := ulMajorMinor(rel)
	branch := fmt.Sprintf("releng/%d.%d", maj, minor)
	version := fmt.Sprintf("FreeBSD %s %s-n0-0000000000 GENERIC\n", rel, branch)
	t := map[string]*sysctlOID{}
	add := func(o sysctlOID) { oc := o; t[o.name] = &oc }
	add(sysctlOID{name: "kern.ostype", kind: "string", val: "FreeBSD", desc: "Operating system type"})
	add(sysctlOID{name: "kern.osrelease", kind: "string", val: rel, desc: "Operating system release"})
	add(sysctlOID{name: "kern.osrevision", kind: "integer", val: "199506", desc: "Operating system revision"})
	add(sysctlOID{name: "kern.version", kind: "string", val: version, desc: "Kernel version"})
	reldate := strconv.Itoa(ulOSRelDate(rel))
	if r := e.Setting("OSRELDATE"); r != "" {
		reldate = r
	}
	add(sysctlOID{name: "kern.osreldate", kind: "integer", val: reldate, desc: "Kernel release date"})
	add(sysctlOID{name: "kern.hostname", kind: "string", val: host, rw: true, desc: "Hostname"})
	add(sysctlOID{name: "kern.ident", kind: "string", val: "GENERIC", desc: "Kernel identifier"})
	add(sysctlOID{name: "kern.bootfile", kind: "string", val: "/boot/kernel/kernel", rw: true, desc: "Name of kernel file booted"})
	add(sysctlOID{name: "kern.module_path", kind: "string", val: "/boot/kernel;/boot/modules", rw: true, desc: "module load search path"})
	add(sysctlOID{name: "kern.build_id", kind: "string", val: ulSHA256(version)[:40], desc: "Operating system build-id"})
	add(sysctlOID{name: "kern.hostuuid", kind: "string", val: "00000000-0000-0000-0000-000000000000", rw: true, desc: "Host UUID"})
	add(sysctlOID{name: "kern.securelevel", kind: "integer", val: "-1", rw: true, desc: "Current secure level",
		set: func(old, new string) error {
			o, _ := strconv.Atoi(old)
			n, _ := strconv.Atoi(new)
			if n < o {
				return fmt.Errorf("Operation not permitted")
			}
			return nil
		}})
	add(sysctlOID{name: "kern.racct.enable", kind: "uint8_t", val: racct, tun: true, desc: "Enable RACCT/RCTL"})
	if e.Setting("VIMAGE") != "0" {
		add(sysctlOID{name: "kern.features.vimage", kind: "integer", val: "1", desc: "Virtualize the network stack"})
	}
	add(sysctlOID{name: "kern.features.racct", kind: "integer", val: "1", desc: "Resource Accounting"})
	add(sysctlOID{name: "kern.features.inet", kind: "integer", val: "1", desc: "Internet Protocol version 4"})
	add(sysctlOID{name: "kern.features.inet6", kind: "integer", val: "1", desc: "Internet Protocol version 6"})
	add(sysctlOID{name: "hw.machine", kind: "string", val: ulMachine(e), desc: "Machine class"})
	add(sysctlOID{name: "hw.machine_arch", kind: "string", val: ulMachineArch(e), desc: "System architecture"})
	add(sysctlOID{name: "hw.ncpu", kind: "integer", val: ncpu, desc: "Number of active CPUs"})
	add(sysctlOID{name: "hw.pagesize", kind: "integer", val: "4096", desc: "System memory page size"})
	add(sysctlOID{name: "hw.physmem", kind: "unsigned long", val: "8589934592", desc: "Amount of physical memory (in bytes)"})
	add(sysctlOID{name: "hw.model", kind: "string", val: "Simulated CPU", desc: "Machine model"})
	add(sysctlOID{name: "net.fibs", kind: "integer", val: fibs, tun: true, desc: "set number of fibs"})
	add(sysctlOID{name: "net.inet.ip.forwarding", kind: "integer", val: "0", rw: true, desc: "Enable IP forwarding between interfaces"})
	add(sysctlOID{name: "net.inet6.ip6.forwarding", kind: "integer", val: "0", rw: true, desc: "Enable forwarding of IPv6 packets between interfaces"})
	add(sysctlOID{name: "net.link.bridge.pfil_member", kind: "integer", val: "1", rw: true, desc: "Packet filter on the member interface"})
	add(sysctlOID{name: "net.link.bridge.pfil_bridge", kind: "integer", val: "0", rw: true, desc: "Packet filter on the bridge interface"})
	add(sysctlOID{name: "vfs.zfs.version.spa", kind: "uint64_t", val: "5000", desc: "SPA version"})
	add(sysctlOID{name: "vfs.zfs.version.zpl", kind: "uint64_t", val: "5", desc: "ZPL version"})
	add(sysctlOID{name: "vfs.zfs.version.acl", kind: "uint64_t", val: "1", desc: "ZFS_ACL_VERSION"})
	add(sysctlOID{name: "vfs.zfs.version.ioctl", kind: "uint64_t", val: "15", desc: "ZFS_IOCVER_*"})
	add(sysctlOID{name: "vfs.zfs.arc.max", kind: "unsigned long", val: "0", rw: true, desc: "Maximum ARC size in bytes (LEGACY)"})
	add(sysctlOID{name: "security.jail.jailed", kind: "integer", val: "0", desc: "Process in jail?"})
	add(sysctlOID{name: "security.jail.vnet", kind: "integer", val: "0", desc: "Jail owns vnet?"})
	add(sysctlOID{name: "security.jail.enforce_statfs", kind: "integer", val: "2", rw: true, desc: "Processes in jail cannot see all mounted file systems (deprecated)"})
	add(sysctlOID{name: "security.jail.set_hostname_allowed", kind: "integer", val: "1", rw: true, desc: "Processes in jail can set their hostnames (deprecated)"})
	add(sysctlOID{name: "security.jail.socket_unixiproute_only", kind: "integer", val: "1", rw: true, desc: "Processes in jail are limited to creating UNIX/IP/route sockets only (deprecated)"})
	add(sysctlOID{name: "security.jail.sysvipc_allowed", kind: "integer", val: "0", rw: true, desc: "Processes in jail can use System V IPC primitives (deprecated)"})
	add(sysctlOID{name: "security.jail.allow_raw_sockets", kind: "integer", val: "0", rw: true, desc: "Prison root can create raw sockets (deprecated)"})
	add(sysctlOID{name: "security.jail.chflags_allowed", kind: "integer", val: "0", rw: true, desc: "Processes in jail can alter system file flags (deprecated)"})
	add(sysctlOID{name: "security.jail.mount_allowed", kind: "integer", val: "0", rw: true, desc: "Processes in jail can mount/unmount jail-friendly file systems (deprecated)"})
	add(sysctlOID{name: "security.jail.devfs_ruleset", kind: "integer", val: "0", desc: "Ruleset for the devfs filesystem in jail"})
	add(sysctlOID{name: "security.jail.children.max", kind: "integer", val: "999999", desc: "Maximum number of child jails"})
	add(sysctlOID{name: "security.jail.children.cur", kind: "integer", val: "0", desc: "Current number of child jails"})
	add(sysctlOID{name: "security.jail.jail_max_af_ips", kind: "unsigned integer", val: "255", rw: true, desc: "Number of IP addresses a jail may have at most per address family (deprecated)"})
	for _, p := range sysctlJailParams {
		v := "0"
		if p.kind == "string" {
			v = ""
		}
		add(sysctlOID{name: "security.jail.param." + p.name, kind: p.kind, val: v, desc: "Jail parameter " + p.name})
	}
	// A module's OIDs exist once it is loaded: ipfw's enable switch,
	// net.inet.ip.fw.enable, is V_fw_enable in
	// sys/netpfil/ipfw/ip_fw_pfil.c (VNET_DEFINE(int, fw_enable) = 1).
	if loaded, err := KldLoaded(e.State); err == nil && slices.Contains(loaded, "ipfw") {
		add(sysctlOID{name: "net.inet.ip.fw.enable", kind: "integer", val: "1", rw: true, desc: "Enable ipfw"})
	}
	for _, kv := range ulList(e.Setting("SYSCTL")) {
		name, val, ok := strings.Cut(kv, "=")
		if !ok {
			continue
		}
		if o, ok := t[name]; ok {
			o.val = val
		} else {
			add(sysctlOID{name: name, kind: "string", val: val})
		}
	}
	return t
}

// sysctlGet returns the current value of a leaf OID (defaults, settings
// and writes made through the simulated sysctl), for the other tools.
func sysctlGet(e *Env, name string) (string, bool) {
	t := sysctlTable(e)
	o, ok := t[name]
	if !ok {
		return "", false
	}
	var st sysctlState
	if err := e.Load(sysctlStateFile, &st); err == nil {
		if v, ok := st.Values[name]; ok {
			return v, true
		}
	}
	return o.val, true
}

type sysctlFlags struct {
	a, b, d, e, h, i, N, n, o, q, t, T, W, x bool
	file                                     string
}

func init() { register("sysctl", runSysctl) }

func sysctlUsage(e *Env) int {
	return e.Usage(1,
		"usage: sysctl [-bdehiNnoqTtWx] [ -B <bufsize> ] [-f filename] name[=value] ...",
		"       sysctl [-bdehNnoqTtWx] [ -B <bufsize> ] -a")
}

func runSysctl(e *Env) int {
	opts, args, oerr := ulGetopt(e.Args, "AabB:def:hiNnoqtTwWxX")
	if oerr != nil {
		fmt.Fprintln(e.Stderr, oerr.libc("sysctl"))
		return sysctlUsage(e)
	}
	var f sysctlFlags
	for _, o := range opts {
		switch o.c {
		case 'A':
			f.a, f.o = true, true
		case 'a':
			f.a = true
		case 'b':
			f.b = true
		case 'B', 'w':
			// Buffer size and the historical -w are accepted and have
			// no visible effect on these values.
		case 'd':
			f.d = true
		case 'e':
			f.e = true
		case 'f':
			f.file = o.arg
		case 'h':
			f.h = true
		case 'i':
			f.i = true
		case 'N':
			f.N = true
		case 'n':
			f.n = true
		case 'o':
			f.o = true
		case 'q':
			f.q = true
		case 't':
			f.t = true
		case 'T':
			f.T = true
		case 'W':
			f.W = true
		case 'X':
			f.a, f.x = true, true
		case 'x':
			f.x = true
		}
	}
	if f.N && f.n {
		return sysctlUsage(e)
	}
	var st sysctlState
	if err := e.Load(sysctlStateFile, &st); err != nil {
		return e.Errorf(70, "simulator state: %v", err)
	}
	s := &sysctlRun{e: e, f: f, t: sysctlTable(e), st: &st}
	if f.a && len(args) == 0 {
		s.all("")
		return 0
	}
	if len(args) == 0 && f.file == "" {
		return sysctlUsage(e)
	}
	warn := 0
	if f.file != "" {
		b, err := os.ReadFile(f.file)
		if err != nil {
			// err(EX_NOINPUT, "%s", filename)
			return e.Errorf(66, "%s: %s", f.file, ulErrno(err))
		}
		for i, line := range strings.Split(string(b), "\n") {
			if j := strings.IndexByte(line, '#'); j >= 0 {
				line = line[:j]
			}
			line = strings.TrimSpace(line)
			if line == "" {
				continue
			}
			r, exit := s.parse(line, i+1)
			if exit {
				return r
			}
			warn += r
		}
	}
	for _, a := range args {
		r, exit := s.parse(a, 0)
		if exit {
			return r
		}
		warn += r
	}
	if s.dirty {
		if err := e.Locked(func() error {
			var cur sysctlState
			if err := e.Load(sysctlStateFile, &cur); err != nil {
				return err
			}
			if cur.Values == nil {
				cur.Values = map[string]string{}
			}
			for k, v := range st.Values {
				cur.Values[k] = v
			}
			return e.Save(sysctlStateFile, cur)
		}); err != nil {
			return e.Errorf(70, "simulator state: %v", err)
		}
	}
	return warn
}

type sysctlRun struct {
	e     *Env
	f     sysctlFlags
	t     map[string]*sysctlOID
	st    *sysctlState
	dirty bool
}

func (s *sysctlRun) value(o *sysctlOID) string {
	if v, ok := s.st.Values[o.name]; ok {
		return v
	}
	return o.val
}

// children lists the leaves under a node name, sorted.
func (s *sysctlRun) children(node string) []string {
	var out []string
	for n := range s.t {
		if node == "" || strings.HasPrefix(n, node+".") {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

func (s *sysctlRun) all(node string) {
	for _, n := range s.children(node) {
		if s.show(s.t[n]) && !s.f.b {
			fmt.Fprintln(s.e.Stdout)
		}
	}
}

// show prints one leaf the way show_var() does (without the newline)
// and reports whether anything was printed.
func (s *sysctlRun) show(o *sysctlOID) bool {
	if s.f.W && !o.rw {
		return false
	}
	if s.f.T && !o.tun {
		return false
	}
	w := s.e.Stdout
	if s.f.N {
		fmt.Fprint(w, o.name)
		return true
	}
	sep := ": "
	if s.f.e {
		sep = "="
	}
	if s.f.t || s.f.d {
		if !s.f.n {
			fmt.Fprint(w, o.name+sep)
		}
		if s.f.t && s.f.d {
			fmt.Fprint(w, o.kind+sep)
		} else if s.f.t {
			fmt.Fprint(w, o.kind)
			return true
		}
		fmt.Fprint(w, o.desc)
		return true
	}
	v := s.value(o)
	if s.f.b {
		fmt.Fprint(w, v)
		return true
	}
	if !s.f.n {
		fmt.Fprint(w, o.name+sep)
	}
	if sysctlNumeric(o.kind) && s.f.x {
		var parts []string
		for _, p := range strings.Fields(v) {
			n, _ := strconv.ParseInt(p, 0, 64)
			parts = append(parts, fmt.Sprintf("%#x", uint64(n)))
		}
		fmt.Fprint(w, strings.Join(parts, " "))
		return true
	}
	fmt.Fprint(w, v)
	return true
}

// parse handles one "name" or "name=value" argument. It returns the
// warning count contribution, or an exit status with exit=true for the
// cases where sysctl(8) gives up at once.
func (s *sysctlRun) parse(arg string, lineno int) (int, bool) {
	e := s.e
	line := ""
	if lineno > 0 {
		line = fmt.Sprintf(" at line %d", lineno)
	}
	name, val, hasVal := arg, "", false
	if i := strings.IndexAny(arg, "=:"); i >= 0 {
		name, val, hasVal = arg[:i], arg[i+1:], true
		if s.f.T || s.f.W {
			fmt.Fprintln(e.Stderr, "sysctl: Can't set variables when using -T or -W")
			return sysctlUsage(e), true
		}
		val = strings.TrimLeft(val, " \t\n\v\f\r")
		if len(val) > 0 && (val[0] == '"' || val[0] == '\'') {
			q := val[0]
			if val[len(val)-1] == q {
				val = val[:len(val)-1]
			}
			if len(val) > 0 {
				val = val[1:]
			}
		}
	}
	name = strings.TrimRight(name, " \t\n\v\f\r")
	o, leaf := s.t[name]
	kids := s.children(name)
	if !leaf && (len(kids) == 0 || name == "") {
		if s.f.i {
			return 0, false
		}
		if !s.f.q {
			fmt.Fprintf(e.Stderr, "sysctl: unknown oid '%s'%s\n", name, line)
		}
		return 1, false
	}
	if !hasVal || s.f.d {
		if !leaf {
			s.all(name)
			return 0, false
		}
		if s.show(o) && !s.f.b {
			fmt.Fprintln(e.Stdout)
		}
		return 0, false
	}
	if !leaf {
		fmt.Fprintf(e.Stderr, "sysctl: oid '%s' isn't a leaf node%s\n", name, line)
		return 1, false
	}
	if !o.rw {
		if o.tun {
			fmt.Fprintf(e.Stderr, "sysctl: oid '%s' is a read only tunable%s\n", name, line)
			fmt.Fprintln(e.Stderr, "sysctl: Tunable values are set in /boot/loader.conf")
		} else {
			fmt.Fprintf(e.Stderr, "sysctl: oid '%s' is read only%s\n", name, line)
		}
		return 1, false
	}
	newv := val
	if sysctlNumeric(o.kind) {
		if val == "" {
			fmt.Fprintln(e.Stderr, "sysctl: empty numeric value")
			return 1, false
		}
		var parts []string
		for _, p := range strings.FieldsFunc(val, func(r rune) bool { return r == ' ' || r == ',' }) {
			var err error
			var n int64
			if sysctlSigned(o.kind) {
				n, err = strconv.ParseInt(p, 0, 64)
			} else {
				var u uint64
				u, err = strconv.ParseUint(p, 0, 64)
				n = int64(u)
			}
			if err != nil {
				fmt.Fprintf(e.Stderr, "sysctl: invalid %s '%s'%s\n", o.kind, p, line)
				return 1, false
			}
			if sysctlSigned(o.kind) {
				parts = append(parts, strconv.FormatInt(n, 10))
			} else {
				parts = append(parts, strconv.FormatUint(uint64(n), 10))
			}
		}
		newv = strings.Join(parts, " ")
	}
	printed := s.show(o)
	if o.set != nil {
		if err := o.set(s.value(o), newv); err != nil {
			if printed && !s.f.b {
				fmt.Fprintln(e.Stdout)
			}
			fmt.Fprintf(e.Stderr, "sysctl: %s%s: %v\n", arg, line, err)
			return 1, false
		}
	}
	if s.st.Values == nil {
		s.st.Values = map[string]string{}
	}
	s.st.Values[name] = newv
	s.dirty = true
	if !s.f.b {
		fmt.Fprint(e.Stdout, " -> ")
	}
	saveN := s.f.n
	s.f.n = true
	if s.show(o) && !s.f.b {
		fmt.Fprintln(e.Stdout)
	}
	s.f.n = saveN
	return 0, false
}
