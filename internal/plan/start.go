package plan

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/jcage/jcage/internal/argv"
	"github.com/jcage/jcage/internal/config"
)

// Start plans one jail's start. It follows ioc_start.py of the
// freebsd/iocage fork step for step: the refusals, the host preparation
// (rc.conf for DHCP and SLAAC, procfs, jail_zfs datasets, NAT, aliases,
// the devfs ruleset), the jail.conf, exec_prestart, `jail -c`, then the
// network, jail_zfs, resolv.conf, host_time, the NAT rules, exec_start,
// exec_poststart, the DHCP check, last_started, RCTL and cpuset.
func Start(in *Input) *Plan { return build(in, (*builder).start) }

// startState is what the start computes on the way and later steps use.
type startState struct {
	natIface   string // the NAT's host interface
	gw4, gw6   string // the default routes of a vnet jail
	ip4, ip6   string // the addresses, as NAT and the alias fix-up left them
	natGateway string // the host side of a vnet NAT jail's /30
	ruleset    Ruleset
	conf       *Conf
}

func (b *builder) start() {
	b.refusals()
	st := &startState{natIface: b.get("nat_interface"), gw4: b.get("defaultrouter"), gw6: b.get("defaultrouter6")}
	b.prepareNetwork(st)
	b.syncRCConf()
	b.mountProcfs()
	if b.bool("jail_zfs") {
		for _, ds := range b.in.Datasets {
			b.do(PrepareDataset{Dataset: ds}, OnFail{})
		}
	}
	st.ip4, st.ip6 = b.get("ip4_addr"), b.get("ip6_addr")
	if b.nat {
		b.allocateNAT(st)
	}
	if !b.vnet {
		b.fixAliases(st)
	}
	b.say("* Starting %s", b.uuid)
	if b.dhcp && b.get("type") != "pluginv2" && b.get("devfs_ruleset") != IocageDevfsRuleset {
		b.warn("  %s is not using the devfs_ruleset of %s, not generating a ruleset for the jail, DHCP may not work.", b.uuid, IocageDevfsRuleset)
	}
	plug := b.loadModules()
	st.ruleset = b.ruleset(plug)
	b.createJail(st)
	b.configure(st)
	b.services(st)
	b.limits()
}

// refusals are what iocage refuses to start: the checks of
// checkStartable, a hostid that does not match under
// hostid_strict_check, an fstab jail(8) cannot mount, and network
// properties that do not go together.
func (b *builder) refusals() {
	if err := checkStartable(b.in); err != nil {
		b.fail(err)
	}
	if b.bool("hostid_strict_check") {
		a := b.askDo("hostid", ReadHostID{Path: b.in.Paths.HostID})
		if a.Err != nil {
			// iocage's open() would raise; an unreadable file is no mismatch.
			b.fail(fmt.Errorf("%s: hostid_strict_check: %w", b.uuid, a.Err))
		}
		if strings.TrimSpace(a.Out) != b.get("hostid") {
			b.fail(fmt.Errorf("%s hostid is not matching and 'hostid_strict_check' is on! - Not starting jail", b.uuid))
		}
	}
	b.do(CheckFstab{Path: filepath.Join(b.in.Dir, "fstab")}, OnFail{Before: b.uuid + ": "})
	if err := networkChecks(b.uuid, b.in.Props); err != nil {
		b.fail(err)
	}
}

// checkStartable refuses what iocage never starts: templates, other jail
// types, and a release newer than the host.
func checkStartable(in *Input) error {
	p := in.Props
	name := in.Name
	if in.Template || p.Bool("template") {
		return fmt.Errorf("Please convert back to a jail before trying to start %s", name)
	}
	typ, _ := p.Get("type")
	switch typ {
	case "jail", "plugin", "pluginv2", "clonejail":
	case "basejail":
		return fmt.Errorf("Please run \"iocage migrate\" before trying to start %s", name)
	case "template":
		return fmt.Errorf("Please convert back to a jail before trying to start %s", name)
	default:
		return fmt.Errorf("%s is not a supported jail type.", typ)
	}
	// iocage.py start: check_release_newer(release, major_only=True), which
	// (ioc_common.py check_release_newer, get_host_release) compares majors
	// only and checks nothing on a host that is not a RELEASE (CURRENT,
	// BETA, RC, PRERELEASE); a STABLE host counts as a RELEASE.
	release, _ := p.Get("release")
	if release != "EMPTY" && HostIsRelease(in.Release) {
		hv, hok := ParseVersion(in.Release)
		jv, jok := ParseVersion(release)
		if hok && jok && hv/100 < jv/100 {
			hostRel, _, _ := strings.Cut(in.Release, "-")
			jailRel, _, _ := strings.Cut(release, "-")
			return fmt.Errorf("Host: %s is not greater than jail: %s This is unsupported.", hostRel, jailRel)
		}
	}
	return nil
}

