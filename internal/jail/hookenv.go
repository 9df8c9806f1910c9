package jail

import (
	"strconv"
	"strings"
)

// The environment iocage gives a jail's host-side hooks. Only the
// variables iocage documents are built here; what the hook inherits
// besides them is the runner's business.

// PrestartEnv is what exec_prestart is told about a NAT jail, as
// ioc_start.py __start_jail__ (freebsd/iocage) builds pre_start_env:
// INTERNAL_DEFAULT_ROUTER (the jail's gateway: the NAT gateway of a vnet
// jail, the defaultrouter property otherwise), INTERNAL_IP (the first
// address of ip4_addr, without interface and mask), INTERNAL_BROADCAST_IP
// (the broadcast of the vnet jail's /30, the address itself otherwise),
// and EXT_HOST and EXT_BCAST (the first IPv4 address of the host's
// default-route interface and its broadcast) when the host has them.
// Jails without NAT get none of these; callers pass nothing then.
func PrestartEnv(vnet bool, defaultRouter, ip4 string, ext extAddr) []string {
	first, _, _ := strings.Cut(ip4, ",")
	if i := strings.LastIndexByte(first, '|'); i >= 0 {
		first = first[i+1:]
	}
	internal, _, _ := strings.Cut(first, "/")
	env := []string{"INTERNAL_DEFAULT_ROUTER=" + defaultRouter, "INTERNAL_IP=" + internal}
	if ext.Addr != "" && ext.Bcast != "" {
		env = append(env, "EXT_HOST="+ext.Addr, "EXT_BCAST="+ext.Bcast)
	}
	bcast := internal
	if vnet {
		if b, err := parsePrefix(internal + "/30"); err == nil {
			bcast = b
		}
	}
	return append(env, "INTERNAL_BROADCAST_IP="+bcast)
}

// PoststartEnv is what exec_poststart is told: the jail's JID and its
// jail(8) name, as the freebsd/iocage fork's __start_jail__ passes them
// to runscript.
func PoststartEnv(jid int, name string) []string {
	return []string{"JID=" + strconv.Itoa(jid), "JNAME=" + JailName(name)}
}

// extAddr is the host's first IPv4 address on its default-route
// interface, with its broadcast.
type extAddr struct{ Addr, Bcast string }

// extAddr finds EXT_HOST and EXT_BCAST: netifaces.ifaddresses(IF)[AF_INET][0]
// of the IPv4 default route's interface.
func (n *hostNet) extAddr() extAddr {
	for _, i := range n.Ifaces {
		if i.Name == n.If4 && len(i.Inet) > 0 {
			e := extAddr{Addr: i.Inet[0]}
			if len(i.Bcast) > 0 {
				e.Bcast = i.Bcast[0]
			}
			return e
		}
	}
	return extAddr{}
}
