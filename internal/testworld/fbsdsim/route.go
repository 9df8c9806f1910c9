package fbsdsim

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

func init() { register("route", routeTool) }

// simRoute is one entry of a routing table.
type simRoute struct {
	FIB     int
	Family  int    // 4 or 6
	Dest    string // "default" or a prefix (10.1.0.0/16) or host address
	Host    bool   `json:",omitempty"`
	Gateway string
	Iface   string `json:",omitempty"`
	Jail    int    `json:",omitempty"` // vnet the table belongs to; 0 = host
}

func filterRoutes(rs []simRoute, keep func(simRoute) bool) []simRoute {
	out := rs[:0]
	for _, r := range rs {
		if keep(r) {
			out = append(out, r)
		}
	}
	return out
}

var routeUsage = []string{"usage: route [-46dnqtv] command [[modifiers] args]"}

// routeTool simulates route(8) on the host's routing tables: add, change,
// delete, get/show and flush of IPv4 and IPv6 routes, per FIB. Success and
// most failures are reported on stdout, as route(8) does.
func routeTool(e *Env) int {
	opts, rest, msg := bsdGetopt(e.Args, "46dnqtv")
	if msg != "" {
		return e.usageError(64, msg, routeUsage...)
	}
	family, quiet := 0, false
	for _, o := range opts {
		switch o.Flag {
		case '4':
			family = 4
		case '6':
			family = 6
		case 'q':
			quiet = true
		}
	}
	if len(rest) == 0 {
		return e.Usage(64, routeUsage...)
	}
	cmd, words := rest[0], rest[1:]
	switch cmd {
	case "add", "change", "delete", "get", "show", "flush", "monitor":
	default:
		e.Errorf(0, "botched keyword: %s", cmd)
		return e.Usage(64, routeUsage...)
	}
	fibs := []int{0}
	if f := e.Setting("FIB"); f != "" {
		n, err := strconv.Atoi(f)
		if err != nil {
			return e.Errorf(70, "simulator setting JCAGE_SIM_FIB: not a number: %q", f)
		}
		fibs = []int{n}
	}
	forceHost, forceNet := false, false
	var pos []string
	var netmask string
	for k := 0; k < len(words); k++ {
		w := words[k]
		if !strings.HasPrefix(w, "-") || len(w) < 2 {
			pos = append(pos, w)
			continue
		}
		kw := w[1:]
		needArg := func() (string, bool) {
			if k+1 >= len(words) {
				e.Errorf(0, "botched keyword: %s", w)
				e.Usage(64, routeUsage...)
				return "", false
			}
			k++
			return words[k], true
		}
		switch kw {
		case "net":
			forceNet = true
		case "host":
			forceHost = true
		case "inet", "4":
			family = 4
		case "inet6", "6":
			family = 6
		case "link", "iface", "interface", "static", "nostatic", "reject", "blackhole", "proto1", "proto2",
			"proto3", "xresolve", "llinfo", "lock", "lockrest", "nocloning", "cloning":
		case "fib":
			v, ok := needArg()
			if !ok {
				return 64
			}
			fibs = nil
			for _, s := range strings.Split(v, ",") {
				n, err := strconv.Atoi(s)
				if err != nil || n < 0 {
					return e.Errorf(64, "%s: invalid fib number", s)
				}
				fibs = append(fibs, n)
			}
		case "netmask", "prefixlen":
			v, ok := needArg()
			if !ok {
				return 64
			}
			netmask = v
			if kw == "prefixlen" {
				netmask = "/" + v
			}
		case "mtu", "hopcount", "expire", "recvpipe", "sendpipe", "ssthresh", "rtt", "rttvar", "weight",
			"ifp", "ifa", "gateway", "dst", "genmask", "label":
			if _, ok := needArg(); !ok {
				return 64
			}
		default:
			e.Errorf(0, "botched keyword: %s", w)
			return e.Usage(64, routeUsage...)
		}
	}
	for _, f := range fibs {
		if f >= e.hostFIBs() {
			return e.Errorf(1, "fib %d: Invalid argument", f)
		}
	}
	if cmd == "monitor" {
		// Nothing ever changes behind the simulator's back.
		return 0
	}
	if cmd == "flush" {
		if len(pos) > 0 {
			return e.Usage(64, routeUsage...)
		}
		if e.simUnprivileged() {
			return e.Errorf(1, "writing to routing socket: Operation not permitted")
		}
		return e.routeFlush(family, fibs, quiet)
	}
	if len(pos) == 0 {
		return e.Usage(64, routeUsage...)
	}
	dest := pos[0]
	gw := ""
	if len(pos) > 1 {
		gw = pos[1]
	}
	if len(pos) > 2 {
		netmask = pos[2]
	}
	if len(pos) > 3 {
		return e.Usage(64, routeUsage...)
	}
	d, fam, msg := parseRouteDest(dest, netmask, family, forceHost, forceNet)
	if msg != "" {
		return e.Errorf(1, "%s", msg)
	}
	if gw != "" {
		if _, msg := parseGateway(gw, fam); msg != "" {
			return e.Errorf(1, "%s", msg)
		}
	}
	if cmd == "get" || cmd == "show" {
		return e.routeGet(d, fam, fibs[0])
	}
	if e.simUnprivileged() {
		return e.Errorf(1, "writing to routing socket: Operation not permitted")
	}
	if (cmd == "add" || cmd == "change") && gw == "" {
		return e.Usage(64, routeUsage...)
	}
	code := 0
	err := e.editWorld(func(w *simWorld) bool {
		changed := false
		for _, fib := range fibs {
			kind := "net"
			if d.Host {
				kind = "host"
			}
			label := fmt.Sprintf("%s %s %s", cmd, kind, shownDest(d.Dest))
			fibNote := ""
			if e.hostFIBs() > 1 {
				fibNote = fmt.Sprintf(" fib %d", fib)
			}
			idx := -1
			for k, r := range w.net().Routes {
				if r.FIB == fib && r.Family == fam && r.Dest == d.Dest && r.Jail == e.Scope {
					idx = k
				}
			}
			fail := func(reason string) {
				if !quiet {
					if gw != "" {
						fmt.Fprintf(e.Stdout, "%s: gateway %s fib %d: %s\n", label, gw, fib, reason)
					} else {
						fmt.Fprintf(e.Stdout, "%s fib %d: %s\n", label, fib, reason)
					}
				}
				code = 1
			}
			switch cmd {
			case "add", "change":
				if cmd == "add" && idx >= 0 {
					fail("route already in table")
					continue
				}
				if cmd == "change" && idx < 0 {
					fail("not in table")
					continue
				}
				iface, ok := w.net().routeIface(e.Scope, gw, fam)
				if !ok {
					fail("Network is unreachable")
					continue
				}
				r := simRoute{FIB: fib, Family: fam, Dest: d.Dest, Host: d.Host, Gateway: gw, Iface: iface, Jail: e.Scope}
				if idx >= 0 {
					w.net().Routes[idx] = r
				} else {
					w.net().Routes = append(w.net().Routes, r)
				}
				changed = true
				if !quiet {
					fmt.Fprintf(e.Stdout, "%s: gateway %s%s\n", label, gw, fibNote)
				}
			case "delete":
				if idx < 0 || (gw != "" && w.net().Routes[idx].Gateway != gw) {
					e.Errorf(0, "route has not been found")
					fail("not in table")
					continue
				}
				w.net().Routes = append(w.net().Routes[:idx], w.net().Routes[idx+1:]...)
				changed = true
				if !quiet {
					if gw != "" {
						fmt.Fprintf(e.Stdout, "%s: gateway %s%s\n", label, gw, fibNote)
					} else {
						fmt.Fprintf(e.Stdout, "%s%s\n", label, fibNote)
					}
				}
			}
		}
		return changed
	})
	if err != nil {
		return e.stateError(err)
	}
	return code
}