// WantsDHCP is iocage's test: dhcp=1 or DHCP in ip4_addr.
func WantsDHCP(p *config.Config) bool {
	v, _ := p.Get("ip4_addr")
	return p.Bool("dhcp") || strings.Contains(strings.ToUpper(v), "DHCP")
}

// networkChecks are iocage's refusals of incompatible network properties,
// all reported at once.
func networkChecks(name string, p *config.Config) error {
	var msgs []string
	vnet := p.Bool("vnet")
	ip6, _ := p.Get("ip6_addr")
	if WantsDHCP(p) {
		if !p.Bool("bpf") {
			msgs = append(msgs, name+": dhcp requires bpf!")
		} else if !vnet {
			msgs = append(msgs, name+": dhcp requires vnet!")
		}
	}
	if strings.Contains(ip6, "accept_rtadv") && !vnet {
		msgs = append(msgs, name+": accept_rtadv requires vnet!")
	}
	if p.Bool("bpf") && !vnet {
		msgs = append(msgs, name+": bpf requires vnet!")
	}
	if len(msgs) > 0 {
		return errors.New(strings.Join(msgs, "; "))
	}
	return nil
}

// net asks for the host's network as the jail's FIB sees it.
func (b *builder) net() (*Net, error) { return b.netOf(b.fib) }

// netOf asks for the host's network as fib sees it; FIB 0 is the host's
// own view, read once per command.
func (b *builder) netOf(fib string) (*Net, error) {
	if fib == "" {
		fib = "0"
	}
	a := b.askDo("net."+fib, HostNet{FIB: fib})
	return a.Net, a.Err
}

// mustNet is net, a failure ending the plan.
func (b *builder) mustNet() *Net {
	n, err := b.net()
	if err != nil {
		b.fail(err)
	}
	return n
}

// prepareNetwork claims the NAT ports, and finds the NAT interface and
// the "auto" gateways in the jail's FIB (ioc_start.py reads them with
// `setfib FIB netstat -rn`; jcage asks route(8) under the same setfib).
func (b *builder) prepareNetwork(st *startState) {
	if b.nat {
		b.do(ClaimNATPorts{Forwards: b.get("nat_forwards")}, OnFail{}, Step{Kind: Do, Op: ReleaseNATPorts{}})
		if st.natIface == "none" {
			iface, err := b.mustNet().DefaultIface()
			if err != nil {
				b.fail(err)
			}
			st.natIface = iface
			b.warn("%s: nat requires nat_interface, using %s", b.uuid, iface)
		}
	}
	if !b.vnet || (st.gw4 != "auto" && st.gw6 != "auto") {
		return
	}
	n := b.mustNet()
	if st.gw4 == "auto" {
		if st.gw4 = n.GW4; st.gw4 == "" {
			b.warn("No default gateway found for ipv4.")
			st.gw4 = "none"
		}
	}
	if st.gw6 == "auto" {
		if st.gw6 = n.GW6; st.gw6 == "" {
			b.warn("No default gateway found for ipv6.")
			st.gw6 = "none"
		}
	}
}

// mountProcfs mounts procfs and linprocfs when asked. ioc_start.py
// __start_jail__ runs both mounts with Popen and never looks at the
// result: the jail starts without the file system. jcage starts it too,
// and reports the failure in the exit status.
func (b *builder) mountProcfs() {
	if b.bool("mount_procfs") {
		a := b.askDo("dir.proc", CheckDir{Root: b.in.Root, Rel: "proc"})
		// A missing directory: mount(8) reports it itself, and the jail
		// runs on without procfs, as under iocage.
		if a.Err != nil && !errors.Is(a.Err, fs.ErrNotExist) {
			b.fail(fmt.Errorf("%s: mount procfs: %w", b.uuid, a.Err))
		}
		b.mount("procfs", "proc", "proc")
	}
	if b.bool("mount_linprocfs") {
		if a := b.askDo("dir.compat/linux/proc", CheckDir{Root: b.in.Root, Rel: "compat/linux/proc", Create: true}); a.Err != nil {
			b.fail(fmt.Errorf("%s: mount linprocfs: %w", b.uuid, a.Err))
		}
		b.mount("linprocfs", "linproc", "compat/linux/proc")
	}
}

func (b *builder) mount(fstype, from, rel string) {
	node := under(b.in.Root, rel)
	b.run(argv.Mount(fstype, from, node), OnFail{Policy: Degrade, Before: "mount " + fstype + ": "},
		Step{Kind: Run, Cmd: argv.Umount(node)})
}

// loadModules loads the kernel modules the jail needs first: vmm for
// allow_vmm, and a plugin's kmods. It returns the plugin's manifest.
func (b *builder) loadModules() *PluginStart {
	// libjail loads only linux, sysv* and the file system of an
	// allow.mount.<fs> itself (lib/libjail/jail.c kldload_param);
	// allow.vmm exists only once vmm.ko is in. A module that cannot be
	// loaded refuses the start before anything is made.
	if b.bool("allow_vmm") {
		b.run(argv.Kldload("vmm"), OnFail{Before: "Refusing to start " + b.uuid + ": allow_vmm=1 needs the vmm kernel module: "})
	}
	if b.get("type") != "pluginv2" {
		return nil
	}
	a := b.askDo("plugin", PluginManifest{})
	if a.Err != nil {
		b.fail(a.Err)
	}
	if a.Plugin != nil {
		for _, k := range a.Plugin.Kmods {
			b.run(argv.Kldload(k), OnFail{Before: b.in.Name + ": kldload " + k + ": "})
		}
	}
	return a.Plugin
}

