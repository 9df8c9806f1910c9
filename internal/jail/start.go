package jail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/jcage/jcage/internal/config"

	"github.com/jcage/jcage/internal/confine"
	"github.com/jcage/jcage/internal/host"
	"github.com/jcage/jcage/internal/revert"
	"github.com/jcage/jcage/internal/txn"
	"github.com/jcage/jcage/internal/zfs"
)

// jailRun is one jail's start or stop.
type jailRun struct {
	r     *run
	h     *Host
	j     *Jail
	props *config.Config // effective; the start stores what it computes here too
	out   io.Writer
	warn  io.Writer
	jid   int
	// degraded lists what failed after which the jail keeps running.
	degraded []string
}

// degrade records a failure the jail keeps running through.
func (jr *jailRun) degrade(format string, a ...any) {
	jr.degraded = append(jr.degraded, fmt.Sprintf(format, a...))
}

func (jr *jailRun) get(key string) string {
	v, _ := jr.props.Get(key)
	return v
}

func (jr *jailRun) say(format string, a ...any) { fmt.Fprintf(jr.out, format+"\n", a...) }

func (jr *jailRun) warnf(format string, a ...any) { fmt.Fprintf(jr.warn, format+"\n", a...) }

func (jr *jailRun) fib() string { return jr.get("exec_fib") }

func (jr *jailRun) root() string { return jr.j.RootPath() }

func (jr *jailRun) uuid() string { return underscored(jr.j.Name) }

// store records a value the start computed (a NAT address, a MAC pair,
// last_started) in the jail's config, as iocage does.
func (jr *jailRun) store(key, value string) error {
	jr.props.Set(key, value)
	return Update(jr.j.ConfigPath(), nil, func(c *config.Config) error {
		c.Set(key, value)
		return nil
	})
}

// runCmd runs a command and returns its stdout; the error keeps argv and
// stderr.
func (jr *jailRun) runCmd(ctx context.Context, c host.Cmd) ([]byte, error) {
	return jr.h.Run.Run(ctx, c)
}

// hook runs an exec_* hook on the host.
func (jr *jailRun) hook(ctx context.Context, key string, env []string) error {
	c, ok, err := HookCmd(jr.get(key))
	if err != nil || !ok {
		return err
	}
	c.Env = env
	_, err = jr.runCmd(ctx, c)
	return err
}

// wantsDHCP is iocage's test: dhcp=1 or DHCP in ip4_addr.
func wantsDHCP(p *config.Config) bool {
	v, _ := p.Get("ip4_addr")
	return p.Bool("dhcp") || strings.Contains(strings.ToUpper(v), "DHCP")
}

// checkStartable refuses what iocage never starts: corrupt configs,
// templates, other jail types, and a release newer than the host.
func checkStartable(j *Jail, facts HostFacts) error {
	if j.Err != nil {
		return fmt.Errorf("%s: %w", j.Name, j.Err)
	}
	if j.Template || j.Props.Bool("template") {
		return fmt.Errorf("Please convert back to a jail before trying to start %s", j.Name)
	}
	typ, _ := j.Props.Get("type")
	switch typ {
	case "jail", "plugin", "pluginv2", "clonejail":
	case "basejail":
		return fmt.Errorf("Please run \"iocage migrate\" before trying to start %s", j.Name)
	case "template":
		return fmt.Errorf("Please convert back to a jail before trying to start %s", j.Name)
	default:
		return fmt.Errorf("%s is not a supported jail type.", typ)
	}
	// iocage.py start: check_release_newer(release, major_only=True), which
	// (ioc_common.py check_release_newer, get_host_release) compares majors
	// only and checks nothing on a host that is not a RELEASE (CURRENT,
	// BETA, RC, PRERELEASE); a STABLE host counts as a RELEASE.
	release, _ := j.Props.Get("release")
	if release != "EMPTY" && hostIsRelease(facts.Release) {
		hv, hok := facts.version()
		jv, jok := parseRelVersion(release)
		if hok && jok && hv/100 < jv/100 {
			hostRel, _, _ := strings.Cut(facts.Release, "-")
			jailRel, _, _ := strings.Cut(release, "-")
			return fmt.Errorf("Host: %s is not greater than jail: %s This is unsupported.", hostRel, jailRel)
		}
	}
	return nil
}

// hostIsRelease is ioc_common.py get_host_release's test: a host release
// without -RELEASE (or -STABLE, which FreeNAS runs) is "Not a RELEASE".
func hostIsRelease(release string) bool {
	return strings.Contains(release, "-RELEASE") || strings.Contains(release, "-STABLE")
}

// checkFstab reads the jail's fstab the way the start needs it: every
// entry with at least four fields and an absolute mount point.
func checkFstab(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	for i, line := range strings.Split(string(b), "\n") {
		if k := strings.IndexByte(line, '#'); k >= 0 {
			line = line[:k]
		}
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if len(f) < 4 {
			return fmt.Errorf("%s line %d: an entry needs source, destination, type and options: %q", path, i+1, strings.TrimSpace(line))
		}
		if !strings.HasPrefix(f[1], "/") {
			return fmt.Errorf("%s line %d: destination %s is not an absolute path", path, i+1, f[1])
		}
	}
	return nil
}

