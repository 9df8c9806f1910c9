package plan

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/jcage/jcage/internal/argv"
)

// rcEntry is one name="value" of a jail's rc.conf.
type rcEntry struct{ key, value string }

// syncRCConf keeps the jail's rc.conf in line with DHCP and SLAAC: each
// NIC that wants DHCP gets ifconfig_epairNb="SYNCDHCP", each that wants
// router advertisements its _ipv6 line, rtsold=1 rtsold_enable=YES; the
// entries are removed again when no longer wanted. Only changes run sysrc.
func (b *builder) syncRCConf() {
	// sysrc(8) edits the file by its path and would follow a symlink;
	// the jail is not running yet, so nothing inside it can swap the
	// checked path before sysrc runs.
	a := b.askDo("rc.conf", ReadJailFile{Root: b.in.Root, Rel: "etc/rc.conf"})
	if a.Err != nil && !errors.Is(a.Err, fs.ErrNotExist) {
		b.fail(fmt.Errorf("%s: %w", b.uuid, a.Err))
	}
	current := ParseRCConf([]byte(a.Out))
	want, unwanted := b.rcChanges(current)
	if b.bool("rtsold") {
		if !strings.Contains(b.get("ip6_addr"), "accept_rtadv") {
			b.fail(errors.New("Must set at least one ip6_addr to accept_rtadv!"))
		}
		want = append(want, rcEntry{"rtsold_enable", "YES"})
	}
	if len(want) == 0 && len(unwanted) == 0 {
		return
	}
	f := OnFail{Before: b.uuid + ": "}
	b.do(CheckRCConf{Root: b.in.Root}, f)
	rcconf := under(b.in.Root, "etc/rc.conf")
	for _, e := range want {
		if current[e.key] != e.value {
			b.run(argv.SysrcSet(rcconf, e.key, e.value), f)
		}
	}
	for _, k := range unwanted {
		b.run(argv.SysrcRemove(rcconf, k), f)
	}
}

// rcAcceptRtadv is the _ipv6 line of a NIC that takes router
// advertisements.
const rcAcceptRtadv = "inet6 auto_linklocal accept_rtadv autoconf"

// rcChanges are the DHCP and SLAAC entries each NIC wants, and those it
// no longer wants that rc.conf still holds.
func (b *builder) rcChanges(current map[string]string) (want []rcEntry, unwanted []string) {
	dhcpNics := map[string]bool{}
	if b.bool("dhcp") {
		for _, n := range ParseInterfaces(b.get("interfaces")) {
			dhcpNics[n.JailNic()] = true
		}
	} else {
		for _, a := range strings.Split(b.get("ip4_addr"), ",") {
			a, _, _ = strings.Cut(a, "/")
			if nic, addr, ok := strings.Cut(a, "|"); ok && strings.ToUpper(addr) == "DHCP" {
				dhcpNics[JailNic(nic)] = true
			}
		}
	}
	rtadvNics := map[string]bool{}
	for _, a := range strings.Split(b.get("ip6_addr"), ",") {
		if nic, addr, ok := strings.Cut(a, "|"); ok && addr == "accept_rtadv" {
			rtadvNics[JailNic(nic)] = true
		}
	}
	for _, n := range ParseInterfaces(b.get("interfaces")) {
		nic := n.JailNic()
		if b.dhcp && dhcpNics[nic] {
			want = append(want, rcEntry{"ifconfig_" + nic, "SYNCDHCP"})
		} else if current["ifconfig_"+nic] == "SYNCDHCP" {
			unwanted = append(unwanted, "ifconfig_"+nic)
		}
		if rtadvNics[nic] {
			want = append(want, rcEntry{"ifconfig_" + nic + "_ipv6", rcAcceptRtadv})
		} else if current["ifconfig_"+nic+"_ipv6"] == rcAcceptRtadv {
			unwanted = append(unwanted, "ifconfig_"+nic+"_ipv6")
		}
	}
	return want, unwanted
}

// ParseRCConf reads the simple name="value" assignments of an rc.conf.
func ParseRCConf(b []byte) map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		k, v, ok := strings.Cut(line, "=")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		if i := strings.Index(v, " #"); i >= 0 && !strings.HasPrefix(v, `"`) {
			v = v[:i]
		}
		m[strings.TrimSpace(k)] = strings.Trim(strings.TrimSpace(v), `"'`)
	}
	return m
}