// ruleset gives the jail its devfs ruleset: the first free number from
// min_dyn_devfs_ruleset up, filled with iocage's default rules (and a
// plugin's) or a copy of the configured ruleset. The number is reserved
// under a lock the parallel starts share; the rules are added outside it.
func (b *builder) ruleset(plug *PluginStart) Ruleset {
	configured := b.get("devfs_ruleset")
	a := b.askDo("ruleset", ReserveRuleset{Configured: configured, Min: b.get("min_dyn_devfs_ruleset")})
	if a.Err != nil {
		b.fail(a.Err)
	}
	if !a.OK {
		b.fail(fmt.Errorf("%s devfs_ruleset %s does not exist! - Not starting jail", Underscored(b.in.Name), configured))
	}
	rs := Ruleset{Number: a.Number}
	forget := Step{Kind: Do, Op: ForgetRuleset{Number: rs.Number}}
	var rules []string
	switch {
	case configured == IocageDevfsRuleset && plug != nil:
		rules = PluginDevfsRules(b.in.Props, plug)
	case configured == IocageDevfsRuleset:
		rules = b.memo("rules", func() any { return DefaultDevfsRules(b.in.Props) }).([]string)
	default:
		show := b.askRun("ruleset.show", argv.DevfsShow(configured))
		if show.Err != nil {
			b.add(forget)
			b.fail(show.Err)
		}
		rules, rs.ClonedFrom = CloneDevfsRules(show.Out), configured
	}
	// An empty clone (of ruleset 0) makes no ruleset, but the number is
	// still the jail's.
	if len(rules) > 0 {
		if add := b.askRun("ruleset.add", argv.DevfsAdd(rs.Number, rules)); add.Err != nil {
			b.add(forget)
			b.fail(fmt.Errorf("create devfs ruleset %d: %w", rs.Number, add.Err))
		}
	}
	b.push(Step{Kind: Run, Cmd: argv.DevfsDelset(rs.Number)}, forget)
	return rs
}

// createJail writes the jail.conf, runs exec_prestart and has jail(8)
// create the jail. From there on a failure stops the jail by force.
func (b *builder) createJail(st *startState) {
	ruleset := strconv.Itoa(st.ruleset.Number)
	conf := b.memo("conf "+st.ip4+" "+st.ip6+" "+ruleset, func() any {
		c := JailConf(ConfInput{
			Name: b.in.Name, Dir: b.in.Dir, IOCRoot: b.in.IOCRoot, Props: b.in.Props, Release: b.in.Release,
			IP4: st.ip4, IP6: st.ip6, DevfsRuleset: ruleset,
		})
		return [2]any{c, c.Render()}
	}).([2]any)
	st.conf = conf[0].(*Conf)
	path := ConfPath(b.in.Paths.RunDir, b.in.Name)
	b.do(WriteConf{Path: path, Text: conf[1].(string)}, OnFail{}, Step{Kind: Do, Op: RemoveFile{Path: path}})
	var env []string
	if b.nat {
		router := st.gw4
		if !b.vnet {
			router = b.get("defaultrouter")
		}
		env = PrestartEnv(b.vnet, router, st.ip4, b.mustNet().ExtAddr())
	}
	refuse := "Refusing to start " + b.uuid + ": "
	b.hook("exec_prestart", env, OnFail{Before: refuse + "exec_prestart failed: "})
	c := argv.JailCreate(path, b.in.Debug, JailEnv(b.get("host_hostname"), b.in.Name)...)
	b.run(c, OnFail{Say: "  + Start FAILED", Before: refuse, Stderr: true},
		Step{Kind: Do, Op: ForceStop{Ruleset: st.ruleset.Number}})
	b.say("  + Started OK")
	b.say("%s", st.ruleset.Message())
}

// hook runs an exec_* hook on the host; f says what its failure does.
func (b *builder) hook(key string, env []string, f OnFail) {
	c, ok, err := b.hookCmd(key)
	if err != nil {
		b.failWith(f, err)
	}
	if ok {
		c.Env = env
		b.run(c, f)
	}
}

// hookCmd is HookCmd of a hook property, a one-word hook checked for
// being an executable file.
func (b *builder) hookCmd(key string) (argv.Cmd, bool, error) {
	c, program, ok, err := HookCmd(b.get(key))
	if err != nil || !ok || program == "" {
		return c, ok, err
	}
	if !b.askDo("exec."+key, Executable{Path: program}).OK {
		return argv.Cmd{}, false, ErrNotExecutable
	}
	return c, true, nil
}