// networkChecks are iocage's refusals of incompatible network properties,
// all reported at once.
func networkChecks(name string, p *config.Config) error {
	var msgs []string
	vnet := p.Bool("vnet")
	ip6, _ := p.Get("ip6_addr")
	if wantsDHCP(p) {
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

// startOne starts one jail. warn receives warnings.
func (h *Host) startOne(ctx context.Context, r *run, j *Jail, warn io.Writer) (err error) {
	facts, err := r.hostFacts(ctx)
	if err != nil {
		return err
	}
	if err := checkStartable(j, facts); err != nil {
		return err
	}
	jr := &jailRun{r: r, h: h, j: j, props: j.Props.Clone(), out: h.Out, warn: warn}
	if jr.out == nil {
		jr.out = io.Discard
	}
	name := jr.uuid()

	if jr.props.Bool("hostid_strict_check") {
		b, _ := os.ReadFile(r.paths.HostID)
		if strings.TrimSpace(string(b)) != jr.get("hostid") {
			return fmt.Errorf("%s hostid is not matching and 'hostid_strict_check' is on! - Not starting jail", name)
		}
	}
	if err := checkFstab(j.FstabPath()); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if err := networkChecks(name, jr.props); err != nil {
		return err
	}
	vnet := jr.props.Bool("vnet")
	nat := jr.props.Bool("nat")
	dhcp := wantsDHCP(jr.props)
	natIface := jr.get("nat_interface")
	if nat {
		if err := r.claimNATPorts(j, jr.get("nat_forwards")); err != nil {
			return err
		}
		defer func() {
			if err != nil && !isDegraded(err) {
				r.releaseNATPorts(j)
			}
		}()
		if natIface == "none" {
			n, err := r.fibNet(ctx, jr.fib())
			if err != nil {
				return err
			}
			if natIface, err = n.defaultIface(); err != nil {
				return err
			}
			jr.warnf("%s: nat requires nat_interface, using %s", name, natIface)
		}
	}
	gw4, gw6 := jr.get("defaultrouter"), jr.get("defaultrouter6")
	if vnet && (gw4 == "auto" || gw6 == "auto") {
		n, err := r.fibNet(ctx, jr.fib())
		if err != nil {
			return err
		}
		if gw4 == "auto" {
			if gw4 = n.GW4; gw4 == "" {
				jr.warnf("No default gateway found for ipv4.")
				gw4 = "none"
			}
		}
		if gw6 == "auto" {
			if gw6 = n.GW6; gw6 == "" {
				jr.warnf("No default gateway found for ipv6.")
				gw6 = "none"
			}
		}
	}

	rv := revert.New()
	rv.Log = warn
	cctx := context.WithoutCancel(ctx)
	defer func() {
		if err != nil && !isDegraded(err) {
			rv.Fail()
			if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
				err = &interrupted{err, cerr}
			}
		}
	}()

	if err := jr.syncRCConf(ctx, dhcp); err != nil {
		return err
	}
	// ioc_start.py __start_jail__ runs both mounts with Popen and never
	// looks at the result: the jail starts without the file system. jcage
	// starts it too, and reports the failure in the exit status.
	if jr.props.Bool("mount_procfs") {
		node, err := confine.CheckPath(jr.root(), "proc", false)
		if errors.Is(err, fs.ErrNotExist) {
			// mount(8) reports the missing directory itself; the jail
			// runs on without procfs, as under iocage.
			node, err = confine.Path(jr.root(), "proc"), nil
		}
		if err != nil {
			return fmt.Errorf("%s: mount procfs: %w", name, err)
		}
		if _, err := jr.runCmd(ctx, host.Cmd{Name: "mount", Args: []string{"-t", "procfs", "proc", node}}); err != nil {
			jr.degrade("mount procfs: %s", errorText(err))
		} else {
			rv.Add(func() error { return jr.umountQuiet(cctx, node) })
		}
	}
	if jr.props.Bool("mount_linprocfs") {
		node, err := confine.CheckPath(jr.root(), "compat/linux/proc", true)
		if err != nil {
			return fmt.Errorf("%s: mount linprocfs: %w", name, err)
		}
		if _, err := jr.runCmd(ctx, host.Cmd{Name: "mount", Args: []string{"-t", "linprocfs", "linproc", node}}); err != nil {
			jr.degrade("mount linprocfs: %s", errorText(err))
		} else {
			rv.Add(func() error { return jr.umountQuiet(cctx, node) })
		}
	}
	if jr.props.Bool("jail_zfs") {
		if err := jr.prepareJailZFS(ctx); err != nil {
			return err
		}
	}

	ip4, ip6 := jr.get("ip4_addr"), jr.get("ip6_addr")
	natGateway := ""
	if nat {
		if natGateway, ip4, err = jr.allocateNAT(ctx, natIface, vnet); err != nil {
			return err
		}
		if vnet {
			gw4 = natGateway
		}
	}
	if !vnet {
		if ip4, ip6, err = jr.fixAliases(ctx, ip4, ip6); err != nil {
			return err
		}
	}

	jr.say("* Starting %s", name)
	if dhcp && jr.get("type") != "pluginv2" && jr.get("devfs_ruleset") != IocageDevfsRuleset {
		jr.warnf("  %s is not using the devfs_ruleset of %s, not generating a ruleset for the jail, DHCP may not work.", name, IocageDevfsRuleset)
	}
	if err := jr.loadParamModules(ctx); err != nil {
		return err
	}
	plug, err := h.pluginStart(ctx, j, jr.props)
	if err != nil {
		return err
	}
	ruleset, err := h.createRulesetFor(ctx, &r.devfs, j.Name, jr.props, plug)
	if err != nil {
		return err
	}
	rv.Add(func() error {
		if _, err := jr.runCmd(cctx, DevfsDelsetCmd(ruleset.Number)); err != nil {
			return err
		}
		r.devfs.forget(ruleset.Number)
		return nil
	})

	conf := JailConf(ConfInput{
		Name: j.Name, Dir: j.Dir, IOCRoot: r.inv.Tree.Mountpoint, Props: jr.props, Host: facts,
		IP4: ip4, IP6: ip6, DevfsRuleset: strconv.Itoa(ruleset.Number),
	})
	confPath := ConfPath(r.paths.RunDir, j.Name)
	if err := writeIfChanged(confPath, conf.Render(), false); err != nil {
		return err
	}
	rv.Add(func() error {
		if err := os.Remove(confPath); err != nil && !os.IsNotExist(err) {
			return err
		}
		return nil
	})

	var preEnv []string
	if nat {
		n, err := r.fibNet(ctx, jr.fib())
		if err != nil {
			return err
		}
		router := gw4
		if !vnet {
			router = jr.get("defaultrouter")
		}
		preEnv = PrestartEnv(vnet, router, ip4, n.extAddr())
	}
	if err := jr.hook(ctx, "exec_prestart", preEnv); err != nil {
		return fmt.Errorf("Refusing to start %s: exec_prestart failed: %w", name, err)
	}
	if _, err := jr.runCmd(ctx, JailStartCmd(confPath, r.debug, jr.get("host_hostname"), j.Name)); err != nil {
		jr.say("  + Start FAILED")
		return fmt.Errorf("Refusing to start %s: %s", name, jailStderr(err))
	}
	// From here on the jail exists: any failure stops it by force.
	forced := &stopSpec{force: true, silent: true, ruleset: ruleset.Number}
	rv.Add(func() error {
		sj := *j
		sj.JID = jr.jid
		return h.stopJail(cctx, r, &sj, forced, warn)
	})
	jr.say("  + Started OK")
	jr.say("%s", ruleset.Message())

	// The JID names the host side of each vnet NIC, pins the cpuset and
	// is told to exec_poststart; a jail that needs none of them is not
	// asked for it (one process less per start).
	_, poststart, _ := HookCmd(jr.get("exec_poststart"))
	if vnet || jr.get("cpuset") != "off" || poststart {
		if jr.jid, err = jr.lookupJID(ctx); err != nil {
			return err
		}
		forced.jid = jr.jid
	}
	jr.linkDevLog()

	if vnet {
		if errs := jr.startVnet(ctx, ip4, ip6, gw4, gw6, natGateway, dhcp); len(errs) > 0 {
			jr.say("  + Configuring VNET FAILED")
			for _, e := range errs {
				jr.say("  %s", e)
			}
			return fmt.Errorf("Stopped %s due to VNET failure: %s", name, errs[0])
		}
		jr.say("  + Configuring VNET OK")
	}
	if len(conf.Net) > 0 {
		jr.say("  + Using IP options: %s", strings.Join(conf.Net, " "))
	}
	if jr.props.Bool("jail_zfs") {
		if err := jr.attachJailZFS(ctx); err != nil {
			return err
		}
	}
	if err := jr.writeResolv(); err != nil {
		return fmt.Errorf("%s: resolv.conf: %w", name, err)
	}
	if err := jr.copyLocaltime(); err != nil {
		return fmt.Errorf("%s: localtime: %w", name, err)
	}
	if nat {
		if err := jr.addNATRules(ctx, natIface, ip4); err != nil {
			return err
		}
	}

	if err := jr.jexecLogged(ctx, strings.Fields(jr.get("exec_start"))); err != nil {
		jr.say("  + Starting services FAILED")
		return fmt.Errorf("Refusing to start %s: exec_start failed: %w", name, err)
	}
	jr.say("  + Starting services OK")
	if jr.props.Bool("rtsold") || strings.Contains(ip6, "accept_rtadv") {
		// Best effort, as in iocage: the jail may not ship rtsold.
		jr.runCmd(ctx, JexecCmd(jr.fib(), j.Name, "service", "rtsold", "start"))
	}
	if err := jr.hook(ctx, "exec_poststart", PoststartEnv(jr.jid, j.Name)); err != nil {
		return fmt.Errorf("Refusing to start %s: exec_poststart failed: %w", name, err)
	}
	jr.say("  + Executing poststart OK")

	if vnet && dhcp {
		addr, err := jr.dhcpAddress(ctx)
		if err != nil {
			jr.say("  + Acquiring DHCP address: FAILED, address received: %s", addr)
			return fmt.Errorf("Stopped %s due to DHCP failure", name)
		}
		jr.say("  + DHCP Address: %s", addr)
	}
	if err := jr.store("last_started", r.now().UTC().Format("2006-01-02 15:04:05")); err != nil {
		return err
	}
	// ioc_start.py __start_jail__ sets last_started, then the RCTL rules
	// and the cpuset, and only logs their failures: the jail keeps
	// running. So does it here; the failures come back as a
	// DegradedError, which the exit status reports.
	jr.applyRCTL(ctx)
	if cs := jr.get("cpuset"); cs != "off" {
		jr.say("  + Setting cpuset to: %s", cs)
		if _, err := jr.runCmd(ctx, CpusetCmd(cs, jr.jid)); err != nil {
			jr.say("  + Failed to set cpuset to: %s", cs)
			jr.degrade("Failed to set cpuset to: %s: %s", cs, errorText(err))
		}
	}
	rv.Success()
	if len(jr.degraded) > 0 {
		return &DegradedError{Jail: name, Failures: jr.degraded}
	}
	return nil
}

// interrupted keeps a step's message while telling callers (and main's
// exit status) that SIGINT or SIGTERM stopped the command.
type interrupted struct {
	err   error
	cause error
}

func (e *interrupted) Error() string { return e.err.Error() }
func (e *interrupted) Unwrap() error { return e.cause }

// JailStartCmd is `jail [-v] -f FILE -c`, with the environment iocage
// gives jail(8).
func JailStartCmd(confPath string, debug bool, hostname, name string) host.Cmd {
	args := []string{"-f", confPath, "-c"}
	if debug {
		args = append([]string{"-v"}, args...)
	}
	return host.Cmd{Name: "jail", Args: args, Env: []string{"IOCAGE_HOSTNAME=" + hostname, "IOCAGE_NAME=" + JailName(name)}}
}

// CpusetCmd pins a running jail to CPUs. iocage passes the jail's name to
// -j; cpuset(1) of older releases reads -j as a number only, so jcage
// passes the JID, as the freebsd/iocage fork does for live changes.
func CpusetCmd(list string, jid int) host.Cmd {
	return host.Cmd{Name: "cpuset", Args: []string{"-l", list, "-j", strconv.Itoa(jid)}}
}

// RCTLCmds are the rctl(8) calls for the jail's limits: every rule of the
// jail removed, then one rule per resource that is not off.
func RCTLCmds(name string, p *config.Config) []host.Cmd {
	var rules []host.Cmd
	for _, res := range config.RctlResources {
		v, ok := p.Get(res)
		if !ok || v == "off" || v == "" {
			continue
		}
		rules = append(rules, host.Cmd{Name: "rctl", Args: []string{"-a", "jail:" + JailName(name) + ":" + res + ":" + v}})
	}
	if len(rules) == 0 {
		return nil
	}
	return append([]host.Cmd{{Name: "rctl", Args: []string{"-r", "jail:" + JailName(name) + ":"}}}, rules...)
}

// applyRCTL sets the jail's limits; failures are recorded with degrade,
// not returned, as the jail is already running.
func (jr *jailRun) applyRCTL(ctx context.Context) {
	cmds := RCTLCmds(jr.j.Name, jr.props)
	if len(cmds) == 0 {
		return
	}
	out, err := jr.runCmd(ctx, host.Cmd{Name: "sysctl", Args: []string{"kern.racct.enable"}})
	if err != nil || !strings.HasSuffix(strings.TrimSpace(string(out)), "1") {
		jr.degrade("Please set kern.racct.enable -> 1 to set rctl rules")
		return
	}
	// No rule to remove is not a failure.
	jr.runCmd(ctx, cmds[0])
	jr.say("  + Setting RCTL props")
	var failed []string
	for _, c := range cmds[1:] {
		if _, err := jr.runCmd(ctx, c); err != nil {
			parts := strings.Split(c.Args[1], ":")
			failed = append(failed, parts[2])
		}
	}
	if len(failed) > 0 {
		jr.say("  + Failed to set %s RCTL props", strings.Join(failed, ", "))
		jr.degrade("Failed to set %s RCTL props", strings.Join(failed, ", "))
	}
}

// lookupJID asks jls for the JID of the jail just created.
func (jr *jailRun) lookupJID(ctx context.Context) (int, error) {
	out, err := jr.runCmd(ctx, host.Cmd{Name: "jls", Args: []string{"-j", JailName(jr.j.Name), "jid"}})
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil {
		return 0, fmt.Errorf("jls: unexpected jid %q", strings.TrimSpace(string(out)))
	}
	return n, nil
}

// jailStderr is what jail(8) said when it failed.
func jailStderr(err error) string {
	var re *host.RunError
	if errors.As(err, &re) && strings.TrimSpace(re.Stderr) != "" {
		return strings.Join(strings.Fields(strings.TrimSpace(re.Stderr)), " ")
	}
	return errorText(err)
}

// jexecLogged runs argv inside the jail and appends its output to the
// jail's console log, as iocage does with exec_start and exec_stop.
func (jr *jailRun) jexecLogged(ctx context.Context, argv []string) error {
	if len(argv) == 0 {
		return nil
	}
	var buf bytes.Buffer
	c := JexecCmd(jr.fib(), jr.j.Name, argv...)
	c.Stdout, c.Stderr = &buf, &buf
	_, err := jr.runCmd(ctx, c)
	logPath := ServiceLogPath(jr.r.inv.Tree.Mountpoint, jr.j.Name)
	if f, ferr := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644); ferr == nil {
		f.Write(buf.Bytes())
		f.Close()
	}
	return err
}