type routeDest struct {
	Dest string
	Host bool
}

func shownDest(d string) string {
	if i := strings.IndexByte(d, '/'); i >= 0 {
		return d[:i]
	}
	return d
}

// parseRouteDest normalises a destination: "default", a host address, or
// a network with a mask given as /len, -netmask or a third word.
func parseRouteDest(dest, netmask string, family int, forceHost, forceNet bool) (routeDest, int, string) {
	if dest == "default" {
		if family == 0 {
			family = 4
		}
		return routeDest{Dest: "default"}, family, ""
	}
	s, plen := dest, -1
	if i := strings.IndexByte(s, '/'); i >= 0 {
		p, err := strconv.Atoi(s[i+1:])
		if err != nil {
			return routeDest{}, 0, "bad address: " + dest
		}
		s, plen = s[:i], p
	}
	if i := strings.IndexByte(s, '%'); i >= 0 {
		s = s[:i]
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return routeDest{}, 0, "bad address: " + dest
	}
	fam := 4
	if a.Is6() {
		fam = 6
	}
	if family != 0 && family != fam {
		return routeDest{}, 0, "bad address: " + dest
	}
	if netmask != "" {
		if strings.HasPrefix(netmask, "/") {
			p, err := strconv.Atoi(netmask[1:])
			if err != nil {
				return routeDest{}, 0, "bad address: " + netmask
			}
			plen = p
		} else if p, ok := parseNetmask(netmask); ok && fam == 4 {
			plen = p
		} else {
			return routeDest{}, 0, "bad address: " + netmask
		}
	}
	bits := 32
	if fam == 6 {
		bits = 128
	}
	if plen > bits {
		return routeDest{}, 0, "bad address: " + dest
	}
	if forceHost || (plen < 0 && !forceNet) || plen == bits {
		return routeDest{Dest: a.String(), Host: true}, fam, ""
	}
	if plen < 0 {
		plen = classfulPrefix(a)
		if fam == 6 {
			plen = 64
		}
	}
	p := netip.PrefixFrom(a, plen).Masked()
	return routeDest{Dest: p.String()}, fam, ""
}

