package plan

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/jcage/jcage/internal/argv"
	"github.com/jcage/jcage/internal/config"
	"github.com/jcage/jcage/internal/fstab"
)

// Stop plans one running jail's stop: the teardown half of the jail's
// plan. It takes down what Start set up, each from the same properties
// the start read (the NICs VnetTeardownCmds finds are those startVnet
// wires, the datasets those attachDatasets handed over, the mounts
// mountProcfs made), in ioc_stop.py's order: the RCTL rules, exec_prestop,
// exec_stop, the jail_zfs datasets, the VNET, the devfs ruleset, `jail
// -r`, exec_poststop and the unmounts. That is not the start's mirror:
// iocage removes the ruleset before jail(8) removes the jail. With Force
// the jail's own stop steps are skipped, and the jail.conf loses its exec
// statements, so that jail -r runs no command of the jail's: the stop a
// failed start unwinds through.
func Stop(in *Input) *Plan { return build(in, (*builder).stop) }

func (b *builder) stop() {
	b.jid = b.in.JID
	b.say("* Stopping %s", b.uuid)
	b.removeLimits()
	confPath := ConfPath(b.in.Paths.RunDir, b.in.Name)
	if !b.in.Force {
		b.stopServices()
	} else if b.in.HaveConf {
		b.do(StripConfExec{Path: confPath}, OnFail{})
	}
	if b.vnet {
		b.teardownVnet()
	}
	b.removeRuleset()
	b.removeJail(confPath)
	if b.in.HaveConf {
		b.do(RemoveFile{Path: confPath}, OnFail{Policy: Ignore})
	}
	b.poststop()
	b.umounts()
}

// removeLimits removes the jail's RCTL rules when the host has some.
func (b *builder) removeLimits() {
	rules := b.askDo("rctl", RctlRules{})
	if rules.Err != nil || !strings.Contains(rules.Out, argv.RctlFilter(b.jname)) {
		return
	}
	if b.askRun("rctl.remove", argv.RctlRemove(b.jname)).Err != nil {
		b.warn("  + Failed to remove RCTL rules for %s", b.uuid)
	} else {
		b.say("  + Successfully removed RCTL rules for %s", b.uuid)
	}
}

// stopServices runs exec_prestop and exec_stop, and takes the jail_zfs
// datasets back; any failure refuses the stop, short of --force.
func (b *builder) stopServices() {
	const forceHint = ". Please use --force flag to force stop jail"
	b.hook("exec_prestop", nil, OnFail{Say: "  + Executing prestop FAILED", Before: b.uuid + ": exec_prestop failed: ", After: forceHint})
	b.say("  + Executing prestop OK")
	if words := strings.Fields(b.get("exec_stop")); len(words) > 0 {
		b.add(Step{Kind: Run, Cmd: JexecCmd(b.fib, b.in.Name, words...), Log: ServiceLogPath(b.in.IOCRoot, b.in.Name),
			Fail: OnFail{Say: "  + Stopping services FAILED", Before: b.uuid + ": exec_stop failed: ", After: forceHint}})
	}
	b.say("  + Stopping services OK")
	if b.bool("jail_zfs") {
		b.detachDatasets()
	}
}

// detachDatasets unmounts the jailed datasets inside the jail, deepest
// first, and takes them back from it.
func (b *builder) detachDatasets() {
	f := OnFail{Before: b.uuid + ": "}
	for _, ds := range b.in.Datasets {
		a := b.askDo("zfs.list."+ds, ListDatasets{Dataset: ds})
		if !a.OK {
			continue
		}
		if a.Err != nil {
			b.failWith(f, a.Err)
		}
		umount := f
		if mountpoint(a.Datasets, ds) == "none" {
			umount.Policy = Ignore
		}
		for i := len(a.Datasets) - 1; i >= 0; i-- {
			b.run(argv.Setfib(b.fib, argv.InJail(b.jname, argv.ZFSUmount(a.Datasets[i].Name))), umount)
		}
		b.run(argv.ZFSUnjail(b.jname, ds), f)
	}
}