func (jr *jailRun) umountQuiet(ctx context.Context, node string) error {
	_, err := jr.runCmd(ctx, host.Cmd{Name: "umount", Args: []string{"-f", node}})
	return err
}

// linkDevLog makes /dev/log inside the jail point at syslogd's socket.
// Best effort, as in iocage: a /dev that is no directory gets nothing.
func (jr *jailRun) linkDevLog() {
	if confine.IsDir(jr.root(), "dev") {
		confine.Symlink("../var/run/log", jr.root(), "dev/log")
	}
}

// hasEtc reports whether the jail has an /etc of its own (a directory,
// not a symlink); a root without one is no FreeBSD tree, and then
// nothing is written there.
func (jr *jailRun) hasEtc() bool { return confine.IsDir(jr.root(), "etc") }

// writeResolv is iocage's resolv.conf handling: a copy of the host's for
// /etc/resolv.conf and none, nothing for /dev/null, and any other value as
// the file's content, ';' separating lines.
func (jr *jailRun) writeResolv() error {
	if !jr.hasEtc() {
		return nil
	}
	resolver := jr.get("resolver")
	var data []byte
	switch resolver {
	case "/dev/null":
		return nil
	case "/etc/resolv.conf", "none":
		b, err := os.ReadFile(jr.r.paths.Resolv)
		if os.IsNotExist(err) {
			return nil
		}
		if err != nil {
			return err
		}
		data = b
	default:
		var b strings.Builder
		for _, line := range strings.Split(resolver, ";") {
			b.WriteString(line + "\n")
		}
		data = []byte(b.String())
	}
	// Usually nothing changed since the last start.
	return confine.WriteIfChanged(jr.root(), "etc/resolv.conf", data, 0o644)
}

