package plan

import (
	"fmt"
	"strings"

	"github.com/jcage/jcage/internal/argv"
)

// startVnet wires every NIC of a vnet jail and its default routes. It
// follows ioc_start.py start_network, start_network_interface_vnet and
// start_network_vnet_addr of the freebsd/iocage fork: a NIC whose bridge
// is none joins no bridge and takes vnet_default_mtu; lo0|ADDR sets an
// alias on the jail's own lo0; DHCP stands in for the IPv4 addresses
// only, so static IPv6 addresses are still set; and each family's default
// route is skipped on its own, IPv4 for DHCP and IPv6 for accept_rtadv.
// A failure of one NIC does not stop the others; every failure is
// reported, and the jail is stopped.
func (b *builder) startVnet(st *startState) {
	n, err := b.net()
	if err != nil {
		b.vnetFailed([]string{ErrorText(err)})
	}
	defIf := b.get("vnet_default_interface")
	if defIf != "auto" && defIf != "none" && !n.Has(defIf) {
		b.vnetFailed([]string{`Set property "vnet_default_interface" to "auto", "none" or a valid interface e.g "lagg0"`})
	}
	if defIf == "auto" {
		if defIf, err = n.DefaultIface(); err != nil {
			b.vnetFailed([]string{ErrorText(err)})
		}
	}
	rtadv := strings.Contains(st.ip6, "accept_rtadv")
	nics := ParseInterfaces(b.get("interfaces"))
	for _, nic := range nics {
		b.vnetNIC(st, nic, defIf, rtadv)
	}
	if f := b.check("vnet.addresses"); len(f) > 0 {
		b.vnetFailed(texts(f))
	}
	b.defaultRoutes(st, nics, rtadv)
	if f := b.check("vnet.routes"); len(f) > 0 {
		b.vnetFailed(texts(f))
	}
	b.say("  + Configuring VNET OK")
}

func texts(fs []Failure) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Text)
	}
	return out
}

// vnetFailed ends the start with the VNET's failures.
func (b *builder) vnetFailed(errs []string) {
	b.say("  + Configuring VNET FAILED")
	for _, e := range errs {
		b.say("  %s", e)
	}
	b.fail(fmt.Errorf("Stopped %s due to VNET failure: %s", b.uuid, errs[0]))
}

// vnetNIC wires one NIC (at its first address) and sets its addresses,
// and the jail's lo0 addresses.
func (b *builder) vnetNIC(st *startState, nic NIC, defIf string, rtadv bool) {
	mtu := b.get(nic.Nic + "_mtu")
	if mtu == "" || mtu == "auto" {
		if st.natGateway != "" || nic.Bridge == "none" {
			mtu = b.get("vnet_default_mtu")
		} else {
			mtu = b.bridgeMTU(nic, defIf)
		}
	}
	configured := false
	for _, fam := range []struct {
		addrs string
		v6    bool
	}{{st.ip4, false}, {st.ip6, true}} {
		addrs := fam.addrs
		if b.dhcp && !fam.v6 {
			// DHCP brings the NIC up whatever the IPv4 addresses say.
			addrs = nic.Nic + "|''"
		}
		if addrs == "none" {
			continue
		}
		for _, a := range strings.Split(addrs, ",") {
			iface, ip := SplitAddr(a)
			if iface != nic.Nic && iface != "lo0" {
				continue
			}
			if iface != "lo0" && !configured {
				configured = true
				b.vnetIface(nic, VnetIfaceSpec{MTU: mtu, DefaultIf: defIf, NATAddr: st.natGateway, RtAdv: rtadv})
			}
			if (b.dhcp && !fam.v6) || ip == "accept_rtadv" {
				continue
			}
			b.add(Step{Kind: Run, Cmd: VnetAddrCmd(b.fib, b.in.Name, iface, ip, fam.v6), Fail: OnFail{Policy: Collect}})
		}
	}
}

// bridgeMTU is the MTU a NIC takes from its bridge: the bridge is created
// if missing (best effort, with the default interface for DHCP), and its
// first member's MTU is used; vnet_default_mtu when it has none.
func (b *builder) bridgeMTU(nic NIC, defIf string) string {
	// iocage runs `ifconfig BRIDGE create addm` with nothing to add when
	// not using DHCP; jcage leaves the dangling addm out.
	member := ""
	if b.dhcp && defIf != "none" {
		member = defIf
	}
	b.run(argv.IfconfigCreate(nic.Bridge, member), OnFail{Policy: Ignore})
	if a := b.askRun("bridge."+nic.Nic, argv.Ifconfig(nic.Bridge)); a.Err == nil {
		for _, line := range strings.Split(a.Out, "\n") {
			f := strings.Fields(line)
			if len(f) >= 2 && strings.HasPrefix(f[0], "member") {
				m := b.askRun("member."+nic.Nic, argv.Ifconfig(f[1]))
				if mf := strings.Fields(m.Out); m.Err == nil && len(mf) > 5 {
					return mf[5]
				}
				break
			}
		}
	}
	return b.get("vnet_default_mtu")
}

