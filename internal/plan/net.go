package plan

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"net/netip"
	"strconv"
	"strings"

	"github.com/jcage/jcage/internal/argv"
)

// Net is the host's network as a jail's start sees it: the interfaces
// with their addresses, and the default routes of the jail's FIB.
type Net struct {
	Ifaces []Iface
	GW4    string // IPv4 default gateway; "" when there is none
	If4    string // its interface
	GW6    string
	If6    string
}

// Iface is one interface of `ifconfig`.
type Iface struct {
	Name  string
	Inet  []string
	Bcast []string // the broadcast of each Inet address, "" for none
	Inet6 []string
	MTU   string
}

// ParseIfconfig reads `ifconfig` output: one block per interface, the
// header line starting at column 0, address lines indented.
func ParseIfconfig(out string) []Iface {
	var ifs []Iface
	for _, line := range strings.Split(out, "\n") {
		if line == "" {
			continue
		}
		if line[0] != '\t' && line[0] != ' ' {
			name, rest, ok := strings.Cut(line, ": ")
			if !ok {
				continue
			}
			ifc := Iface{Name: name}
			f := strings.Fields(rest)
			for i := 0; i+1 < len(f); i++ {
				if f[i] == "mtu" {
					ifc.MTU = f[i+1]
				}
			}
			ifs = append(ifs, ifc)
			continue
		}
		if len(ifs) > 0 {
			ifs[len(ifs)-1].addAddress(strings.Fields(line))
		}
	}
	return ifs
}

// addAddress reads one indented line of an interface's block.
func (ifc *Iface) addAddress(f []string) {
	if len(f) < 2 {
		return
	}
	switch f[0] {
	case "inet":
		ifc.Inet = append(ifc.Inet, f[1])
		bcast := ""
		for i := 2; i+1 < len(f); i++ {
			if f[i] == "broadcast" {
				bcast = f[i+1]
			}
		}
		ifc.Bcast = append(ifc.Bcast, bcast)
	case "inet6":
		addr, _, _ := strings.Cut(f[1], "%")
		ifc.Inet6 = append(ifc.Inet6, addr)
	}
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

// NetCmds are the reads behind Net: the interfaces, then the IPv4 and
// IPv6 default routes (under setfib for a FIB other than 0). iocage asks
// netstat's libxo JSON for the default routes; jcage asks route(8), whose
// answer is the same gateway and interface.
func NetCmds() (ifaces, route4, route6 argv.Cmd) {
	return argv.IfconfigAll(), argv.RouteGetDefault(false), argv.RouteGetDefault(true)
}

// Has reports whether the host has an interface of that name.
func (n *Net) Has(name string) bool {
	for _, i := range n.Ifaces {
		if i.Name == name {
			return true
		}
	}
	return false
}

// DefaultIface is iocage's get_default_interface: the IPv4 default
// route's interface, else the IPv6 one.
func (n *Net) DefaultIface() (string, error) {
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
func (n *Net) CheckAliases(ips string, v6 bool) string {
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

// UnusedLoopback is iocage's gen_unused_lo_ip: the first 127.0.0.0/8
// address (after .0) that lo0 does not hold.
func (n *Net) UnusedLoopback() (string, error) {
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

// ExtAddr is the host's first IPv4 address on its default-route
// interface, with its broadcast: netifaces.ifaddresses(IF)[AF_INET][0],
// EXT_HOST and EXT_BCAST of a NAT jail's exec_prestart.
type ExtAddr struct{ Addr, Bcast string }

// ExtAddr finds the host's external address.
func (n *Net) ExtAddr() ExtAddr {
	for _, i := range n.Ifaces {
		if i.Name == n.If4 && len(i.Inet) > 0 {
			e := ExtAddr{Addr: i.Inet[0]}
			if len(i.Bcast) > 0 {
				e.Bcast = i.Bcast[0]
			}
			return e
		}
	}
	return ExtAddr{}
}

// NIC is one `nic:bridge` pair of the interfaces property.
type NIC struct {
	Nic, Bridge string
}

// JailNic is the name the NIC has inside the jail: vnetN becomes epairNb.
func (v NIC) JailNic() string { return JailNic(v.Nic) }

// JailNic is the name an interface of ip4_addr or ip6_addr has inside a
// vnet jail: vnetN becomes epairNb, anything else keeps its name.
func JailNic(nic string) string {
	if strings.Contains(nic, "vnet") {
		return strings.Replace(nic, "vnet", "epair", 1) + "b"
	}
	return nic
}

// HostNic is the host end of the NIC once the jail runs: vnetN.JID.
func (v NIC) HostNic(jid int) string { return v.Nic + "." + strconv.Itoa(jid) }

// ParseInterfaces reads the interfaces property.
func ParseInterfaces(s string) []NIC {
	var out []NIC
	for _, def := range strings.Split(s, ",") {
		nic, bridge, _ := strings.Cut(strings.TrimSpace(def), ":")
		if nic == "" {
			continue
		}
		out = append(out, NIC{Nic: nic, Bridge: bridge})
	}
	return out
}

// SplitAddr splits "iface|addr" ("vnet0" when no interface is given, as
// iocage assumes for vnet jails).
func SplitAddr(a string) (iface, addr string) {
	if i, ip, ok := strings.Cut(a, "|"); ok {
		return i, ip
	}
	return "vnet0", a
}

// GenerateMAC is iocage's MAC pair for a NIC: mac_prefix followed by the
// start of md5(NAME_ + nic), and the same plus one for the jail side.
func GenerateMAC(name, nic, prefix string) (a, b string) {
	sum := md5.Sum([]byte(Underscored(name) + nic))
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

// ParseDHCPAddress reads `ifconfig IF inet` output as iocage does: the
// third line is "inet ADDR netmask 0xHEX ...", returned as ADDR/CIDR.
func ParseDHCPAddress(out string) (string, error) {
	lines := strings.Split(out, "\n")
	if len(lines) < 3 {
		return "", errors.New("no inet line")
	}
	f := strings.Fields(lines[2])
	if len(f) < 4 || f[0] != "inet" {
		return "", errors.New("no inet line")
	}
	mask, err := strconv.ParseUint(strings.TrimPrefix(f[3], "0x"), 16, 32)
	if err != nil {
		return "", err
	}
	bits := 0
	for m := mask; m != 0; m &= m - 1 {
		bits++
	}
	return fmt.Sprintf("%s/%d", f[1], bits), nil
}

// broadcast returns the broadcast address of an IPv4 prefix.
func broadcast(s string) (string, error) {
	a, bits, ok := strings.Cut(s, "/")
	if !ok {
		return "", errors.New("no prefix")
	}
	n, err := strconv.Atoi(bits)
	if err != nil {
		return "", err
	}
	parts := strings.Split(a, ".")
	if len(parts) != 4 {
		return "", errors.New("not IPv4")
	}
	var v uint32
	for _, p := range parts {
		x, err := strconv.Atoi(p)
		if err != nil {
			return "", err
		}
		v = v<<8 | uint32(x)
	}
	v |= ^uint32(0) >> n
	return fmt.Sprintf("%d.%d.%d.%d", v>>24, v>>16&0xff, v>>8&0xff, v&0xff), nil
}