// copyLocaltime gives the jail the host's time zone when host_time is on:
// /etc/localtime copied, a symlink as a symlink.
func (jr *jailRun) copyLocaltime() error {
	if !jr.props.Bool("host_time") {
		return nil
	}
	if !jr.hasEtc() {
		return nil
	}
	src := jr.r.paths.Localtime
	fi, err := os.Lstat(src)
	if err != nil {
		return nil
	}
	if fi.Mode()&os.ModeSymlink != 0 {
		target, err := os.Readlink(src)
		if err != nil {
			return err
		}
		if err := confine.Remove(jr.root(), "etc/localtime"); err != nil {
			return err
		}
		return confine.Symlink(target, jr.root(), "etc/localtime")
	}
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return confine.WriteFile(jr.root(), "etc/localtime", b, 0o644)
}

// writeIfChanged writes path only when its content differs, as iocage
// rewrites the jail.conf only on a change; durable says whether the
// write is fsynced (not for the run directory's jail.conf).
func writeIfChanged(path, content string, durable bool) error {
	if b, err := os.ReadFile(path); err == nil && string(b) == content {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return config.ReplaceFile(path, []byte(content), 0o644, durable)
}

// syncRCConf keeps the jail's rc.conf in line with DHCP and SLAAC: each
// NIC that wants DHCP gets ifconfig_epairNb="SYNCDHCP", each that wants
// router advertisements its _ipv6 line, rtsold=1 rtsold_enable=YES; the
// entries are removed again when no longer wanted. Only changes run sysrc.
func (jr *jailRun) syncRCConf(ctx context.Context, dhcp bool) error {
	// sysrc(8) below edits the file by its path and would follow a
	// symlink; the jail is not running yet, so nothing inside it can swap
	// the checked path before sysrc runs.
	data, err := confine.ReadFile(jr.root(), "etc/rc.conf")
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: %w", jr.uuid(), err)
	}
	rcconf := confine.Path(jr.root(), "etc/rc.conf")
	current := parseRCConf(data)
	type entry struct{ key, value string }
	var want []entry
	var unwanted []string
	dhcpNics := map[string]bool{}
	if jr.props.Bool("dhcp") {
		for _, n := range parseInterfaces(jr.get("interfaces")) {
			dhcpNics[n.JailNic()] = true
		}
	} else {
		for _, a := range strings.Split(jr.get("ip4_addr"), ",") {
			a, _, _ = strings.Cut(a, "/")
			if nic, addr, ok := strings.Cut(a, "|"); ok && strings.ToUpper(addr) == "DHCP" {
				dhcpNics[jailNic(nic)] = true
			}
		}
	}
	rtadvNics := map[string]bool{}
	for _, a := range strings.Split(jr.get("ip6_addr"), ",") {
		if nic, addr, ok := strings.Cut(a, "|"); ok && addr == "accept_rtadv" {
			rtadvNics[jailNic(nic)] = true
		}
	}
	for _, n := range parseInterfaces(jr.get("interfaces")) {
		nic := n.JailNic()
		if dhcp && dhcpNics[nic] {
			want = append(want, entry{"ifconfig_" + nic, "SYNCDHCP"})
		} else if current["ifconfig_"+nic] == "SYNCDHCP" {
			unwanted = append(unwanted, "ifconfig_"+nic)
		}
		const rtadv = "inet6 auto_linklocal accept_rtadv autoconf"
		if rtadvNics[nic] {
			want = append(want, entry{"ifconfig_" + nic + "_ipv6", rtadv})
		} else if current["ifconfig_"+nic+"_ipv6"] == rtadv {
			unwanted = append(unwanted, "ifconfig_"+nic+"_ipv6")
		}
	}
	if jr.props.Bool("rtsold") {
		if !strings.Contains(jr.get("ip6_addr"), "accept_rtadv") {
			return errors.New("Must set at least one ip6_addr to accept_rtadv!")
		}
		want = append(want, entry{"rtsold_enable", "YES"})
	}
	if len(want) > 0 || len(unwanted) > 0 {
		if _, err := confine.CheckPath(jr.root(), "etc", false); err != nil {
			return fmt.Errorf("%s: %w", jr.uuid(), err)
		}
		if fi, err := confine.Lstat(jr.root(), "etc/rc.conf"); err == nil && !fi.Mode().IsRegular() {
			return fmt.Errorf("%s: %s is not a regular file", jr.uuid(), rcconf)
		}
	}
	for _, e := range want {
		if current[e.key] == e.value {
			continue
		}
		if _, err := jr.runCmd(ctx, host.Cmd{Name: "sysrc", Args: []string{"-f", rcconf, e.key + "=" + e.value}}); err != nil {
			return fmt.Errorf("%s: %w", jr.uuid(), err)
		}
	}
	for _, k := range unwanted {
		if _, err := jr.runCmd(ctx, host.Cmd{Name: "sysrc", Args: []string{"-f", rcconf, "-x", k}}); err != nil {
			return fmt.Errorf("%s: %w", jr.uuid(), err)
		}
	}
	return nil
}

