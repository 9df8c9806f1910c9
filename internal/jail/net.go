package jail

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"math/big"
	"net/netip"
	"strconv"
	"strings"

	"github.com/jcage/jcage/internal/host"
)

// hostNet is what a start needs to know about the host's network: its
// interfaces with their addresses, and the default routes.
type hostNet struct {
	Ifaces []hostIface
	GW4    string // IPv4 default gateway; "" when there is none
	If4    string // its interface
	GW6    string
	If6    string
}

type hostIface struct {
	Name  string
	Inet  []string
	Bcast []string // the broadcast of each Inet address, "" for none
	Inet6 []string
	MTU   string
}

// ParseIfconfig reads `ifconfig` output: one block per interface, the
// header line starting at column 0, address lines indented.
func ParseIfconfig(out string) []hostIface {
	var ifs []hostIface
	for _, line := range strings.Split(out, "\n") {
		if line == "" {
			continue
		}
		if line[0] != '\t' && line[0] != ' ' {
			name, rest, ok := strings.Cut(line, ": ")
			if !ok {
				continue
			}
			ifc := hostIface{Name: name}
			f := strings.Fields(rest)
			for i := 0; i+1 < len(f); i++ {
				if f[i] == "mtu" {
					ifc.MTU = f[i+1]
				}
			}
			ifs = append(ifs, ifc)
			continue
		}
		if len(ifs) == 0 {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		cur := &ifs[len(ifs)-1]
		switch f[0] {
		case "inet":
			cur.Inet = append(cur.Inet, f[1])
			bcast := ""
			for i := 2; i+1 < len(f); i++ {
				if f[i] == "broadcast" {
					bcast = f[i+1]
				}
			}
			cur.Bcast = append(cur.Bcast, bcast)
		case "inet6":
			addr, _, _ := strings.Cut(f[1], "%")
			cur.Inet6 = append(cur.Inet6, addr)
		}
	}
	return ifs
}

// ParseRouteGet reads the gateway and interface of `route -n get default`.
func ParseRouteGet(out string) (gw, iface string) {
	for _, line := range strings.Split(out, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		switch strings.TrimSpace(k) {
		case "gateway":
			gw = strings.TrimSpace(v)
		case "interface":
			iface = strings.TrimSpace(v)
		}
	}
	return gw, iface
}

// HostNetCmds are the reads behind hostNet. iocage asks netstat's libxo
// JSON for the default routes; jcage asks route(8), whose answer is the
// same gateway and interface.
var HostNetCmds = []host.Cmd{
	{Name: "ifconfig"},
	{Name: "route", Args: []string{"-n", "get", "default"}},
	{Name: "route", Args: []string{"-n", "get", "-inet6", "default"}},
}

func (n *hostNet) has(name string) bool {
	for _, i := range n.Ifaces {
		if i.Name == name {
			return true
		}
	}
	return false
}

// defaultIface is iocage's get_default_interface: the IPv4 default route's
// interface, else the IPv6 one.
func (n *hostNet) defaultIface() (string, error) {
	switch {
	case n.If4 != "":
		return n.If4, nil
	case n.If6 != "":
		return n.If6, nil
	}
	return "", fmt.Errorf("No default interface found")
}

// aliasSkip are interfaces whose addresses never count as the host's own.
var aliasSkip = []string{"vnet", "bridge", "epair", "pflog"}

// CheckAliases is iocage's alias fix-up for a non-vnet jail: an address
// without "iface|" that no host interface holds yet gets the default
// route's interface, so that jail(8) adds and removes the alias itself.
// Without a default route the list is left as it is.
func (n *hostNet) CheckAliases(ips string, v6 bool) string {
	def := n.If4
	if v6 {
		def = n.If6
	}
	if def == "" {
		return ips
	}
	current := map[string]bool{}
	for _, i := range n.Ifaces {
		skip := false
		for _, p := range aliasSkip {
			if strings.HasPrefix(i.Name, p) {
				skip = true
			}
		}
		if skip {
			continue
		}
		addrs := i.Inet
		if v6 {
			addrs = i.Inet6
		}
		for _, a := range addrs {
			current[a] = true
		}
	}
	items := strings.Split(ips, ",")
	for k, ip := range items {
		if !strings.Contains(ip, "|") && !current[ip] {
			items[k] = def + "|" + ip
		}
	}
	return strings.Join(items, ",")
}

// unusedLoopback is iocage's gen_unused_lo_ip: the first 127.0.0.0/8
// address (after .0) that lo0 does not hold.
func (n *hostNet) unusedLoopback() (string, error) {
	used := map[string]bool{}
	for _, i := range n.Ifaces {
		if i.Name == "lo0" {
			for _, a := range i.Inet {
				used[a] = true
			}
		}
	}
	a := netip.MustParseAddr("127.0.0.1")
	for ; a.Is4() && a.As4()[0] == 127; a = a.Next() {
		if !used[a.String()] {
			return a.String(), nil
		}
	}
	return "", fmt.Errorf("An unused RFC5735 compliant localhost address could not be allocated. If you wish to use a non-RFC5735 compliant address, please manually set the localhost_ip property.")
}

// vnetNic is one `nic:bridge` pair of the interfaces property.
type vnetNic struct {
	Nic, Bridge string
}

// JailNic is the name the NIC has inside the jail: vnetN becomes epairNb.
func (v vnetNic) JailNic() string { return jailNic(v.Nic) }

func jailNic(nic string) string {
	if strings.Contains(nic, "vnet") {
		return strings.Replace(nic, "vnet", "epair", 1) + "b"
	}
	return nic
}

// HostNic is the host end of the NIC once the jail runs: vnetN.JID.
func (v vnetNic) HostNic(jid int) string { return v.Nic + "." + strconv.Itoa(jid) }

func parseInterfaces(s string) []vnetNic {
	var out []vnetNic
	for _, def := range strings.Split(s, ",") {
		nic, bridge, _ := strings.Cut(strings.TrimSpace(def), ":")
		if nic == "" {
			continue
		}
		out = append(out, vnetNic{Nic: nic, Bridge: bridge})
	}
	return out
}

// splitAddr splits "iface|addr" ("vnet0" when no interface is given, as
// iocage assumes for vnet jails).
func splitAddr(a string) (iface, addr string) {
	if i, ip, ok := strings.Cut(a, "|"); ok {
		return i, ip
	}
	return "vnet0", a
}

// GenerateMAC is iocage's MAC pair for a NIC: mac_prefix followed by the
// start of md5(NAME_ + nic), and the same plus one for the jail side.
func GenerateMAC(name, nic, prefix string) (a, b string) {
	sum := md5.Sum([]byte(underscored(name) + nic))
	hexs := hex.EncodeToString(sum[:])
	n := 12 - len(prefix)
	if n < 0 {
		n = 0
	}
	a = prefix + hexs[:n]
	v, ok := new(big.Int).SetString(a, 16)
	if !ok {
		return a, a
	}
	b = fmt.Sprintf("%012x", v.Add(v, big.NewInt(1)))
	return a, b
}

// colonMAC writes a 12-digit MAC with colons for ifconfig's link keyword.
// iocage hands ifconfig the bare digits; both spell the same address.
func colonMAC(m string) string {
	if len(m) != 12 || strings.Contains(m, ":") {
		return m
	}
	parts := make([]string, 6)
	for i := range parts {
		parts[i] = m[2*i : 2*i+2]
	}
	return strings.Join(parts, ":")
}

// VnetIfaceSpec is one NIC of a vnet jail as the start wires it.
type VnetIfaceSpec struct {
	Name      string // NAME
	JID       int
	Fib       string
	Nic       vnetNic
	EpairA    string // the host end `ifconfig epair create` made
	MTU       string
	MacA      string
	MacB      string
	DefaultIf string // vnet_default_interface resolved; "none" for none
	NATAddr   string // the host side address of a NAT jail; "" without NAT
	RtAdv     bool   // accept_rtadv in ip6_addr
}

// VnetIfaceCmds are iocage's commands that wire a NIC once its epair
// exists: name, MTU, MACs and description on the host end, the other end
// into the jail, and the host end onto its bridge (or, with NAT, the
// gateway address). The bridge membership of the default interface may
// fail harmlessly; its index is returned so the caller can ignore that
// failure.
func VnetIfaceCmds(s VnetIfaceSpec) (cmds []host.Cmd, optional int) {
	hostNic := s.Nic.HostNic(s.JID)
	epairB := strings.TrimSuffix(s.EpairA, "a") + "b"
	jnic := s.Nic.JailNic()
	ifc := func(args ...string) host.Cmd { return host.Cmd{Name: "ifconfig", Args: args} }
	cmds = []host.Cmd{
		ifc(s.EpairA, "name", hostNic, "mtu", s.MTU),
		ifc(hostNic, "link", colonMAC(s.MacA)),
		ifc(hostNic, "description", fmt.Sprintf("associated with jail: %s as nic: %s", underscored(s.Name), jnic)),
	}
	if s.RtAdv {
		cmds = append(cmds, ifc(hostNic, "inet6", "auto_linklocal", "accept_rtadv", "autoconf"))
	}
	cmds = append(cmds,
		ifc(epairB, "vnet", JailName(s.Name)),
		host.Cmd{Name: "jexec", Args: []string{JailName(s.Name), "ifconfig", epairB, "mtu", s.MTU}},
	)
	if epairB != jnic {
		cmds = append(cmds, JexecCmd(s.Fib, s.Name, "ifconfig", epairB, "name", jnic))
	}
	cmds = append(cmds, JexecCmd(s.Fib, s.Name, "ifconfig", jnic, "link", colonMAC(s.MacB)))
	optional = -1
	// ioc_start.py start_network_vnet_iface: a NIC whose bridge is none
	// joins no bridge.
	if s.NATAddr == "" && s.Nic.Bridge != "none" {
		if s.DefaultIf != "none" && s.DefaultIf != "" {
			optional = len(cmds)
			cmds = append(cmds, ifc(s.Nic.Bridge, "addm", s.DefaultIf))
		}
		cmds = append(cmds, ifc(s.Nic.Bridge, "addm", hostNic, "up"))
	} else if s.NATAddr != "" {
		cmds = append(cmds, ifc(hostNic, "inet", s.NATAddr+"/30"))
	}
	cmds = append(cmds, ifc(hostNic, "up"))
	return cmds, optional
}

// VnetAddrCmd assigns one address inside a vnet jail: IPv4 as an alias,
// IPv6 brought up.
func VnetAddrCmd(fib, name, iface, addr string, v6 bool) host.Cmd {
	nic := jailNic(iface)
	if v6 {
		return JexecCmd(fib, name, "ifconfig", nic, "inet6", addr, "up")
	}
	return JexecCmd(fib, name, "ifconfig", nic, addr, "alias")
}

// DefaultRouteCmd adds a vnet jail's default route.
func DefaultRouteCmd(fib, name, gw string, v6 bool) host.Cmd {
	args := []string{"route", "add"}
	if v6 {
		args = append(args, "-6")
	}
	return JexecCmd(fib, name, append(args, "default", gw)...)
}

// natForward is one nat_forwards rule: proto(port) or proto(jail:host).
type natForward struct {
	Proto, Port, Map string
}

func parseNATForwards(s string) []natForward {
	if s == "" || s == "none" {
		return nil
	}
	var out []natForward
	for _, f := range strings.Split(s, ",") {
		proto, port, _ := strings.Cut(f, "(")
		port = strings.Trim(port, "()")
		m := port
		if i := strings.LastIndexByte(port, ':'); i >= 0 {
			port, m = port[:i], port[i+1:]
		}
		out = append(out, natForward{Proto: proto, Port: port, Map: m})
	}
	return out
}

// natHostPorts are the host ports a nat_forwards value claims (the last
// number of each rule, as iocage compares them).
func natHostPorts(s string) []int {
	var out []int
	for _, f := range parseNATForwards(s) {
		m := f.Map
		if i := strings.LastIndexAny(m, "-"); i >= 0 {
			m = m[i+1:]
		}
		if n, err := strconv.Atoi(m); err == nil {
			out = append(out, n)
		}
	}
	return out
}

// natAddr is the jail's address behind NAT: the part of ip4_addr after
// "iface|" and before the mask.
func natAddr(ip4 string) string {
	_, a, _ := strings.Cut(ip4, "|")
	a, _, _ = strings.Cut(a, "/")
	return a
}

func natNetwork(addr string) string {
	a, err := netip.ParseAddr(addr)
	if err != nil || !a.Is4() {
		return addr + "/24"
	}
	p, _ := a.Prefix(24)
	return p.String()
}

// NATPFRules is iocage's /tmp/iocage_nat_pf.conf after adding a jail:
// the nat rule, the rdr rules of other jails kept from existing, then the
// jail's own forwards.
func NATPFRules(existing, iface, ip4, forwards string) string {
	addr := natAddr(ip4)
	rules := []string{fmt.Sprintf("nat on %s from %s to any -> (%s:0) static-port", iface, natNetwork(addr), iface)}
	for _, line := range strings.Split(existing, "\n") {
		line = strings.TrimRight(line, " \t\r")
		if strings.HasPrefix(line, "rdr") && !strings.Contains(line, addr) {
			rules = append(rules, line)
		}
	}
	for _, f := range parseNATForwards(forwards) {
		// pf writes port ranges with a colon.
		port := strings.ReplaceAll(f.Port, "-", ":")
		m := strings.ReplaceAll(f.Map, "-", ":")
		rules = append(rules, fmt.Sprintf("rdr pass on %s inet proto %s from any to (%s:0) port %s -> %s port %s",
			iface, f.Proto, iface, m, addr, port))
	}
	return strings.Join(rules, "\n") + "\n"
}

// NATIPFWRules is iocage's /tmp/iocage_nat_ipfw.conf after adding a jail:
// a flush, the nat 462 configuration with every jail's redirects, and the
// two rules that divert traffic through it.
func NATIPFWRules(existing, iface, ip4, forwards string) string {
	addr := natAddr(ip4)
	natRule := fmt.Sprintf("ipfw -q nat 462 config if %s same_ports", iface)
	var rdrs string
	for _, f := range parseNATForwards(forwards) {
		rdrs += fmt.Sprintf(" redirect_port %s %s:%s %s", f.Proto, addr, f.Port, f.Map)
	}
	rules := []string{
		"ipfw -q flush",
		fmt.Sprintf("ipfw -q add 100 nat 462 ip4 from %s to any out via %s", natNetwork(addr), iface),
		fmt.Sprintf("ipfw -q add 101 nat 462 ip4 from any to any in via %s", iface),
	}
	base := append([]string(nil), rules...)
	inserted := false
	for _, line := range strings.Split(existing, "\n") {
		line = strings.TrimRight(line, " \t\r")
		if containsString(base, line) || !strings.Contains(line, natRule) {
			continue
		}
		final := natRule
		for _, part := range strings.Split(line, "redirect_port ") {
			part = strings.TrimSpace(part)
			if part == "" || strings.Contains(part, "nat") || strings.Contains(part, addr) {
				continue
			}
			final += " redirect_port " + part
		}
		rules = append(rules[:1], append([]string{final + rdrs}, rules[1:]...)...)
		inserted = true
	}
	if !inserted {
		rules = append(rules[:1], append([]string{natRule + rdrs}, rules[1:]...)...)
	}
	return strings.Join(rules, "\n") + "\n"
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// NATPair is iocage's gen_nat_ip: the first /30 of PREFIX.i.j whose two
// host addresses are both unused.
func NATPair(prefix string, used map[string]bool) (host1, host2 string, err error) {
	for i := 0; i < 256; i++ {
		for j := 1; j < 256; j += 4 {
			a := fmt.Sprintf("%s.%d.%d", prefix, i, j)
			b := fmt.Sprintf("%s.%d.%d", prefix, i, j+1)
			if !used[a] && !used[b] {
				return a, b, nil
			}
		}
	}
	return "", "", fmt.Errorf("An unused RFC1918 compliant address could not be allocated. Please set an unused nat_prefix.")
}
