package plan

import (
	"strings"

	"github.com/jcage/jcage/internal/argv"
)

// allocateNAT prepares the backend and gives the jail its NAT /30: the
// non-vnet jail gets IFACE|HOST1, the vnet jail vnet0|HOST2/30 behind
// HOST1, its gateway. Both are stored, as iocage does.
func (b *builder) allocateNAT(st *startState) {
	b.natBackend()
	a := b.askDo("nat", AllocateNAT{Prefix: b.get("nat_prefix")})
	if a.Err != nil {
		b.fail(a.Err)
	}
	h1, h2 := a.NAT[0], a.NAT[1]
	if !b.vnet {
		st.ip4 = st.natIface + "|" + h1
		b.do(Store{Key: "ip4_addr", Value: st.ip4}, OnFail{})
		return
	}
	st.ip4 = "vnet0|" + h2 + "/30"
	b.do(Store{Key: "ip4_addr", Value: st.ip4}, OnFail{})
	b.do(Store{Key: "defaultrouter", Value: h1}, OnFail{})
	st.natGateway, st.gw4 = h1, h1
}

// natBackend turns forwarding on and the backend's kernel module: for
// pf, pfctl -e runs only when kldload loaded it now; for ipfw, the rest
// runs only when enabling ipfw failed.
func (b *builder) natBackend() {
	b.run(argv.SysctlSet("net.inet.ip.forwarding", "1", true), OnFail{Policy: Report, Before: b.uuid + ": "})
	if b.get("nat_backend") == "pf" {
		if b.askRun("nat.load", argv.KldloadNew("pf")).Err != nil {
			return
		}
		if a := b.askRun("nat.enable", argv.PfctlEnable()); a.Err != nil && !strings.Contains(ErrorText(a.Err), "enabled") {
			b.failWith(OnFail{Before: b.uuid + ": "}, a.Err)
		}
		return
	}
	if b.askRun("nat.load", argv.SysctlSet("net.inet.ip.fw.enable", "1", false)).Err == nil {
		return
	}
	for _, c := range []argv.Cmd{
		argv.Kenv("net.inet.ip.fw.default_to_accept", "1"),
		argv.Kldload("ipfw"),
		argv.Kldload("ipfw_nat"),
		argv.SysctlSet("net.inet.ip.fw.enable", "1", true),
	} {
		b.run(c, OnFail{Policy: Report, Before: b.uuid + ": "})
	}
}

// fixAliases applies assign_localhost and iocage's alias fix-up to the
// addresses of a non-vnet jail.
func (b *builder) fixAliases(st *startState) {
	needNet := b.bool("assign_localhost")
	for _, list := range []string{st.ip4, st.ip6} {
		if list == "none" {
			continue
		}
		for _, a := range strings.Split(list, ",") {
			if !strings.Contains(a, "|") {
				needNet = true
			}
		}
	}
	if !needNet {
		return
	}
	n, err := b.netOf("0")
	if err != nil {
		b.fail(err)
	}
	localhost := ""
	if b.bool("assign_localhost") {
		localhost = b.assignLocalhost(n)
	}
	if st.ip4 != "none" {
		st.ip4 = n.CheckAliases(st.ip4, false)
	}
	// The loopback address is on lo0 now (the host's network was read
	// before the alias): it joins the list as it is, never as the default
	// interface's alias.
	if localhost != "" {
		if st.ip4 == "none" {
			st.ip4 = localhost
		} else {
			st.ip4 += "," + localhost
		}
	}
	if st.ip6 != "none" {
		st.ip6 = n.CheckAliases(st.ip6, true)
	}
}

// assignLocalhost gives the jail its loopback address: localhost_ip, or
// the first free one, stored; the jail's /etc/hosts points at it, and lo0
// holds it.
func (b *builder) assignLocalhost(n *Net) string {
	lo := b.get("localhost_ip")
	if lo == "none" {
		var err error
		if lo, err = n.UnusedLoopback(); err != nil {
			b.fail(err)
		}
		b.do(Store{Key: "localhost_ip", Value: lo}, OnFail{})
	}
	b.do(ReplaceLocalhost{Root: b.in.Root, Addr: lo}, OnFail{})
	if n.CheckAliases(lo, false) != lo {
		b.run(argv.IfconfigAddAlias("lo0", lo+"/32"), OnFail{})
		return lo
	}
	for _, addrs := range b.in.Running {
		for _, a := range addrs {
			if a == lo {
				b.warn("  %s is reusing a localhost address, failure may occur!", b.uuid)
				break
			}
		}
	}
	return lo
}