// parseRCConf reads the simple name="value" assignments of an rc.conf.
func parseRCConf(b []byte) map[string]string {
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

// poolDataset names a dataset given relative to the pool, as
// jail_zfs_dataset is.
// prepareJailZFS makes each jail_zfs_dataset exist and marks it jailed.
func (jr *jailRun) prepareJailZFS(ctx context.Context) error {
	for _, rel := range strings.Fields(jr.get("jail_zfs_dataset")) {
		ds := jr.r.inv.Tree.PoolDataset(rel)
		if _, err := jr.h.ZFS.Get(ctx, ds); errors.Is(err, zfs.ErrNotFound) {
			if err := jr.h.ZFS.Create(ctx, ds, zfs.CreateOptions{Props: map[string]string{"mountpoint": "none"}}); err != nil {
				return fmt.Errorf("%s: %w", jr.uuid(), err)
			}
		} else if err != nil {
			return err
		}
		if err := jr.h.ZFS.SetProps(ctx, ds, map[string]string{"jailed": "on"}); err != nil {
			return fmt.Errorf("%s: %w", jr.uuid(), err)
		}
	}
	return nil
}

// attachJailZFS hands each jail_zfs_dataset to the jail and mounts its
// children inside, unless the dataset's mountpoint is none.
func (jr *jailRun) attachJailZFS(ctx context.Context) error {
	for _, rel := range strings.Fields(jr.get("jail_zfs_dataset")) {
		ds := jr.r.inv.Tree.PoolDataset(rel)
		children, err := jr.h.ZFS.List(ctx, ds, zfs.ListOptions{Recursive: true})
		if err != nil {
			return fmt.Errorf("%s: %w", jr.uuid(), err)
		}
		if _, err := jr.runCmd(ctx, host.Cmd{Name: "zfs", Args: []string{"jail", JailName(jr.j.Name), ds}}); err != nil {
			return fmt.Errorf("%s: %w", jr.uuid(), err)
		}
		var mountpoint string
		for _, c := range children {
			if c.Name == ds {
				mountpoint = c.Mountpoint
			}
		}
		if mountpoint == "none" {
			continue
		}
		for _, c := range children {
			if _, err := jr.runCmd(ctx, JexecCmd(jr.fib(), jr.j.Name, "zfs", "mount", c.Name)); err != nil {
				return fmt.Errorf("%s: %w", jr.uuid(), err)
			}
		}
	}
	return nil
}

// fixAliases applies assign_localhost and iocage's alias fix-up to the
// addresses of a non-vnet jail.
func (jr *jailRun) fixAliases(ctx context.Context, ip4, ip6 string) (string, string, error) {
	needNet := jr.props.Bool("assign_localhost")
	for _, list := range []string{ip4, ip6} {
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
		return ip4, ip6, nil
	}
	n, err := jr.r.hostNet(ctx)
	if err != nil {
		return "", "", err
	}
	localhost := ""
	if jr.props.Bool("assign_localhost") {
		lo := jr.get("localhost_ip")
		if lo == "none" {
			if lo, err = n.unusedLoopback(); err != nil {
				return "", "", err
			}
			if err := jr.store("localhost_ip", lo); err != nil {
				return "", "", err
			}
		}
		if jr.hasEtc() {
			if err := replaceLocalhost(jr.root(), lo); err != nil {
				return "", "", err
			}
		}
		if n.CheckAliases(lo, false) != lo {
			if _, err := jr.runCmd(ctx, host.Cmd{Name: "ifconfig", Args: []string{"lo0", "alias", lo + "/32"}}); err != nil {
				return "", "", err
			}
		} else {
			for _, o := range jr.r.inv.Jails {
				if o.JLS != nil && containsString(o.JLS.IPv4, lo) {
					jr.warnf("  %s is reusing a localhost address, failure may occur!", jr.uuid())
				}
			}
		}
		localhost = lo
	}
	if ip4 != "none" {
		ip4 = n.CheckAliases(ip4, false)
	}
	// The loopback address is on lo0 now (the host snapshot was read
	// before the alias): it joins the list as it is, never as the default
	// interface's alias.
	if localhost != "" {
		if ip4 == "none" {
			ip4 = localhost
		} else {
			ip4 += "," + localhost
		}
	}
	if ip6 != "none" {
		ip6 = n.CheckAliases(ip6, true)
	}
	return ip4, ip6, nil
}

// replaceLocalhost points the jail's 127.0.0.1 lines at its own loopback
// address.
func replaceLocalhost(root, lo string) error {
	b, err := confine.ReadFile(root, "etc/hosts")
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	lines := strings.SplitAfter(string(b), "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "127.0.0.1") {
			lines[i] = strings.ReplaceAll(l, "127.0.0.1", lo)
		}
	}
	out := strings.Join(lines, "")
	if out == string(b) {
		return nil
	}
	return confine.WriteFile(root, "etc/hosts", []byte(out), 0o644)
}