func parseGateway(gw string, fam int) (netip.Addr, string) {
	s := gw
	if i := strings.IndexByte(s, '%'); i >= 0 {
		s = s[:i]
	}
	a, err := netip.ParseAddr(s)
	if err != nil || (fam == 4) != a.Is4() {
		return netip.Addr{}, "bad address: " + gw
	}
	return a, ""
}

// routeIface picks the host interface a gateway is reached through: the
// one whose subnet holds it, or the one a link-local %scope names.
func (n *netState) routeIface(scope int, gw string, fam int) (string, bool) {
	if i := strings.IndexByte(gw, '%'); i >= 0 {
		if n.find(scope, gw[i+1:]) != nil {
			return gw[i+1:], true
		}
		return "", false
	}
	a, _ := netip.ParseAddr(gw)
	for _, i := range n.inScope(scope) {
		list := i.Inet
		if fam == 6 {
			list = i.Inet6
		}
		for _, ad := range list {
			p := netip.PrefixFrom(netip.MustParseAddr(ad.Addr), ad.Prefix)
			if p.Contains(a) {
				return i.Name, true
			}
		}
	}
	return "", false
}

func (e *Env) routeGet(d routeDest, fam, fib int) int {
	var found *simRoute
	err := e.viewWorld(func(w *simWorld) {
		for k, r := range w.net().Routes {
			if r.FIB == fib && r.Family == fam && r.Dest == d.Dest && r.Jail == e.Scope {
				found = &w.net().Routes[k]
			}
		}
		if found == nil && d.Host {
			// Fall back to the default route, as a lookup would.
			for k, r := range w.net().Routes {
				if r.FIB == fib && r.Family == fam && r.Dest == "default" && r.Jail == e.Scope {
					found = &w.net().Routes[k]
				}
			}
		}
	})
	if err != nil {
		return e.stateError(err)
	}
	if found == nil {
		return e.Errorf(1, "route has not been found")
	}
	dest, mask := found.Dest, "default"
	if dest != "default" {
		if p, err := netip.ParsePrefix(dest); err == nil {
			dest = p.Addr().String()
			if fam == 4 {
				_, hex := prefixMask4(p.Bits())
				v, _ := strconv.ParseUint(hex[2:], 16, 32)
				mask = fmt.Sprintf("%d.%d.%d.%d", v>>24, (v>>16)&0xff, (v>>8)&0xff, v&0xff)
			} else {
				mask = strconv.Itoa(p.Bits())
			}
		} else {
			mask = ""
		}
	}
	fmt.Fprintf(e.Stdout, "   route to: %s\n", shownDest(d.Dest))
	fmt.Fprintf(e.Stdout, "destination: %s\n", dest)
	if mask != "" {
		fmt.Fprintf(e.Stdout, "       mask: %s\n", mask)
	}
	fmt.Fprintf(e.Stdout, "    gateway: %s\n", found.Gateway)
	fmt.Fprintf(e.Stdout, "        fib: %d\n", found.FIB)
	fmt.Fprintf(e.Stdout, "  interface: %s\n", found.Iface)
	fmt.Fprintf(e.Stdout, "      flags: <UP,GATEWAY,DONE,STATIC>\n")
	fmt.Fprintf(e.Stdout, " recvpipe  sendpipe  ssthresh  rtt,msec    mtu        weight    expire\n")
	fmt.Fprintf(e.Stdout, "       0         0         0         0      1500         1         0 \n")
	return 0
}

func (e *Env) routeFlush(family int, fibs []int, quiet bool) int {
	err := e.editWorld(func(w *simWorld) bool {
		inFib := map[int]bool{}
		for _, f := range fibs {
			inFib[f] = true
		}
		w.net().Routes = filterRoutes(w.net().Routes, func(r simRoute) bool {
			if r.Jail != e.Scope || !inFib[r.FIB] || (family != 0 && r.Family != family) {
				return true
			}
			if !quiet {
				fmt.Fprintf(e.Stdout, "%-20.20s %-20.20s done\n", shownDest(r.Dest), r.Gateway)
			}
			return false
		})
		return true
	})
	if err != nil {
		return e.stateError(err)
	}
	return 0
}