// teardownVnet gives vnet_interfaces back and destroys the NICs the start
// made.
func (b *builder) teardownVnet() {
	release, destroy := VnetTeardownCmds(b.in.Name, b.jid, b.in.Props)
	for _, c := range release {
		b.run(c, OnFail{Policy: Ignore})
	}
	for _, c := range destroy {
		b.run(c, OnFail{Policy: Collect})
	}
	failed := b.check("vnet.teardown")
	switch {
	case len(destroy) > 0 && len(failed) == 0:
		b.say("  + Tearing down VNET OK")
	case len(failed) > 0 && !b.in.Force:
		b.say("  + Tearing down VNET FAILED")
		for _, f := range failed {
			b.warn("  %s", f.Text)
		}
	}
}

// VnetTeardownCmds return a vnet jail's interfaces: vnet_interfaces back
// to the host, then the host end of each NIC destroyed (which destroys
// the pair).
func VnetTeardownCmds(name string, jid int, p *config.Config) (release, destroy []argv.Cmd) {
	vi, _ := p.Get("vnet_interfaces")
	if vi != "none" && vi != "" {
		for _, ifc := range strings.FieldsFunc(vi, func(r rune) bool { return r == ',' || r == ' ' }) {
			release = append(release, argv.IfconfigUnvnet(ifc, JailName(name)))
		}
	}
	for _, n := range wiredNICs(p) {
		destroy = append(destroy, argv.IfconfigDestroy(n.HostNic(jid)))
	}
	return release, destroy
}

// wiredNICs are the NICs a start wires: every NIC with DHCP, else those
// an address names (a bare address is vnet0's), and vnet0 of a NAT jail.
// iocage (ioc_stop.py) destroys every NIC once any address is set, and so
// reports a failure for a jail whose only address is lo0|ADDR, which
// makes none.
func wiredNICs(p *config.Config) []NIC {
	ip4, _ := p.Get("ip4_addr")
	ip6, _ := p.Get("ip6_addr")
	dhcp := WantsDHCP(p)
	named := map[string]bool{}
	for _, list := range []string{ip4, ip6} {
		if list == "none" {
			continue
		}
		for _, a := range strings.Split(list, ",") {
			iface, _ := SplitAddr(a)
			named[iface] = true
		}
	}
	if p.Bool("nat") {
		named["vnet0"] = true
	}
	var out []NIC
	nics, _ := p.Get("interfaces")
	for _, n := range ParseInterfaces(nics) {
		if dhcp || named[n.Nic] {
			out = append(out, n)
		}
	}
	return out
}

// removeRuleset deletes the jail's devfs ruleset when it is one of the
// generated ones. iocage deletes whatever ruleset the jail used, even
// devfs.rules' own (a jail started with devfs_ruleset=4 by an old iocage
// would take ruleset 4 with it); jcage refuses below min_dyn_devfs_ruleset.
func (b *builder) removeRuleset() {
	n := b.in.Ruleset
	if n == 0 {
		live := b.askDo("ruleset.live", LiveRuleset{})
		if !live.OK {
			return
		}
		n = live.Number
	}
	min, err := strconv.Atoi(b.get("min_dyn_devfs_ruleset"))
	if err != nil {
		min = 1000
	}
	exists := b.askDo("ruleset.exists", RulesetExists{Number: n})
	if exists.Err != nil {
		return
	}
	if !exists.OK || n < min {
		b.warn("  + Refusing to remove protected devfs_ruleset: %d", n)
		return
	}
	if b.askRun("ruleset.delset", argv.DevfsDelset(n)).Err != nil {
		b.warn("  + Removing devfs_ruleset: %d FAILED", n)
		return
	}
	b.do(ForgetRuleset{Number: n}, OnFail{})
	b.say("  + Removing devfs_ruleset: %d OK", n)
}

// removeJail has jail(8) remove the jail. jail(8) removes the jail before
// it undoes its mounts and aliases, and a failure there (check_path: an
// fstab entry no longer mounted, or of another type) only sets its exit
// status: the jail is gone and the rest of the stop must still run. Only
// a jail that is still there is a failed stop.
func (b *builder) removeJail(confPath string) {
	if !b.in.HaveConf {
		confPath = ""
	}
	a := b.askRun("jail.remove", argv.JailRemove(confPath, b.in.Debug, b.jname))
	msg := strings.TrimSpace(a.Stderr)
	if a.Err == nil && msg == "" {
		b.say("  + Removing jail process OK")
		return
	}
	if msg == "" {
		msg = ErrorText(a.Err)
	}
	if gone := b.askRun("jail.gone", argv.JlsJID(b.jname)); gone.Err == nil || gone.Code != 1 {
		b.say("  + Removing jail process FAILED:")
		b.fail(fmt.Errorf("%s: Removing jail process FAILED: %s", b.uuid, strings.Join(strings.Fields(msg), " ")))
	}
	b.say("  + Removing jail process OK")
	for _, line := range strings.Split(msg, "\n") {
		b.warn("  + Warning: jail -r: %s", strings.TrimSpace(line))
	}
}