// dhcpAddress reads the address the jail's first NIC got by DHCP.
func (jr *jailRun) dhcpAddress(ctx context.Context) (string, error) {
	nics := parseInterfaces(jr.get("interfaces"))
	if len(nics) == 0 {
		return "ERROR, check jail logs", errors.New("no interface")
	}
	out, err := jr.runCmd(ctx, host.Cmd{Name: "jexec", Args: []string{JailName(jr.j.Name), "ifconfig", nics[0].JailNic(), "inet"}})
	if err != nil {
		return "ERROR, check jail logs", err
	}
	addr, err := ParseDHCPAddress(string(out))
	if err != nil {
		return "ERROR, check jail logs", err
	}
	if strings.Contains(addr, "0.0.0.0") {
		return addr, errors.New("no address")
	}
	return addr, nil
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

// startVnet wires every NIC of a vnet jail and its default routes; it
// returns the failures. It follows ioc_start.py start_network,
// start_network_interface_vnet and start_network_vnet_addr of the
// freebsd/iocage fork: a NIC whose bridge is none joins no bridge and
// takes vnet_default_mtu; lo0|ADDR sets an alias on the jail's own lo0;
// DHCP stands in for the IPv4 addresses only, so static IPv6 addresses
// are still set; and each family's default route is skipped on its own,
// IPv4 for DHCP and IPv6 for accept_rtadv.
func (jr *jailRun) startVnet(ctx context.Context, ip4, ip6, gw4, gw6, natGateway string, dhcp bool) []string {
	n, err := jr.r.fibNet(ctx, jr.fib())
	if err != nil {
		return []string{errorText(err)}
	}
	defIf := jr.get("vnet_default_interface")
	if defIf != "auto" && defIf != "none" && !n.has(defIf) {
		return []string{`Set property "vnet_default_interface" to "auto", "none" or a valid interface e.g "lagg0"`}
	}
	if defIf == "auto" {
		if defIf, err = n.defaultIface(); err != nil {
			return []string{errorText(err)}
		}
	}
	rtadv := strings.Contains(ip6, "accept_rtadv")
	nics := parseInterfaces(jr.get("interfaces"))
	var errs []string
	for _, nic := range nics {
		mtu := jr.get(nic.Nic + "_mtu")
		if mtu == "" || mtu == "auto" {
			if natGateway != "" || nic.Bridge == "none" {
				mtu = jr.get("vnet_default_mtu")
			} else {
				mtu = jr.bridgeMTU(ctx, nic.Bridge, defIf, dhcp)
			}
		}
		configured := false
		for _, fam := range []struct {
			addrs string
			v6    bool
		}{{ip4, false}, {ip6, true}} {
			addrs := fam.addrs
			if dhcp && !fam.v6 {
				// DHCP brings the NIC up whatever the IPv4 addresses say.
				addrs = nic.Nic + "|''"
			}
			if addrs == "none" {
				continue
			}
			for _, a := range strings.Split(addrs, ",") {
				iface, ip := splitAddr(a)
				if iface != nic.Nic && iface != "lo0" {
					continue
				}
				if iface != "lo0" && !configured {
					configured = true
					if e := jr.startVnetIface(ctx, nic, mtu, defIf, natGateway, rtadv); e != "" {
						errs = append(errs, e)
					}
				}
				if (dhcp && !fam.v6) || ip == "accept_rtadv" {
					continue
				}
				if _, err := jr.runCmd(ctx, VnetAddrCmd(jr.fib(), jr.j.Name, iface, ip, fam.v6)); err != nil {
					errs = append(errs, errorText(err))
				}
			}
		}
	}
	if len(errs) > 0 {
		return errs
	}
	for _, r := range []struct {
		addrs, gw string
		v6, skip  bool
	}{{ip4, gw4, false, dhcp}, {ip6, gw6, true, rtadv}} {
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
					if i, _ := splitAddr(a); i == n.Nic && nic == "vnet0" {
						nic = n.Nic
					}
				}
			}
			gw = strings.SplitN(gw, "%", 2)[0] + "%" + jailNic(nic)
		}
		if _, err := jr.runCmd(ctx, DefaultRouteCmd(jr.fib(), jr.j.Name, gw, r.v6)); err != nil {
			errs = append(errs, errorText(err))
		}
	}
	return errs
}