// vnetIface creates and wires one NIC: its MAC pair (vnetN_mac, or one
// generated and stored), the epair, and VnetIfaceCmds. A failure is
// collected, and the NIC's later steps skipped.
func (b *builder) vnetIface(nic NIC, s VnetIfaceSpec) {
	macs := b.get(nic.Nic + "_mac")
	if macs == "" || macs == "none" {
		macs := b.memo("mac "+nic.Nic, func() any {
			a, b := GenerateMAC(b.in.Name, nic.Nic, b.get("mac_prefix"))
			return [2]string{a, b}
		}).([2]string)
		s.MacA, s.MacB = macs[0], macs[1]
		store := b.askDo("mac."+nic.Nic, Store{Key: nic.Nic + "_mac", Value: s.MacA + " " + s.MacB})
		if store.Err != nil {
			b.record(Collect, ErrorText(store.Err))
			return
		}
	} else if f := strings.Fields(strings.ReplaceAll(macs, ",", " ")); len(f) == 2 {
		s.MacA, s.MacB = f[0], f[1]
	} else {
		b.record(Collect, fmt.Sprintf("Please correct mac addresses format for %s", nic.Nic))
		return
	}
	epair := b.askRun("epair."+nic.Nic, argv.EpairCreate())
	if epair.Err != nil {
		b.record(Collect, ErrorText(epair.Err))
		return
	}
	s.Name, s.JID, s.Fib, s.Nic, s.EpairA = b.in.Name, b.jid, b.fib, nic, strings.TrimSpace(epair.Out)
	cmds, optional := VnetIfaceCmds(s)
	for i, c := range cmds {
		f := OnFail{Policy: Collect}
		if i == optional {
			f.Policy = Ignore
		}
		b.add(Step{Kind: Run, Cmd: c, Fail: f, Group: "nic." + nic.Nic})
	}
}

// defaultRoutes adds the vnet jail's default routes.
func (b *builder) defaultRoutes(st *startState, nics []NIC, rtadv bool) {
	for _, r := range []struct {
		addrs, gw string
		v6, skip  bool
	}{{st.ip4, st.gw4, false, b.dhcp}, {st.ip6, st.gw6, true, rtadv}} {
		if r.skip || r.addrs == "none" || r.gw == "none" || r.gw == "" {
			continue
		}
		gw := r.gw
		if r.v6 && strings.Contains(gw, "%") {
			// The host's scope means nothing inside the jail: use the
			// jail's first NIC that carries an IPv6 address.
			nic := "vnet0"
			for _, n := range nics {
				for _, a := range strings.Split(r.addrs, ",") {
					if i, _ := SplitAddr(a); i == n.Nic && nic == "vnet0" {
						nic = n.Nic
					}
				}
			}
			gw = strings.SplitN(gw, "%", 2)[0] + "%" + JailNic(nic)
		}
		b.add(Step{Kind: Run, Cmd: DefaultRouteCmd(b.fib, b.in.Name, gw, r.v6), Fail: OnFail{Policy: Collect}})
	}
}

// VnetIfaceSpec is one NIC of a vnet jail as the start wires it.
type VnetIfaceSpec struct {
	Name      string // NAME
	JID       int
	Fib       string
	Nic       NIC
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
func VnetIfaceCmds(s VnetIfaceSpec) (cmds []argv.Cmd, optional int) {
	hostNic := s.Nic.HostNic(s.JID)
	epairB := strings.TrimSuffix(s.EpairA, "a") + "b"
	jnic := s.Nic.JailNic()
	jname := JailName(s.Name)
	cmds = []argv.Cmd{
		argv.IfconfigRename(s.EpairA, hostNic, s.MTU),
		argv.IfconfigLink(hostNic, s.MacA),
		argv.IfconfigDescription(hostNic, fmt.Sprintf("associated with jail: %s as nic: %s", Underscored(s.Name), jnic)),
	}
	if s.RtAdv {
		cmds = append(cmds, argv.IfconfigAcceptRtadv(hostNic))
	}
	cmds = append(cmds, argv.IfconfigVnet(epairB, jname), argv.InJail(jname, argv.IfconfigMTU(epairB, s.MTU)))
	if epairB != jnic {
		cmds = append(cmds, argv.Setfib(s.Fib, argv.InJail(jname, argv.IfconfigRename(epairB, jnic, ""))))
	}
	cmds = append(cmds, argv.Setfib(s.Fib, argv.InJail(jname, argv.IfconfigLink(jnic, s.MacB))))
	optional = -1
	// ioc_start.py start_network_vnet_iface: a NIC whose bridge is none
	// joins no bridge.
	if s.NATAddr == "" && s.Nic.Bridge != "none" {
		if s.DefaultIf != "none" && s.DefaultIf != "" {
			optional = len(cmds)
			cmds = append(cmds, argv.IfconfigAddm(s.Nic.Bridge, s.DefaultIf, false))
		}
		cmds = append(cmds, argv.IfconfigAddm(s.Nic.Bridge, hostNic, true))
	} else if s.NATAddr != "" {
		cmds = append(cmds, argv.IfconfigInet4(hostNic, s.NATAddr+"/30"))
	}
	cmds = append(cmds, argv.IfconfigUp(hostNic))
	return cmds, optional
}

// VnetAddrCmd assigns one address inside a vnet jail: IPv4 as an alias,
// IPv6 brought up.
func VnetAddrCmd(fib, name, iface, addr string, v6 bool) argv.Cmd {
	nic, jname := JailNic(iface), JailName(name)
	if v6 {
		return argv.Setfib(fib, argv.InJail(jname, argv.IfconfigInet6Up(nic, addr)))
	}
	return argv.Setfib(fib, argv.InJail(jname, argv.IfconfigAlias(nic, addr)))
}

// DefaultRouteCmd adds a vnet jail's default route.
func DefaultRouteCmd(fib, name, gw string, v6 bool) argv.Cmd {
	return argv.Setfib(fib, argv.InJail(JailName(name), argv.RouteAddDefault(gw, v6)))
}