// poststop runs exec_poststop; its failure leaves the jail stopped, with
// a warning.
func (b *builder) poststop() {
	c, ok, err := b.hookCmd("exec_poststop")
	if err == nil && ok {
		err = b.askRun("exec_poststop", c).Err
	}
	if err != nil {
		b.warn("  + Executing poststop FAILED\n%s\n\nJail has been stopped but there may be leftovers from exec_poststop failure", ErrorText(err))
		return
	}
	b.say("  + Executing poststop OK")
}

// umounts are the best-effort unmounts that end every stop: only what is
// still mounted, when the mount table can be read; else each whose
// target under the root is a directory reached without a symlink, as
// umount(8) would follow a symlink the jail left at ROOT/dev or ROOT/proc
// to the host's own mount.
func (b *builder) umounts() {
	cmds := UmountCmds(b.in.Dir, b.in.Root)
	if a := b.askRun("mounts", argv.MountList()); a.Err == nil {
		cmds = PendingUmounts(cmds, ParseMountP(a.Out), b.in.FstabDests)
	} else {
		var kept []argv.Cmd
		for _, c := range cmds {
			target := c.Args[len(c.Args)-1]
			if rel, ok := strings.CutPrefix(target, strings.TrimSuffix(b.in.Root, "/")+"/"); ok {
				if b.askDo("dir."+rel, CheckDir{Root: b.in.Root, Rel: rel}).Err != nil {
					continue
				}
			}
			kept = append(kept, c)
		}
		cmds = kept
	}
	for _, c := range cmds {
		b.run(c, OnFail{Policy: Ignore})
	}
}

// UmountCmds are the unmounts of a stop: the fstab's, then what jail(8)
// and the start mounted under the root.
func UmountCmds(dir, root string) []argv.Cmd {
	return []argv.Cmd{
		argv.UmountFstab(filepath.Join(dir, "fstab")),
		argv.Umount(under(root, "dev/fd")),
		argv.Umount(under(root, "dev")),
		argv.Umount(under(root, "proc")),
		argv.Umount(under(root, "compat/linux/proc")),
	}
}

// ParseMountP returns the mount points `mount -p` lists.
func ParseMountP(out string) map[string]bool {
	m := map[string]bool{}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 {
			m[UnvisPath(f[1])] = true
		}
	}
	return m
}

// UnvisPath decodes a path field of fstab or `mount -p` as strunvis(3)
// does; a field strunvis refuses is kept as it is.
func UnvisPath(s string) string {
	if d, err := fstab.Unvis(s); err == nil {
		return d
	}
	return s
}

// PendingUmounts keeps the unmounts of UmountCmds whose target is still
// mounted: `umount -afF FSTAB` when any of the fstab's mount points is.
func PendingUmounts(cmds []argv.Cmd, mounted map[string]bool, fstabDests []string) []argv.Cmd {
	var out []argv.Cmd
	for _, c := range cmds {
		if c.Args[0] == "-afF" {
			for _, d := range fstabDests {
				if mounted[filepath.Clean(d)] {
					out = append(out, c)
					break
				}
			}
			continue
		}
		if mounted[c.Args[len(c.Args)-1]] {
			out = append(out, c)
		}
	}
	return out
}

// SoftRestartCmds are `restart -s`: exec_stop and exec_start rerun
// inside the running jail, every process killed in between.
func SoftRestartCmds(name string, jid int, p *config.Config) []argv.Cmd {
	fib, _ := p.Get("exec_fib")
	stop, _ := p.Get("exec_stop")
	start, _ := p.Get("exec_start")
	return []argv.Cmd{
		JexecCmd(fib, name, strings.Fields(stop)...),
		argv.PkillJail(jid),
		JexecCmd(fib, name, strings.Fields(start)...),
	}
}
