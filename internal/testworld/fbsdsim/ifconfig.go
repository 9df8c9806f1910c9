package fbsdsim

import (
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"
)

func init() { register("ifconfig", ifconfigTool) }

// netState is the simulated network stack: interfaces of the host and of
// every vnet jail, and the routing tables.
type netState struct {
	LastIndex int
	Ifaces    []*simIface
	Routes    []simRoute `json:",omitempty"`
}

// simIface is one network interface.
type simIface struct {
	Name    string
	Kind    string // loopback, ether, epair, bridge, tap, tun
	Index   int
	Cloned  bool
	Peer    string   `json:",omitempty"` // other end of an epair
	Up      bool     `json:",omitempty"`
	MTU     int      // bytes
	Ether   string   `json:",omitempty"`
	Descr   string   `json:",omitempty"`
	Inet    []ifAddr `json:",omitempty"`
	Inet6   []ifAddr `json:",omitempty"`
	Members []string `json:",omitempty"` // bridge members
	Groups  []string `json:",omitempty"`
	Options []string `json:",omitempty"` // capability and nd6 words set
	Jail    int      `json:",omitempty"` // JID of the vnet holding it; 0 = host
	Home    int      `json:",omitempty"` // vnet it was created in
}

type ifAddr struct {
	Addr   string
	Prefix int
}

// defaultNet is the host a fresh state directory starts with: a loopback
// and one Ethernet NIC, em0, at 10.0.0.10/24 with a default route via
// 10.0.0.1.
func defaultNet() netState {
	return netState{
		LastIndex: 2,
		Ifaces: []*simIface{
			{Name: "em0", Kind: "ether", Index: 1, Up: true, MTU: 1500, Ether: "58:9c:fc:00:00:01",
				Inet: []ifAddr{{"10.0.0.10", 24}}},
			{Name: "lo0", Kind: "loopback", Index: 2, Up: true, MTU: 16384, Groups: []string{"lo"},
				Inet: []ifAddr{{"127.0.0.1", 8}}, Inet6: []ifAddr{{"::1", 128}}},
		},
		Routes: []simRoute{{FIB: 0, Family: 4, Dest: "default", Gateway: "10.0.0.1", Iface: "em0"}},
	}
}

// find returns the interface called name in a vnet (0 = host).
func (n *netState) find(scope int, name string) *simIface {
	for _, i := range n.Ifaces {
		if i.Name == name && i.Jail == scope {
			return i
		}
	}
	return nil
}

func (n *netState) named(name string) *simIface {
	for _, i := range n.Ifaces {
		if i.Name == name {
			return i
		}
	}
	return nil
}

func (n *netState) inScope(scope int) []*simIface {
	var out []*simIface
	for _, i := range n.Ifaces {
		if i.Jail == scope {
			out = append(out, i)
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Index < out[b].Index })
	return out
}

func (n *netState) add(i *simIface) {
	n.LastIndex++
	i.Index = n.LastIndex
	n.Ifaces = append(n.Ifaces, i)
}

// destroy removes an interface (both ends of an epair) everywhere.
func (n *netState) destroy(i *simIface) {
	gone := map[*simIface]bool{i: true}
	if i.Kind == "epair" && i.Peer != "" {
		for _, o := range n.Ifaces {
			if o.Kind == "epair" && o.Name == i.Peer && o.Peer == i.Name {
				gone[o] = true
			}
		}
	}
	out := n.Ifaces[:0]
	for _, o := range n.Ifaces {
		if !gone[o] {
			out = append(out, o)
		}
	}
	n.Ifaces = out
	for g := range gone {
		n.detachFromBridges(g)
	}
}

func (n *netState) detachFromBridges(m *simIface) {
	for _, b := range n.Ifaces {
		if b.Kind == "bridge" && b.Jail == m.Jail {
			b.Members = removeString(b.Members, m.Name)
		}
	}
}

// vnetCreated gives a new vnet jail its own loopback.
func (n *netState) vnetCreated(jid int) {
	n.add(&simIface{Name: "lo0", Kind: "loopback", MTU: 16384, Groups: []string{"lo"}, Jail: jid, Home: jid})
}