// bridgeMTU is the MTU a NIC takes from its bridge: the bridge is created
// if missing (best effort, with the default interface for DHCP), and its
// first member's MTU is used; vnet_default_mtu when it has none.
func (jr *jailRun) bridgeMTU(ctx context.Context, bridge, defIf string, dhcp bool) string {
	// iocage runs `ifconfig BRIDGE create addm` with nothing to add when
	// not using DHCP; jcage leaves the dangling addm out.
	args := []string{bridge, "create"}
	if dhcp && defIf != "none" {
		args = append(args, "addm", defIf)
	}
	jr.runCmd(ctx, host.Cmd{Name: "ifconfig", Args: args})
	out, err := jr.runCmd(ctx, host.Cmd{Name: "ifconfig", Args: []string{bridge}})
	if err == nil {
		for _, line := range strings.Split(string(out), "\n") {
			f := strings.Fields(line)
			if len(f) >= 2 && strings.HasPrefix(f[0], "member") {
				mout, err := jr.runCmd(ctx, host.Cmd{Name: "ifconfig", Args: []string{f[1]}})
				if mf := strings.Fields(string(mout)); err == nil && len(mf) > 5 {
					return mf[5]
				}
				break
			}
		}
	}
	return jr.get("vnet_default_mtu")
}

// startVnetIface creates and wires one NIC.
func (jr *jailRun) startVnetIface(ctx context.Context, nic vnetNic, mtu, defIf, natGateway string, rtadv bool) string {
	macA, macB, err := jr.vnetMAC(nic.Nic)
	if err != nil {
		return errorText(err)
	}
	out, err := jr.runCmd(ctx, host.Cmd{Name: "ifconfig", Args: []string{"epair", "create"}})
	if err != nil {
		return errorText(err)
	}
	epairA := strings.TrimSpace(string(out))
	cmds, optional := VnetIfaceCmds(VnetIfaceSpec{
		Name: jr.j.Name, JID: jr.jid, Fib: jr.fib(), Nic: nic, EpairA: epairA, MTU: mtu,
		MacA: macA, MacB: macB, DefaultIf: defIf, NATAddr: natGateway, RtAdv: rtadv,
	})
	for i, c := range cmds {
		if _, err := jr.runCmd(ctx, c); err != nil && i != optional {
			return errorText(err)
		}
	}
	return ""
}

// vnetMAC returns the NIC's MAC pair: vnetN_mac, or one generated and
// stored.
func (jr *jailRun) vnetMAC(nic string) (string, string, error) {
	v := jr.get(nic + "_mac")
	if v == "" || v == "none" {
		a, b := GenerateMAC(jr.j.Name, nic, jr.get("mac_prefix"))
		return a, b, jr.store(nic+"_mac", a+" "+b)
	}
	f := strings.Fields(strings.ReplaceAll(v, ",", " "))
	if len(f) != 2 {
		return "", "", fmt.Errorf("Please correct mac addresses format for %s", nic)
	}
	return f[0], f[1], nil
}

// claimNATPorts refuses nat_forwards host ports another running NAT jail,
// or a jail started earlier by this command, already forwards.
func (r *run) claimNATPorts(j *Jail, forwards string) error {
	ports := natHostPorts(forwards)
	if len(ports) == 0 {
		return nil
	}
	r.natMu.Lock()
	defer r.natMu.Unlock()
	if r.natPorts == nil {
		r.natPorts = map[int]string{}
	}
	used := map[int]bool{}
	for p := range r.natPorts {
		used[p] = true
	}
	for _, o := range r.inv.Jails {
		if o == j || !o.Running() || o.Props == nil || !o.Props.Bool("nat") {
			continue
		}
		v, _ := o.Props.Get("nat_forwards")
		for _, p := range natHostPorts(v) {
			used[p] = true
		}
	}
	for _, p := range ports {
		if used[p] {
			return fmt.Errorf("Please correct %s port rule as another running jail is using one of the mentioned ports.", forwards)
		}
	}
	for _, p := range ports {
		r.natPorts[p] = j.Name
	}
	return nil
}

