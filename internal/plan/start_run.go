package plan

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jcage/jcage/internal/argv"
	"github.com/jcage/jcage/internal/config"
)

// configure sets up what the running jail needs from the host: its
// network, its datasets, resolv.conf, the time zone and the NAT rules.
func (b *builder) configure(st *startState) {
	// The JID names the host side of each vnet NIC, pins the cpuset and
	// is told to exec_poststart; a jail that needs none of them is not
	// asked for it (one process less per start).
	if _, poststart, _ := b.hookCmd("exec_poststart"); b.vnet || b.get("cpuset") != "off" || poststart {
		b.lookupJID()
	}
	// Best effort, as in iocage: a /dev that is no directory gets nothing.
	b.do(LinkDevLog{Root: b.in.Root}, OnFail{Policy: Ignore})
	if b.vnet {
		b.startVnet(st)
	}
	if len(st.conf.Net) > 0 {
		b.say("  + Using IP options: %s", strings.Join(st.conf.Net, " "))
	}
	if b.bool("jail_zfs") {
		b.attachDatasets()
	}
	b.writeResolv()
	if b.bool("host_time") {
		b.do(CopyLocaltime{Root: b.in.Root, From: b.in.Paths.Localtime}, OnFail{Before: b.uuid + ": localtime: "})
	}
	if b.nat {
		b.do(NATRules{Backend: b.get("nat_backend"), Iface: st.natIface, IP4: st.ip4, Forwards: b.get("nat_forwards")}, OnFail{})
	}
}

