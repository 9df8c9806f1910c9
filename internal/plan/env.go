package plan

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
func PrestartEnv(vnet bool, defaultRouter, ip4 string, ext ExtAddr) []string {
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
		if b, err := broadcast(internal + "/30"); err == nil {
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

// JailEnv is what jail(8) is told when it creates the jail, as iocage
// runs it: IOCAGE_HOSTNAME and IOCAGE_NAME.
func JailEnv(hostname, name string) []string {
	return []string{"IOCAGE_HOSTNAME=" + hostname, "IOCAGE_NAME=" + JailName(name)}
}