// vnetDestroyed runs when a vnet jail goes away: interfaces created in it
// vanish, the others return to the vnet they came from, without their
// addresses, as if_vmove leaves them.
func (n *netState) vnetDestroyed(jid int) {
	var doomed []*simIface
	for _, i := range n.Ifaces {
		if i.Jail != jid {
			continue
		}
		if i.Home == jid {
			doomed = append(doomed, i)
			continue
		}
		n.moveToVnet(i, i.Home)
	}
	for _, i := range doomed {
		n.destroy(i)
	}
	n.Routes = filterRoutes(n.Routes, func(r simRoute) bool { return r.Jail != jid })
}

// moveToVnet moves an interface into a vnet jail (ifconfig IF vnet J).
func (n *netState) moveToVnet(i *simIface, jid int) {
	n.detachFromBridges(i)
	i.Jail = jid
	i.Inet, i.Inet6 = nil, nil
	// Interface indexes are per vnet: a moved interface is listed after
	// those already there.
	n.LastIndex++
	i.Index = n.LastIndex
}

func removeString(list []string, s string) []string {
	out := list[:0]
	for _, x := range list {
		if x != s {
			out = append(out, x)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func hasString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

var ifconfigUsage = []string{
	"usage: ifconfig [-j jail] [-f type:format] %sinterface address_family",
	"                [address [dest_address]] [parameters]",
	"       ifconfig [-j jail] interface create",
	"       ifconfig [-j jail] -a [-L] [-d] [-m] [-u] [-v] [address_family]",
	"       ifconfig [-j jail] -l [-d] [-u] [address_family]",
	"       ifconfig [-j jail] [-kLmuv]",
}

func ifconfigUsageText() []string {
	u := append([]string(nil), ifconfigUsage...)
	u[0] = fmt.Sprintf(u[0], "[-L] [-C] [-g groupname] ")
	return u
}

// cloners are the interface types `ifconfig NAME create` can make.
var cloners = []string{"bridge", "epair", "lo", "tap", "tun"}

func ifconfigTool(e *Env) int {
	opts, rest, msg := bsdGetopt(e.Args, "aCdf:g:G:j:kLlmnuv")
	if msg != "" {
		return e.usageError(1, msg, ifconfigUsageText()...)
	}
	var all, list, onlyUp, onlyDown, showCloners bool
	var group, nogroup, jailSpec string
	for _, o := range opts {
		switch o.Flag {
		case 'a':
			all = true
		case 'l':
			list = true
		case 'u':
			onlyUp = true
		case 'd':
			onlyDown = true
		case 'C':
			showCloners = true
		case 'g':
			group = o.Arg
		case 'G':
			nogroup = o.Arg
		case 'j':
			jailSpec = o.Arg
		}
	}
	if showCloners {
		if len(rest) > 0 {
			return e.Usage(1, ifconfigUsageText()...)
		}
		fmt.Fprintln(e.Stdout, strings.Join(cloners, " "))
		return 0
	}
	code := 0
	err := e.editWorld(func(w *simWorld) bool {
		scope := e.Scope
		if jailSpec != "" {
			j, msg := w.jails().lookup(jailSpec)
			if j == nil {
				code = e.Errorf(1, "%s", msg)
				return false
			}
			if j.Params["vnet"] == "new" {
				scope = j.JID
			}
		}
		n := w.net()
		if list || all || len(rest) == 0 {
			af := ""
			if len(rest) > 1 || (len(rest) == 1 && !isAF(rest[0])) {
				code = e.Usage(1, ifconfigUsageText()...)
				return false
			}
			if len(rest) == 1 {
				af = rest[0]
			}
			var sel []*simIface
			for _, i := range n.inScope(scope) {
				if (onlyUp && !i.Up) || (onlyDown && i.Up) ||
					(group != "" && !ifInGroup(i, group)) || (nogroup != "" && ifInGroup(i, nogroup)) ||
					!ifHasAF(i, af) {
					continue
				}
				sel = append(sel, i)
			}
			switch {
			case list:
				names := make([]string, len(sel))
				for k, i := range sel {
					names[k] = i.Name
				}
				fmt.Fprintln(e.Stdout, strings.Join(names, " "))
			case group != "" && !all:
				for _, i := range sel {
					fmt.Fprintln(e.Stdout, i.Name)
				}
			default:
				for _, i := range sel {
					fmt.Fprint(e.Stdout, ifStatus(n, i, af))
				}
			}
			return false
		}
		name, words := rest[0], rest[1:]
		if len(words) > 0 && words[0] == "create" {
			var save bool
			code, save = e.ifCreate(w, scope, name, words[1:])
			return save
		}
		if len(words) > 0 && words[0] == "-vnet" {
			if len(words) < 2 {
				code = e.Errorf(1, "-vnet: requires argument")
				return false
			}
			j, msg := w.jails().lookup(words[1])
			if j == nil {
				code = e.Errorf(1, "%s", msg)
				return false
			}
			i := n.find(j.JID, name)
			if i == nil {
				code = e.Errorf(1, "SIOCSIFRVNET: Device not configured")
				return false
			}
			n.moveToVnet(i, scope)
			if len(words) > 2 {
				code = e.ifApply(w, scope, i, name, words[2:])
			}
			return true
		}
		i := n.find(scope, name)
		if i == nil {
			code = e.Errorf(1, "interface %s does not exist", name)
			return false
		}
		if len(words) == 0 {
			fmt.Fprint(e.Stdout, ifStatus(n, i, ""))
			return false
		}
		if len(words) == 1 && isAF(words[0]) {
			fmt.Fprint(e.Stdout, ifStatus(n, i, words[0]))
			return false
		}
		if words[0] == "destroy" {
			if len(words) > 1 {
				code = e.Errorf(1, "%s: bad value", words[1])
				return false
			}
			if !i.Cloned {
				code = e.Errorf(1, "SIOCIFDESTROY: Invalid argument")
				return false
			}
			n.destroy(i)
			return true
		}
		code = e.ifApply(w, scope, i, name, words)
		return true
	})
	if err != nil {
		return e.stateError(err)
	}
	return code
}

func isAF(s string) bool {
	switch s {
	case "inet", "inet6", "link", "ether", "lladdr":
		return true
	}
	return false
}

func ifHasAF(i *simIface, af string) bool {
	switch af {
	case "inet":
		return len(i.Inet) > 0
	case "inet6":
		return len(i.Inet6) > 0
	case "link", "ether", "lladdr":
		return i.Ether != ""
	}
	return true
}

func ifInGroup(i *simIface, g string) bool {
	return hasString(ifGroups(i), g)
}

func ifGroups(i *simIface) []string {
	var gs []string
	switch i.Kind {
	case "epair", "bridge", "tap", "tun":
		gs = append(gs, i.Kind)
	}
	for _, g := range i.Groups {
		if !hasString(gs, g) {
			gs = append(gs, g)
		}
	}
	return gs
}

// ifCreate handles `ifconfig NAME create [params...]`. It returns the exit
// status and whether the world changed.
func (e *Env) ifCreate(w *simWorld, scope int, name string, params []string) (int, bool) {
	n := w.net()
	kind, unitStr := name, ""
	for k := len(name); k > 0; k-- {
		if name[k-1] < '0' || name[k-1] > '9' {
			kind, unitStr = name[:k], name[k:]
			break
		}
	}
	if !hasString(cloners, kind) {
		return e.Errorf(1, "SIOCIFCREATE2: Invalid argument"), false
	}
	taken := func(nm string) bool { return n.find(scope, nm) != nil || (kind == "epair" && n.named(nm) != nil) }
	unit := -1
	if unitStr != "" {
		unit, _ = strconv.Atoi(unitStr)
	}
	var created *simIface
	switch kind {
	case "epair":
		if unit < 0 {
			for unit = 0; taken(fmt.Sprintf("epair%da", unit)) || taken(fmt.Sprintf("epair%db", unit)); unit++ {
			}
		} else if taken(fmt.Sprintf("epair%da", unit)) || taken(fmt.Sprintf("epair%db", unit)) {
			return e.Errorf(1, "SIOCIFCREATE2: File exists"), false
		}
		a := &simIface{Name: fmt.Sprintf("epair%da", unit), Kind: "epair", Cloned: true, MTU: 1500,
			Ether: fmt.Sprintf("02:%02x:%02x:%02x:%02x:0a", (unit>>24)&0xff, (unit>>16)&0xff, (unit>>8)&0xff, unit&0xff),
			Peer:  fmt.Sprintf("epair%db", unit), Jail: scope, Home: scope}
		b := &simIface{Name: fmt.Sprintf("epair%db", unit), Kind: "epair", Cloned: true, MTU: 1500,
			Ether: fmt.Sprintf("02:%02x:%02x:%02x:%02x:0b", (unit>>24)&0xff, (unit>>16)&0xff, (unit>>8)&0xff, unit&0xff),
			Peer:  a.Name, Jail: scope, Home: scope}
		n.add(a)
		n.add(b)
		created = a
	default:
		if unit < 0 {
			for unit = 0; taken(fmt.Sprintf("%s%d", kind, unit)); unit++ {
			}
		} else if taken(name) {
			if len(params) == 0 {
				return e.Errorf(1, "interface %s already exists", name), false
			}
			return e.Errorf(1, "SIOCIFCREATE2: File exists"), false
		}
		created = &simIface{Name: fmt.Sprintf("%s%d", kind, unit), Kind: kind, Cloned: true, MTU: 1500, Jail: scope, Home: scope}
		switch kind {
		case "lo":
			created.Kind, created.MTU, created.Groups = "loopback", 16384, []string{"lo"}
		case "bridge", "tap":
			created.Ether = fmt.Sprintf("58:9c:fc:10:%02x:%02x", (n.LastIndex>>8)&0xff, n.LastIndex&0xff)
		}
		n.add(created)
	}
	code := 0
	if len(params) > 0 {
		code = e.ifApply(w, scope, created, name, params)
		return code, true
	}
	if created.Name != name {
		fmt.Fprintln(e.Stdout, created.Name)
	}
	return code, true
}

// ifApply runs the parameter words of one ifconfig call against i, in
// order, as ifconfig does: what succeeded before a failing word stays
// done. given is the name on the command line; a new final name (after
// `name` or a cloner picking a unit) is printed at the end.
func (e *Env) ifApply(w *simWorld, scope int, i *simIface, given string, words []string) int {
	n := w.net()
	af := ""
	if len(words) > 0 && (words[0] == "inet" || words[0] == "inet6") {
		af, words = words[0], words[1:]
	}
	var addr, netmask, broadcast string
	prefixlen := -1
	aliasOp := "" // "", "alias", "-alias"
	arg := func(k int) (string, bool) {
		if k+1 >= len(words) {
			e.Errorf(1, "%s: requires argument", words[k])
			return "", false
		}
		return words[k+1], true
	}
	for k := 0; k < len(words); k++ {
		word := words[k]
		switch word {
		case "up":
			i.Up = true
		case "down":
			i.Up = false
		case "mtu":
			v, ok := arg(k)
			if !ok {
				return 1
			}
			k++
			m, err := strconv.Atoi(v)
			if err != nil || m < 72 || m > 65535 {
				return e.Errorf(1, "ioctl SIOCSIFMTU (set mtu): Invalid argument")
			}
			i.MTU = m
			if i.Kind == "bridge" {
				for _, mn := range i.Members {
					if mi := n.find(scope, mn); mi != nil {
						mi.MTU = m
					}
				}
			}
		case "description", "descr":
			v, ok := arg(k)
			if !ok {
				return 1
			}
			k++
			i.Descr = v
		case "-description", "-descr":
			i.Descr = ""
		case "name":
			v, ok := arg(k)
			if !ok {
				return 1
			}
			k++
			if n.find(scope, v) != nil {
				return e.Errorf(1, "ioctl SIOCSIFNAME (set name): File exists")
			}
			old := i.Name
			for _, o := range n.Ifaces {
				if o.Kind == "epair" && o.Peer == old {
					o.Peer = v
				}
				if o.Kind == "bridge" && o.Jail == i.Jail {
					for x, m := range o.Members {
						if m == old {
							o.Members[x] = v
						}
					}
				}
			}
			for r := range n.Routes {
				if n.Routes[r].Iface == old && n.Routes[r].Jail == i.Jail {
					n.Routes[r].Iface = v
				}
			}
			i.Name = v
		case "ether", "lladdr", "link":
			v, ok := arg(k)
			if !ok {
				return 1
			}
			k++
			mac, ok := parseMAC(v)
			if !ok {
				return e.Errorf(1, "malformed link-level address")
			}
			i.Ether = mac
		case "vnet":
			v, ok := arg(k)
			if !ok {
				return 1
			}
			k++
			j, msg := w.jails().lookup(v)
			if j == nil {
				return e.Errorf(1, "%s", msg)
			}
			if j.Params["vnet"] != "new" || i.Kind == "loopback" {
				return e.Errorf(1, "SIOCSIFVNET: Invalid argument")
			}
			n.moveToVnet(i, j.JID)
		case "addm", "deletem":
			v, ok := arg(k)
			if !ok {
				return 1
			}
			k++
			op := "BRDGADD"
			if word == "deletem" {
				op = "BRDGDEL"
			}
			if i.Kind != "bridge" {
				return e.Errorf(1, "%s %s: Invalid argument", op, v)
			}
			m := n.find(scope, v)
			if word == "deletem" {
				if m == nil || !hasString(i.Members, v) {
					return e.Errorf(1, "BRDGDEL %s: Invalid argument", v)
				}
				i.Members = removeString(i.Members, v)
				continue
			}
			if m == nil {
				return e.Errorf(1, "BRDGADD %s: No such file or directory", v)
			}
			if hasString(i.Members, v) {
				return e.Errorf(1, "BRDGADD %s: File exists", v)
			}
			for _, b := range n.inScope(scope) {
				if b.Kind == "bridge" && hasString(b.Members, v) {
					return e.Errorf(1, "BRDGADD %s: Device busy", v)
				}
			}
			if m == i || m.Kind == "loopback" {
				return e.Errorf(1, "BRDGADD %s: Invalid argument", v)
			}
			// A bridge takes its first member's MTU; later members must match.
			if len(i.Members) == 0 {
				i.MTU = m.MTU
			} else if m.MTU != i.MTU {
				return e.Errorf(1, "BRDGADD %s: Invalid argument", v)
			}
			i.Members = append(i.Members, v)
		case "group":
			v, ok := arg(k)
			if !ok {
				return 1
			}
			k++
			if !hasString(i.Groups, v) {
				i.Groups = append(i.Groups, v)
			}
		case "-group":
			v, ok := arg(k)
			if !ok {
				return 1
			}
			k++
			i.Groups = removeString(i.Groups, v)
		case "alias", "add":
			aliasOp = "alias"
		case "-alias", "delete", "remove":
			aliasOp = "-alias"
		case "netmask":
			v, ok := arg(k)
			if !ok {
				return 1
			}
			k++
			netmask = v
		case "prefixlen":
			v, ok := arg(k)
			if !ok {
				return 1
			}
			k++
			p, err := strconv.Atoi(v)
			if err != nil || p < 0 || p > 128 {
				return e.Errorf(1, "%s: bad value", v)
			}
			prefixlen = p
		case "broadcast":
			v, ok := arg(k)
			if !ok {
				return 1
			}
			k++
			broadcast = v
		case "metric", "media", "mediaopt", "-mediaopt", "fib", "tunnelfib", "stp", "-stp", "edge", "-edge",
			"autoedge", "-autoedge", "ptp", "-ptp", "private", "-private", "span", "-span", "maxaddr",
			"timeout", "priority", "ifpriority", "ifpathcost", "vhid", "advskew", "pass":
			if _, ok := arg(k); !ok {
				return 1
			}
			k++
		case "promisc", "-promisc", "monitor", "-monitor", "arp", "-arp", "staticarp", "-staticarp",
			"debug", "-debug", "auto_linklocal", "-auto_linklocal", "accept_rtadv", "-accept_rtadv",
			"autoconf", "-autoconf", "ifdisabled", "-ifdisabled", "no_radr", "-no_radr", "no_dad", "-no_dad",
			"tso", "-tso", "tso4", "-tso4", "tso6", "-tso6", "lro", "-lro", "rxcsum", "-rxcsum",
			"txcsum", "-txcsum", "rxcsum6", "-rxcsum6", "txcsum6", "-txcsum6", "vlanmtu", "-vlanmtu",
			"vlanhwtag", "-vlanhwtag", "vlanhwtso", "-vlanhwtso", "vlanhwcsum", "-vlanhwcsum",
			"vlanhwfilter", "-vlanhwfilter", "wol", "-wol", "learn", "-learn", "discover", "-discover":
			on := !strings.HasPrefix(word, "-")
			opt := strings.TrimPrefix(word, "-")
			i.Options = removeString(i.Options, opt)
			if on {
				i.Options = append(i.Options, opt)
			}
		default:
			if addr != "" {
				return e.Errorf(1, "%s: bad value", word)
			}
			addr = word
		}
	}
	if addr != "" {
		if af == "" {
			af = "inet"
		}
		if msg := n.setAddr(i, af, addr, netmask, broadcast, prefixlen, aliasOp); msg != "" {
			return e.Errorf(1, "%s", msg)
		}
	} else if aliasOp != "" || netmask != "" {
		return e.Errorf(1, "ioctl (SIOCAIFADDR): Destination address required")
	}
	if i.Name != given {
		fmt.Fprintln(e.Stdout, i.Name)
	}
	return 0
}

// setAddr adds, replaces or removes an address; the message is
// ifconfig's on failure.
func (n *netState) setAddr(i *simIface, af, word, netmask, broadcast string, prefixlen int, op string) string {
	v6 := af == "inet6"
	s, plen := word, -1
	if k := strings.IndexByte(s, '/'); k >= 0 {
		p, err := strconv.Atoi(s[k+1:])
		if err != nil || p < 0 || (!v6 && p > 32) || p > 128 {
			return word + ": bad value"
		}
		s, plen = s[:k], p
	}
	if k := strings.IndexByte(s, '%'); k >= 0 && v6 {
		s = s[:k]
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Is4() == v6 {
		return s + ": bad value"
	}
	if netmask != "" && !v6 {
		p, ok := parseNetmask(netmask)
		if !ok {
			return netmask + ": bad value"
		}
		plen = p
	}
	if prefixlen >= 0 {
		plen = prefixlen
	}
	list := &i.Inet
	if v6 {
		list = &i.Inet6
	}
	idx := -1
	for k, x := range *list {
		if x.Addr == a.String() {
			idx = k
		}
	}
	if op == "-alias" {
		if idx < 0 {
			if v6 {
				return "ioctl (SIOCDIFADDR_IN6): Can't assign requested address"
			}
			return "ioctl (SIOCDIFADDR): Can't assign requested address"
		}
		*list = append((*list)[:idx], (*list)[idx+1:]...)
		return ""
	}
	if plen < 0 {
		switch {
		case v6:
			plen = 64
		case op == "alias" && len(*list) > 0:
			plen = 32
		default:
			plen = classfulPrefix(a)
		}
	}
	if idx >= 0 {
		if op == "alias" {
			if v6 {
				return "ioctl (SIOCAIFADDR_IN6): File exists"
			}
			return "ioctl (SIOCAIFADDR): File exists"
		}
		(*list)[idx].Prefix = plen
		return ""
	}
	na := ifAddr{Addr: a.String(), Prefix: plen}
	if op == "" && !v6 && len(*list) > 0 {
		// Without alias the primary IPv4 address is replaced.
		(*list)[0] = na
		return ""
	}
	*list = append(*list, na)
	return ""
}

func classfulPrefix(a netip.Addr) int {
	b := a.As4()
	switch {
	case b[0] < 128:
		return 8
	case b[0] < 192:
		return 16
	}
	return 24
}

func parseNetmask(s string) (int, bool) {
	if strings.HasPrefix(s, "0x") {
		v, err := strconv.ParseUint(s[2:], 16, 32)
		if err != nil {
			return 0, false
		}
		s = fmt.Sprintf("%d.%d.%d.%d", v>>24, (v>>16)&0xff, (v>>8)&0xff, v&0xff)
	}
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is4() {
		return 0, false
	}
	b := a.As4()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	ones := 0
	for v&0x80000000 != 0 {
		ones++
		v <<= 1
	}
	if v != 0 {
		return 0, false
	}
	return ones, true
}

func parseMAC(s string) (string, bool) {
	parts := strings.FieldsFunc(s, func(c rune) bool { return c == ':' || c == '-' || c == '.' })
	if len(parts) != 6 {
		return "", false
	}
	out := make([]string, 6)
	for k, p := range parts {
		v, err := strconv.ParseUint(p, 16, 8)
		if err != nil || len(p) > 2 {
			return "", false
		}
		out[k] = fmt.Sprintf("%02x", v)
	}
	return strings.Join(out, ":"), true
}

func prefixMask4(p int) (uint32, string) {
	var m uint32
	if p > 0 {
		m = ^uint32(0) << (32 - p)
	}
	return m, fmt.Sprintf("0x%08x", m)
}

// ifFlags renders the flags word and names of an interface.
func ifFlags(i *simIface) string {
	type fl struct {
		bit  int
		name string
	}
	var set []fl
	if i.Up {
		set = append(set, fl{0x1, "UP"})
	}
	if i.Kind != "loopback" {
		set = append(set, fl{0x2, "BROADCAST"})
	}
	if i.Kind == "loopback" {
		set = append(set, fl{0x8, "LOOPBACK"})
	}
	if i.Up {
		set = append(set, fl{0x40, "RUNNING"})
	}
	if hasString(i.Options, "promisc") {
		set = append(set, fl{0x100, "PROMISC"})
	}
	if i.Kind != "loopback" {
		set = append(set, fl{0x800, "SIMPLEX"})
	}
	set = append(set, fl{0x8000, "MULTICAST"})
	bits := 0
	names := make([]string, len(set))
	for k, f := range set {
		bits |= f.bit
		names[k] = f.name
	}
	return fmt.Sprintf("flags=%x<%s>", bits, strings.Join(names, ","))
}

// ifStatus renders `ifconfig IF [af]`. The first line has the MTU as its
// sixth word, which iocage reads.
func ifStatus(n *netState, i *simIface, af string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s metric 0 mtu %d\n", i.Name, ifFlags(i), i.MTU)
	all := af == ""
	if all && i.Descr != "" {
		fmt.Fprintf(&b, "\tdescription: %s\n", i.Descr)
	}
	if (all || af == "link" || af == "ether" || af == "lladdr") && i.Ether != "" {
		fmt.Fprintf(&b, "\tether %s\n", i.Ether)
	}
	if all || af == "inet" {
		for _, a := range i.Inet {
			m, hex := prefixMask4(a.Prefix)
			ip := netip.MustParseAddr(a.Addr).As4()
			v := uint32(ip[0])<<24 | uint32(ip[1])<<16 | uint32(ip[2])<<8 | uint32(ip[3])
			bc := v | ^m
			if i.Kind == "loopback" {
				fmt.Fprintf(&b, "\tinet %s netmask %s\n", a.Addr, hex)
			} else {
				fmt.Fprintf(&b, "\tinet %s netmask %s broadcast %d.%d.%d.%d\n", a.Addr, hex, bc>>24, (bc>>16)&0xff, (bc>>8)&0xff, bc&0xff)
			}
		}
	}
	if all || af == "inet6" {
		for _, a := range i.Inet6 {
			fmt.Fprintf(&b, "\tinet6 %s prefixlen %d\n", a.Addr, a.Prefix)
		}
	}
	if !all {
		return b.String()
	}
	if i.Kind == "bridge" {
		fmt.Fprintf(&b, "\tid %s priority 32768 hellotime 2 fwddelay 15\n", i.Ether)
		fmt.Fprintf(&b, "\tmaxage 20 holdcnt 6 proto rstp maxaddr 2000 timeout 1200\n")
		for k, m := range i.Members {
			port := k + 1
			if mi := n.find(i.Jail, m); mi != nil {
				port = mi.Index
			}
			fmt.Fprintf(&b, "\tmember: %s flags=143<LEARNING,DISCOVER,AUTOEDGE,AUTOPTP>\n", m)
			fmt.Fprintf(&b, "\t        port %d priority 128 path cost 2000\n", port)
		}
	}
	if gs := ifGroups(i); len(gs) > 0 {
		fmt.Fprintf(&b, "\tgroups: %s\n", strings.Join(gs, " "))
	}
	switch i.Kind {
	case "ether", "epair", "tap":
		fmt.Fprintf(&b, "\tmedia: Ethernet 10Gbase-T (10Gbase-T <full-duplex>)\n")
		status := "active"
		if !i.Up {
			status = "no carrier"
		}
		fmt.Fprintf(&b, "\tstatus: %s\n", status)
	case "bridge":
		fmt.Fprintf(&b, "\tmedia: <unknown type>\n")
	}
	if i.Kind != "bridge" {
		fmt.Fprintf(&b, "\tnd6 options=29<PERFORMNUD,IFDISABLED,AUTO_LINKLOCAL>\n")
	}
	return b.String()
}