// lookupJID asks jls for the JID of the jail just created.
func (b *builder) lookupJID() {
	a := b.askRun("jid", argv.JlsJID(b.jname))
	if a.Err != nil {
		b.fail(a.Err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(a.Out))
	if err != nil {
		b.fail(fmt.Errorf("jls: unexpected jid %q", strings.TrimSpace(a.Out)))
	}
	b.jid = n
}

// attachDatasets hands each jail_zfs_dataset to the jail and mounts its
// children inside, unless the dataset's mountpoint is none.
func (b *builder) attachDatasets() {
	f := OnFail{Before: b.uuid + ": "}
	for _, ds := range b.in.Datasets {
		a := b.askDo("zfs.list."+ds, ListDatasets{Dataset: ds})
		if a.Err != nil {
			b.failWith(f, a.Err)
		}
		b.run(argv.ZFSJail(b.jname, ds), f)
		if mountpoint(a.Datasets, ds) == "none" {
			continue
		}
		for _, c := range a.Datasets {
			b.run(argv.Setfib(b.fib, argv.InJail(b.jname, argv.ZFSMount(c.Name))), f)
		}
	}
}

func mountpoint(list []Dataset, name string) string {
	for _, d := range list {
		if d.Name == name {
			return d.Mountpoint
		}
	}
	return ""
}

// writeResolv is iocage's resolv.conf handling: a copy of the host's for
// /etc/resolv.conf and none, nothing for /dev/null, and any other value as
// the file's content, ';' separating lines.
func (b *builder) writeResolv() {
	op := WriteJailFile{Root: b.in.Root, Rel: "etc/resolv.conf"}
	switch resolver := b.get("resolver"); resolver {
	case "/dev/null":
		return
	case "/etc/resolv.conf", "none":
		op.FromHost = b.in.Paths.Resolv
	default:
		var s strings.Builder
		for _, line := range strings.Split(resolver, ";") {
			s.WriteString(line + "\n")
		}
		op.Data = s.String()
	}
	b.do(op, OnFail{Before: b.uuid + ": resolv.conf: "})
}

// services runs exec_start inside the jail, then rtsold, exec_poststart,
// the DHCP check, and records last_started.
func (b *builder) services(st *startState) {
	refuse := "Refusing to start " + b.uuid + ": "
	if words := strings.Fields(b.get("exec_start")); len(words) > 0 {
		b.add(Step{Kind: Run, Cmd: JexecCmd(b.fib, b.in.Name, words...), Log: ServiceLogPath(b.in.IOCRoot, b.in.Name),
			Fail: OnFail{Say: "  + Starting services FAILED", Before: refuse + "exec_start failed: "}})
	}
	b.say("  + Starting services OK")
	if b.bool("rtsold") || strings.Contains(st.ip6, "accept_rtadv") {
		// Best effort, as in iocage: the jail may not ship rtsold.
		b.run(JexecCmd(b.fib, b.in.Name, argv.Service("rtsold", "start").Argv()...), OnFail{Policy: Ignore})
	}
	b.hook("exec_poststart", PoststartEnv(b.jid, b.in.Name), OnFail{Before: refuse + "exec_poststart failed: "})
	b.say("  + Executing poststart OK")
	if b.vnet && b.dhcp {
		b.dhcpCheck()
	}
	b.do(Store{Key: "last_started", Value: b.in.Now.UTC().Format("2006-01-02 15:04:05")}, OnFail{})
}

// dhcpCheck reads the address the jail's first NIC got by DHCP.
func (b *builder) dhcpCheck() {
	addr, err := "ERROR, check jail logs", errors.New("no interface")
	if nics := ParseInterfaces(b.get("interfaces")); len(nics) > 0 {
		a := b.askRun("dhcp", argv.InJail(b.jname, argv.IfconfigInet(nics[0].JailNic())))
		if err = a.Err; err == nil {
			var got string
			if got, err = ParseDHCPAddress(a.Out); err == nil {
				addr = got
				if strings.Contains(addr, "0.0.0.0") {
					err = errors.New("no address")
				}
			}
		}
	}
	if err != nil {
		b.say("  + Acquiring DHCP address: FAILED, address received: %s", addr)
		b.fail(fmt.Errorf("Stopped %s due to DHCP failure", b.uuid))
	}
	b.say("  + DHCP Address: %s", addr)
}

// limits sets the jail's RCTL rules and cpuset. ioc_start.py
// __start_jail__ sets last_started, then these, and only logs their
// failures: the jail keeps running. So does it here; the failures are
// Degrade's, which the exit status reports.
func (b *builder) limits() {
	if rules := RCTLRules(b.in.Props); len(rules) > 0 {
		b.rctl(rules)
	}
	if cs := b.get("cpuset"); cs != "off" {
		b.say("  + Setting cpuset to: %s", cs)
		b.run(argv.CpusetJail(cs, b.jid), OnFail{Policy: Degrade,
			Say: "  + Failed to set cpuset to: " + cs, Before: "Failed to set cpuset to: " + cs + ": "})
	}
}

// RCTLRules are the jail's limits: resource and rule of every RCTL
// property that is not off.
func RCTLRules(p *config.Config) [][2]string {
	var rules [][2]string
	for _, res := range config.RctlResources {
		v, ok := p.Get(res)
		if !ok || v == "off" || v == "" {
			continue
		}
		rules = append(rules, [2]string{res, v})
	}
	return rules
}

// rctl replaces every rule of the jail with its limits.
func (b *builder) rctl(rules [][2]string) {
	a := b.askRun("racct", argv.SysctlGet("kern.racct.enable"))
	if a.Err != nil || !strings.HasSuffix(strings.TrimSpace(a.Out), "1") {
		b.record(Degrade, "Please set kern.racct.enable -> 1 to set rctl rules")
		return
	}
	// No rule to remove is not a failure.
	b.run(argv.RctlRemove(b.jname), OnFail{Policy: Ignore})
	b.say("  + Setting RCTL props")
	for _, r := range rules {
		b.add(Step{Kind: Run, ID: "rctl." + r[0], Cmd: argv.RctlAdd(b.jname, r[0], r[1]), Fail: OnFail{Policy: Collect}})
	}
	var failed []string
	for _, f := range b.check("rctl") {
		failed = append(failed, strings.TrimPrefix(f.ID, "rctl."))
	}
	if len(failed) > 0 {
		b.say("  + Failed to set %s RCTL props", strings.Join(failed, ", "))
		b.record(Degrade, fmt.Sprintf("Failed to set %s RCTL props", strings.Join(failed, ", ")))
	}
}