func (r *run) releaseNATPorts(j *Jail) {
	r.natMu.Lock()
	defer r.natMu.Unlock()
	for p, n := range r.natPorts {
		if n == j.Name {
			delete(r.natPorts, p)
		}
	}
}

// NATBackendCmds prepare the host for NAT: forwarding on, and the backend's
// kernel module. For pf, pfctl -e runs only when kldload loaded it now;
// for ipfw, the rest runs only when enabling ipfw failed.
func NATBackendCmds(backend string) (first []host.Cmd, then []host.Cmd) {
	first = []host.Cmd{{Name: "sysctl", Args: []string{"-q", "net.inet.ip.forwarding=1"}}}
	if backend == "pf" {
		return append(first, host.Cmd{Name: "kldload", Args: []string{"pf"}}),
			[]host.Cmd{{Name: "pfctl", Args: []string{"-e"}}}
	}
	return append(first, host.Cmd{Name: "sysctl", Args: []string{"net.inet.ip.fw.enable=1"}}),
		[]host.Cmd{
			{Name: "kenv", Args: []string{"net.inet.ip.fw.default_to_accept=1"}},
			{Name: "kldload", Args: []string{"-n", "ipfw"}},
			{Name: "kldload", Args: []string{"-n", "ipfw_nat"}},
			{Name: "sysctl", Args: []string{"-q", "net.inet.ip.fw.enable=1"}},
		}
}

// allocateNAT prepares the backend and gives the jail its NAT /30: the
// non-vnet jail gets IFACE|HOST1, the vnet jail vnet0|HOST2/30 behind
// HOST1. Both are stored, as iocage does. It returns the gateway (vnet)
// and ip4_addr.
func (jr *jailRun) allocateNAT(ctx context.Context, iface string, vnet bool) (string, string, error) {
	backend := jr.get("nat_backend")
	first, then := NATBackendCmds(backend)
	jr.runCmd(ctx, first[0])
	_, err := jr.runCmd(ctx, first[1])
	switch {
	case backend == "pf" && err == nil:
		if _, err := jr.runCmd(ctx, then[0]); err != nil && !strings.Contains(errorText(err), "enabled") {
			return "", "", fmt.Errorf("%s: %w", jr.uuid(), err)
		}
	case backend != "pf" && err != nil:
		for _, c := range then {
			jr.runCmd(ctx, c)
		}
	}

	r := jr.r
	r.natMu.Lock()
	defer r.natMu.Unlock()
	if r.natUsed == nil {
		n, err := r.hostNet(ctx)
		if err != nil {
			return "", "", err
		}
		r.natUsed = map[string]bool{}
		for _, i := range n.Ifaces {
			for _, a := range i.Inet {
				r.natUsed[a] = true
			}
		}
		for _, o := range r.inv.Jails {
			if !o.Running() {
				continue
			}
			out, err := jr.runCmd(ctx, host.Cmd{Name: "jexec", Args: []string{strconv.Itoa(o.JID), "ifconfig"}})
			if err != nil {
				continue
			}
			for _, i := range ParseIfconfig(string(out)) {
				for _, a := range i.Inet {
					r.natUsed[a] = true
				}
			}
		}
	}
	h1, h2, err := NATPair(jr.get("nat_prefix"), r.natUsed)
	if err != nil {
		return "", "", err
	}
	r.natUsed[h1], r.natUsed[h2] = true, true
	if !vnet {
		ip4 := iface + "|" + h1
		return "", ip4, jr.store("ip4_addr", ip4)
	}
	ip4 := "vnet0|" + h2 + "/30"
	if err := jr.store("ip4_addr", ip4); err != nil {
		return "", "", err
	}
	return h1, ip4, jr.store("defaultrouter", h1)
}

// parsePrefix returns the broadcast address of an IPv4 prefix.
func parsePrefix(s string) (string, error) {
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

// addNATRules writes the backend's rule file under iocage's lock and
// loads it.
func (jr *jailRun) addNATRules(ctx context.Context, iface, ip4 string) error {
	dir := jr.r.paths.NATDir
	lockPath := filepath.Join(dir, "iocage_nat_lock")
	if f, err := os.OpenFile(lockPath, os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
		f.Close()
	} else {
		return err
	}
	lock, err := txn.LockFile(lockPath)
	if err != nil {
		return err
	}
	defer lock.Unlock()
	forwards := jr.get("nat_forwards")
	if jr.get("nat_backend") == "pf" {
		path := filepath.Join(dir, "iocage_nat_pf.conf")
		old, _ := os.ReadFile(path)
		if err := os.WriteFile(path, []byte(NATPFRules(string(old), iface, ip4, forwards)), 0o755); err != nil {
			return err
		}
		if _, err := jr.runCmd(ctx, host.Cmd{Name: "pfctl", Args: []string{"-f", path}}); err != nil {
			return fmt.Errorf("%s: %w", jr.uuid(), err)
		}
		return nil
	}
	jr.runCmd(ctx, host.Cmd{Name: "ifconfig", Args: []string{iface, "-tso4", "-lro", "-vlanhwtso"}})
	path := filepath.Join(dir, "iocage_nat_ipfw.conf")
	old, _ := os.ReadFile(path)
	if err := os.WriteFile(path, []byte(NATIPFWRules(string(old), iface, ip4, forwards)), 0o755); err != nil {
		return err
	}
	if _, err := jr.runCmd(ctx, host.Cmd{Name: "sh", Args: []string{"-c", path}}); err != nil {
		return fmt.Errorf("%s: %w", jr.uuid(), err)
	}
	return nil
}
