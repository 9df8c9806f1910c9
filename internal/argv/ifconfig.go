package argv

import "strings"

// IfconfigAll is `ifconfig`: every interface with its addresses.
func IfconfigAll() Cmd { return cmd("ifconfig") }

// Ifconfig is `ifconfig IF [ARGS...]`: one interface shown, or changed
// by ARGS as ifconfig(8) reads them. The named builders below are the
// changes jcage makes.
func Ifconfig(iface string, args ...string) Cmd {
	return cmd("ifconfig", append([]string{iface}, args...)...)
}

// IfconfigInet is `ifconfig IF inet`: the IPv4 addresses of one interface.
func IfconfigInet(iface string) Cmd { return Ifconfig(iface, "inet") }

// IfconfigCreate is `ifconfig IF create [addm MEMBER]`: a cloned
// interface (a bridge) made, with a first member when member is set.
func IfconfigCreate(iface, member string) Cmd {
	if member != "" {
		return Ifconfig(iface, "create", "addm", member)
	}
	return Ifconfig(iface, "create")
}

// EpairCreate is `ifconfig epair create`, which prints the name of the
// pair's A end.
func EpairCreate() Cmd { return Ifconfig("epair", "create") }

// IfconfigRename is `ifconfig IF name NEW [mtu MTU]`.
func IfconfigRename(iface, name, mtu string) Cmd {
	if mtu != "" {
		return Ifconfig(iface, "name", name, "mtu", mtu)
	}
	return Ifconfig(iface, "name", name)
}

// IfconfigMTU is `ifconfig IF mtu MTU`.
func IfconfigMTU(iface, mtu string) Cmd { return Ifconfig(iface, "mtu", mtu) }

// IfconfigLink is `ifconfig IF link MAC`. A MAC of twelve bare hex
// digits (iocage's form) is written with colons, as ifconfig's link
// keyword reads it; both spell the same address.
func IfconfigLink(iface, mac string) Cmd { return Ifconfig(iface, "link", colonMAC(mac)) }

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

// IfconfigDescription is `ifconfig IF description TEXT`.
func IfconfigDescription(iface, text string) Cmd { return Ifconfig(iface, "description", text) }

// IfconfigAcceptRtadv is `ifconfig IF inet6 auto_linklocal accept_rtadv
// autoconf`: SLAAC on.
func IfconfigAcceptRtadv(iface string) Cmd {
	return Ifconfig(iface, "inet6", "auto_linklocal", "accept_rtadv", "autoconf")
}

// IfconfigVnet is `ifconfig IF vnet JAIL`: the interface moved into a
// jail.
func IfconfigVnet(iface, jail string) Cmd { return Ifconfig(iface, "vnet", jail) }

// IfconfigUnvnet is `ifconfig IF -vnet JAIL`: the interface taken back
// from a jail.
func IfconfigUnvnet(iface, jail string) Cmd { return Ifconfig(iface, "-vnet", jail) }

// IfconfigAddm is `ifconfig BRIDGE addm MEMBER [up]`.
func IfconfigAddm(bridge, member string, up bool) Cmd {
	if up {
		return Ifconfig(bridge, "addm", member, "up")
	}
	return Ifconfig(bridge, "addm", member)
}

// IfconfigInet4 is `ifconfig IF inet ADDR`: the interface's address set.
func IfconfigInet4(iface, addr string) Cmd { return Ifconfig(iface, "inet", addr) }

// IfconfigAlias is `ifconfig IF ADDR alias`: an IPv4 address added.
func IfconfigAlias(iface, addr string) Cmd { return Ifconfig(iface, addr, "alias") }

// IfconfigAddAlias is `ifconfig IF alias ADDR`, the same with the
// keyword first, as iocage writes it for lo0.
func IfconfigAddAlias(iface, addr string) Cmd { return Ifconfig(iface, "alias", addr) }

// IfconfigInet6Up is `ifconfig IF inet6 ADDR up`.
func IfconfigInet6Up(iface, addr string) Cmd { return Ifconfig(iface, "inet6", addr, "up") }

// IfconfigUp is `ifconfig IF up`.
func IfconfigUp(iface string) Cmd { return Ifconfig(iface, "up") }

// IfconfigDestroy is `ifconfig IF destroy`.
func IfconfigDestroy(iface string) Cmd { return Ifconfig(iface, "destroy") }

// IfconfigNoOffload is `ifconfig IF -tso4 -lro -vlanhwtso`: what ipfw's
// in-kernel NAT needs of the interface it translates on.
func IfconfigNoOffload(iface string) Cmd { return Ifconfig(iface, "-tso4", "-lro", "-vlanhwtso") }
