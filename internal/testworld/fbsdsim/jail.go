package fbsdsim

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

func init() { register("jail", jailTool) }

// The simulated jail(8) keeps running jails in the simulator's kernel
// state and replays what the real tool does around jail_set(2)
// (freebsd-interfaces.md §1.6) as state changes: IP aliases on host
// interfaces, the mount, mount.fstab, mount.devfs/fdescfs/procfs mounts
// and vnet.interface moves, undone in reverse on a failed start and on
// removal through a config file.
//
// exec.* commands: those jail(8) runs on the host (exec.prepare,
// exec.prestart, exec.created, exec.poststart, exec.prestop,
// exec.poststop, exec.release) are run on the host, with jail(8)'s rule
// for /bin/sh -c versus a plain argv, exec.timeout and exec.consolelog,
// because they are cheap and tests want to see their effects (iocage's
// exec.created is /usr/bin/true). JCAGE_SIM_JAIL_HOOKS=record only records
// them. Commands that run inside the jail (exec.start, command,
// exec.stop) cannot run here and are only recorded. Everything is logged
// in hooks.jsonl.

var jailUsage = []string{
	"usage: jail [-dhilqv] [-J jid_file] [-u username] [-U username]",
	"            -[cmr] param=value ... [command=command ...]",
	"       jail [-dqv] [-f file] [-e separator] -[cmr] [jail]",
	"       jail [-qv] [-f file] -[rR] ['*' | jail ...]",
	"       jail [-dhilqv] [-J jid_file] [-u username] [-U username]",
	"            [-n jailname] [-s securelevel]",
	"            path hostname [ip[,...]] command ...",
}

const defaultJailConf = "/etc/jail.conf"

type jailOpts struct {
	create, modify, remove, removeNoConf bool
	confFile                             string
	confGiven                            bool
	quiet, verbose, printJID             bool
	jidFile                              string
	extra                                *jparams // from -d -h -l -n -s -u -U
	jidOut                               []string
}

func jailTool(e *Env) int {
	o := &jailOpts{extra: newJparams(), confFile: defaultJailConf}
	opts, rest, msg := bsdGetopt(e.Args, "cCde:f:hiJ:lmn:p:qrRs:u:U:v")
	if msg != "" {
		return e.usageError(1, msg, jailUsage...)
	}
	listSep, list := "", false
	for _, op := range opts {
		switch op.Flag {
		case 'c':
			o.create = true
		case 'm':
			o.modify = true
		case 'r':
			o.remove = true
		case 'R':
			o.removeNoConf = true
		case 'C':
			// Cleanup of partly created jails; nothing is ever left
			// half-made here.
		case 'd':
			o.extra.set("allow.dying", nil, true)
		case 'e':
			list, listSep = true, op.Arg
		case 'f':
			o.confFile, o.confGiven = op.Arg, true
		case 'h':
			o.extra.set("ip_hostname", nil, true)
		case 'i':
			o.printJID = true
		case 'J':
			o.jidFile = op.Arg
		case 'l':
			o.extra.set("exec.clean", nil, true)
		case 'n':
			o.extra.set("name", []string{op.Arg}, false)
		case 'p':
			if n, err := strconv.Atoi(op.Arg); err != nil || n < 0 {
				return e.Errorf(1, "-p: %s: invalid number", op.Arg)
			}
		case 'q':
			o.quiet = true
		case 's':
			o.extra.set("securelevel", []string{op.Arg}, false)
		case 'u':
			o.extra.set("exec.jail_user", []string{op.Arg}, false)
			o.extra.set("exec.system_jail_user", nil, true)
		case 'U':
			o.extra.set("exec.jail_user", []string{op.Arg}, false)
			o.extra.set("exec.system_jail_user", []string{"false"}, false)
		case 'v':
			o.verbose = true
		}
	}
	if o.printJID {
		o.quiet = true
	}
	if list {
		return e.jailList(o, listSep)
	}
	if o.removeNoConf && (o.create || o.modify) {
		return e.Usage(1, jailUsage...)
	}
	code := e.jailDispatch(o, rest)
	if o.jidFile != "" {
		content := ""
		if len(o.jidOut) > 0 {
			content = strings.Join(o.jidOut, "\n") + "\n"
		}
		if err := os.WriteFile(o.jidFile, []byte(content), 0o644); err != nil {
			return e.Errorf(1, "%s: %s", o.jidFile, errnoText(err))
		}
	}
	return code
}

func (e *Env) jailDispatch(o *jailOpts, rest []string) int {
	switch {
	case !o.create && !o.modify && !o.remove && !o.removeNoConf:
		// The old positional form: path hostname ip[,...] command ...
		if len(rest) < 4 || strings.Contains(rest[0], "=") {
			return e.Usage(1, jailUsage...)
		}
		p := newJparams()
		p.set("path", []string{rest[0]}, false)
		p.set("host.hostname", []string{rest[1]}, false)
		for _, a := range strings.Split(rest[2], ",") {
			if a == "" {
				continue
			}
			if strings.Contains(a, ":") {
				p.add("ip6.addr", a)
			} else {
				p.add("ip4.addr", a)
			}
		}
		p.set("command", []string{strings.Join(rest[3:], " ")}, false)
		p.merge(o.extra)
		return e.jailCreate(p.get("name"), p, o, nil)
	case o.removeNoConf:
		if len(rest) == 0 {
			return e.Usage(1, jailUsage...)
		}
		return e.jailRemoveTargets(o, rest, nil)
	}
	cmdline := len(rest) > 1
	for _, a := range rest {
		if strings.Contains(a, "=") {
			cmdline = true
		}
	}
	if cmdline && (o.create || o.modify) {
		p, msg := parseJailArgs(rest)
		if msg != "" {
			return e.Errorf(1, "%s", msg)
		}
		p.merge(o.extra)
		name := p.get("name")
		if name == "" && p.get("jid") != "" && !o.create {
			name = p.get("jid")
		}
		return e.jailOne(name, p, o, nil)
	}
	if o.remove && !o.create && !o.modify {
		if len(rest) == 0 {
			return e.Usage(1, jailUsage...)
		}
		conf, code := e.jailConf(o, true)
		if code != 0 {
			return code
		}
		return e.jailRemoveTargets(o, rest, conf)
	}
	// -c / -m / -rc ... from jail.conf.
	if len(rest) > 1 {
		return e.Usage(1, jailUsage...)
	}
	conf, code := e.jailConf(o, false)
	if code != 0 {
		return code
	}
	names := conf.jailNames()
	if len(rest) == 1 {
		if rest[0] == "*" {
			// every configured jail
		} else if strings.HasSuffix(rest[0], ".*") {
			var sel []string
			for _, n := range names {
				if wildcardMatches(rest[0], n) {
					sel = append(sel, n)
				}
			}
			names = sel
		} else if !conf.has(rest[0]) {
			return e.Errorf(1, "\"%s\" not found", rest[0])
		} else {
			names = []string{rest[0]}
		}
	}
	status := 0
	started := map[string]bool{}
	var visit func(name string, depth int) int
	visit = func(name string, depth int) int {
		if started[name] || depth > len(conf.Blocks)+1 {
			return 0
		}
		started[name] = true
		p, err := conf.resolve(name)
		if err != nil {
			return e.Errorf(1, "%v", err)
		}
		p.merge(o.extra)
		// Jails named in depend start first.
		if o.create {
			for _, d := range p.list("depend") {
				for _, dn := range strings.FieldsFunc(d, func(r rune) bool { return r == ',' || r == ' ' }) {
					if conf.has(dn) && e.jailRunning(dn) == nil {
						if c := visit(dn, depth+1); c != 0 {
							return c
						}
					}
				}
			}
		}
		return e.jailOne(name, p, o, conf)
	}
	for _, n := range names {
		if c := visit(n, 0); c != 0 {
			status = 1
		}
	}
	return status
}

// jailConf reads the -f file (or /etc/jail.conf). For removal a missing
// default file is fine: jails are then removed by name.
func (e *Env) jailConf(o *jailOpts, removing bool) (*jailConf, int) {
	c, err := readJailConf(o.confFile, e.Stdin)
	if err != nil {
		if os.IsNotExist(err) && removing && !o.confGiven {
			return nil, 0
		}
		if pe, ok := err.(*os.PathError); ok {
			return nil, e.Errorf(1, "%s: %s", pe.Path, errnoText(err))
		}
		return nil, e.Errorf(1, "%v", err)
	}
	return c, 0
}

// parseJailArgs reads command-line parameters: name=value, boolean
// names, repeated lists, and command=... taking every remaining word.
func parseJailArgs(args []string) (*jparams, string) {
	p := newJparams()
	for i, a := range args {
		name, val, hasEq := strings.Cut(a, "=")
		if name == "command" {
			var cmd []string
			if hasEq {
				cmd = append(cmd, val)
			}
			cmd = append(cmd, args[i+1:]...)
			p.set("command", []string{strings.Join(cmd, " ")}, false)
			break
		}
		if !hasEq {
			if n, v, isNo := normalizeBoolName(name); isNo {
				p.set(n, []string{v}, false)
			} else {
				p.set(name, nil, true)
			}
			continue
		}
		switch {
		case name == "ip4.addr" || name == "ip6.addr":
			for _, x := range strings.Split(val, ",") {
				p.add(name, x)
			}
		case multiValued(name):
			p.add(name, val)
		default:
			p.set(name, []string{val}, false)
		}
	}
	return p, ""
}

func (e *Env) jailRunning(name string) *simJail {
	var j *simJail
	e.viewWorld(func(w *simWorld) { j, _ = w.jails().lookup(name) })
	return j
}

// jailOne applies the -c/-m/-r combination to one jail.
func (e *Env) jailOne(name string, p *jparams, o *jailOpts, conf *jailConf) int {
	var running *simJail
	if name != "" {
		running = e.jailRunning(name)
	} else if o.modify && !o.create {
		return e.Errorf(1, "no jail specified")
	}
	switch {
	case o.create && !o.modify && !o.remove:
		return e.jailCreate(name, p, o, conf)
	case o.modify && !o.create && !o.remove:
		if running == nil {
			return e.Errorf(1, "\"%s\" not found", name)
		}
		return e.jailModify(running, p, o, false)
	case o.create && o.modify && !o.remove:
		if running == nil {
			return e.jailCreate(name, p, o, conf)
		}
		return e.jailModify(running, p, o, false)
	case o.remove && o.create && !o.modify:
		if running != nil {
			if c := e.jailRemoveOne(running.Name, p, o, conf != nil, false); c != 0 {
				return c
			}
		}
		return e.jailCreate(name, p, o, conf)
	case o.remove && o.modify:
		if running == nil {
			if o.create {
				return e.jailCreate(name, p, o, conf)
			}
			return e.Errorf(1, "\"%s\" not found", name)
		}
		return e.jailModify(running, p, o, true)
	}
	return e.Usage(1, jailUsage...)
}

// jailPlan is a checked parameter set for one jail.
type jailPlan struct {
	name       string
	jid        int
	kernel     map[string]string // kernel parameters given, in jls's form
	korder     []string
	ip4, ip6   []ipEntry
	iface      string
	hooks      map[string][]string
	mounts     []jailMountLine
	devfs      bool
	fdescfs    bool
	procfs     bool
	ruleset    int
	vnetIfaces []string
	timeout    time.Duration
	consolelog string
	keepAlive  bool
}

// jailMountLine is one fstab(5) line jail(8) mounts (mount, mount.fstab).
type jailMountLine struct {
	param                 string // "mount" or "mount.fstab"
	spec, file, typ, opts string
	line                  string
}

func (m jailMountLine) argv() string {
	if m.opts == "" {
		return fmt.Sprintf("/sbin/mount -t %s %s %s", m.typ, m.spec, m.file)
	}
	return fmt.Sprintf("/sbin/mount -t %s -o %s %s %s", m.typ, m.opts, m.spec, m.file)
}

// planJail checks every parameter the way libjail and jail(8) do. The
// message is what jail(8) prints after "jail: NAME: ".
func (e *Env) planJail(name string, p *jparams) (*jailPlan, string) {
	pl := &jailPlan{name: name, kernel: map[string]string{}, hooks: map[string][]string{}, ruleset: 4}
	for _, n := range p.order {
		vals, bare := p.vals[n], p.bare[n]
		if n == "vnet" && e.Setting("VIMAGE") == "0" {
			return nil, "unknown parameter: vnet"
		}
		if d := kernelParam(n); d != nil {
			if d.ro {
				return nil, fmt.Sprintf("%s: parameter is read-only", n)
			}
			v, msg := importParam(n, vals, bare)
			if msg != "" {
				return nil, msg
			}
			pl.kernel[n] = v
			pl.korder = append(pl.korder, n)
			if n == "ip4.addr" || n == "ip6.addr" {
				for _, val := range vals {
					for _, item := range strings.Split(val, ",") {
						if strings.TrimSpace(item) == "" {
							continue
						}
						ent, _ := parseIPEntry(n, item)
						if n == "ip4.addr" {
							pl.ip4 = append(pl.ip4, ent)
						} else {
							pl.ip6 = append(pl.ip6, ent)
						}
					}
				}
			}
			continue
		}
		t, ok := pseudoParams[n]
		if !ok {
			return nil, "unknown parameter: " + n
		}
		if t != jpString {
			v, msg := importParam(n, vals, bare)
			if msg != "" {
				return nil, msg
			}
			switch n {
			case "mount.devfs":
				pl.devfs = v == "true"
			case "mount.fdescfs":
				pl.fdescfs = v == "true"
			case "mount.procfs":
				pl.procfs = v == "true"
			case "exec.timeout":
				s, _ := strconv.Atoi(v)
				pl.timeout = time.Duration(s) * time.Second
			}
			continue
		}
		switch {
		case n == "interface":
			pl.iface = strings.Join(vals, ",")
		case n == "vnet.interface":
			for _, v := range vals {
				pl.vnetIfaces = append(pl.vnetIfaces, strings.Fields(strings.ReplaceAll(v, ",", " "))...)
			}
		case n == "exec.consolelog":
			pl.consolelog = strings.Join(vals, ",")
		case n == "mount":
			for _, v := range vals {
				ml, msg := parseJailMountLine("mount", v)
				if msg != "" {
					return nil, msg
				}
				if ml != nil {
					pl.mounts = append(pl.mounts, *ml)
				}
			}
		case n == "mount.fstab":
			for _, f := range vals {
				b, err := os.ReadFile(f)
				if err != nil {
					return nil, fmt.Sprintf("mount.fstab: %s: %s", f, errnoText(err))
				}
				for _, line := range strings.Split(string(b), "\n") {
					ml, msg := parseJailMountLine("mount.fstab", line)
					if msg != "" {
						return nil, msg
					}
					if ml != nil {
						pl.mounts = append(pl.mounts, *ml)
					}
				}
			}
		case strings.HasPrefix(n, "exec.") || n == "command":
			pl.hooks[n] = append(pl.hooks[n], vals...)
		}
	}
	if v, ok := pl.kernel["devfs_ruleset"]; ok {
		pl.ruleset, _ = strconv.Atoi(v)
	}
	if v, ok := pl.kernel["jid"]; ok {
		pl.jid, _ = strconv.Atoi(v)
		if pl.jid <= 0 {
			return nil, fmt.Sprintf("jid: non-positive value %q", v)
		}
	}
	if name == "" && pl.kernel["name"] != "" {
		pl.name = pl.kernel["name"]
	}
	pl.keepAlive = pl.kernel["persist"] == "true" || len(pl.hooks["exec.start"]) > 0 || len(pl.hooks["command"]) > 0
	if len(pl.vnetIfaces) > 0 && pl.kernel["vnet"] != "new" {
		return nil, "vnet.interface: requires vnet"
	}
	return pl, ""
}

// parseJailMountLine reads an fstab(5) line for mount/mount.fstab; nil
// for blank and comment lines.
func parseJailMountLine(param, line string) (*jailMountLine, string) {
	text := line
	if i := strings.IndexByte(text, '#'); i >= 0 {
		text = text[:i]
	}
	// run_command() splits with strtok(" \t\f\v\r\n"), at most four
	// fields. Ledger: [jail-mount-fields].
	f := strings.FieldsFunc(text, func(r rune) bool { return strings.ContainsRune(" \t\f\v\r\n", r) })
	if len(f) == 0 {
		return nil, ""
	}
	if len(f) < 3 {
		return nil, fmt.Sprintf("%s: %s: missing information", param, strings.TrimSpace(line))
	}
	// The first two fields are strunvis(3)'d; what strunvis refuses is
	// refused. Ledger: [jail-fstab-unvis].
	spec, ok1 := strunvis(f[0])
	file, ok2 := strunvis(f[1])
	if !ok1 || !ok2 {
		bad := f[0]
		if ok1 {
			bad = f[1]
		}
		return nil, fmt.Sprintf("%s: %s: Invalid argument", param, bad)
	}
	ml := &jailMountLine{param: param, spec: spec, file: file, typ: f[2], line: strings.TrimSpace(line)}
	if len(f) > 3 {
		ml.opts = f[3]
	}
	if !filepath.IsAbs(ml.file) {
		return nil, fmt.Sprintf("%s: %s: not an absolute pathname", param, ml.file)
	}
	return ml, ""
}

// jailSideEffects records what a start changed outside the jail itself,
// so that a failed start can be unwound.
type jailSideEffects struct {
	aliases []jailAlias
	mounts  []string // mount points, in mount order
	jid     int
	moved   []string
}

type jailAlias struct {
	iface, addr string
	v6          bool
}

func (e *Env) jailNote(o *jailOpts, name, format string, a ...any) {
	if o.verbose {
		fmt.Fprintf(e.Stdout, "%s: %s\n", name, fmt.Sprintf(format, a...))
	}
}

// jailHooks runs (or records) the commands of one exec.* parameter.
func (e *Env) jailHooks(o *jailOpts, pl *jailPlan, jid int, hook string) string {
	cmds := pl.hooks[hook]
	if len(cmds) == 0 {
		return ""
	}
	var out, errOut io.Writer = e.Stdout, e.Stderr
	if pl.consolelog != "" {
		f, err := os.OpenFile(pl.consolelog, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return fmt.Sprintf("open %s: %s", pl.consolelog, errnoText(err))
		}
		defer f.Close()
		out, errOut = f, f
	}
	inside := hook == "exec.start" || hook == "exec.stop" || hook == "command"
	for _, c := range cmds {
		if inside {
			e.jailNote(o, pl.name, "run command in jail: %s", c)
			e.logHook(HookRun{Jail: pl.name, JID: jid, Hook: hook, Command: c})
			continue
		}
		e.jailNote(o, pl.name, "run command: %s", c)
		if e.Setting("JAIL_HOOKS") == "record" {
			e.logHook(HookRun{Jail: pl.name, JID: jid, Hook: hook, Command: c})
			continue
		}
		if strings.TrimSpace(c) == "/usr/bin/true" {
			// What it would do is known: nothing, successfully.
			e.logHook(HookRun{Jail: pl.name, JID: jid, Hook: hook, Command: c, Ran: true})
			continue
		}
		r := e.runHostCommand(c, out, errOut, pl.timeout)
		e.logHook(HookRun{Jail: pl.name, JID: jid, Hook: hook, Command: c, Ran: true, Status: r.status})
		if f := r.failure(c); f != "" {
			return f
		}
	}
	return ""
}

func aliasArgv(ent ipEntry, iface string, remove bool) string {
	op := "alias"
	if remove {
		op = "-alias"
	}
	var addr string
	switch {
	case ent.V6 && ent.Mask == "":
		addr = fmt.Sprintf("inet6 %s prefixlen 128", ent.Addr)
	case ent.V6:
		addr = fmt.Sprintf("inet6 %s/%s", ent.Addr, ent.Mask)
	case ent.Mask == "":
		addr = fmt.Sprintf("inet %s netmask 255.255.255.255", ent.Addr)
	case strings.Contains(ent.Mask, "."):
		addr = fmt.Sprintf("inet %s netmask %s", ent.Addr, ent.Mask)
	default:
		addr = fmt.Sprintf("inet %s/%s", ent.Addr, ent.Mask)
	}
	parts := []string{"/sbin/ifconfig", iface, addr}
	parts = append(parts, ent.Extra...)
	return strings.Join(append(parts, op), " ")
}

// jailPrepare adds IP aliases and mounts, all or nothing.
func (e *Env) jailPrepare(o *jailOpts, pl *jailPlan, path string, fx *jailSideEffects) int {
	code := 0
	type mnt struct {
		param, typ, spec, file, argv string
		opts                         []string
	}
	var ms []mnt
	for _, m := range pl.mounts {
		var opts []string
		if m.opts != "" {
			opts = []string{m.opts}
		}
		ms = append(ms, mnt{m.param, m.typ, m.spec, m.file, m.argv(), opts})
	}
	if pl.devfs {
		node := filepath.Join(path, "dev")
		ms = append(ms, mnt{"mount.devfs", "devfs", ".", node, fmt.Sprintf("/sbin/mount -t devfs -oruleset=%d . %s", pl.ruleset, node),
			[]string{fmt.Sprintf("ruleset=%d", pl.ruleset)}})
	}
	if pl.fdescfs {
		node := filepath.Join(path, "dev", "fd")
		ms = append(ms, mnt{"mount.fdescfs", "fdescfs", ".", node, "/sbin/mount -t fdescfs . " + node, nil})
	}
	if pl.procfs {
		node := filepath.Join(path, "proc")
		ms = append(ms, mnt{"mount.procfs", "procfs", ".", node, "/sbin/mount -t procfs . " + node, nil})
	}
	// The mount points are checked on the file system before the state
	// lock is taken: check_path() refuses a symbolic link in any component
	// below the jail's path. Ledger: [check-path].
	type prep struct {
		pm      preparedMount
		pathMsg string
	}
	prepared := make([]prep, len(ms))
	for i, m := range ms {
		if msg := checkPath(path, m.param, m.file, false); msg != "" {
			prepared[i].pathMsg = msg
			continue
		}
		prepared[i].pm = prepareMount(m.typ, m.spec, m.file, m.opts, pl.name)
	}
	err := e.editWorld(func(w *simWorld) bool {
		fail := func(child, argv string) bool {
			if child != "" {
				fmt.Fprintln(e.Stderr, child)
			}
			code = e.Errorf(1, "%s: %s: failed", pl.name, argv)
			return false
		}
		for _, ent := range append(append([]ipEntry(nil), pl.ip4...), pl.ip6...) {
			iface := ent.Iface
			if iface == "" {
				iface = pl.iface
			}
			if iface == "" {
				continue
			}
			argv := aliasArgv(ent, iface, false)
			e.jailNote(o, pl.name, "run command: %s", argv)
			i := w.net().find(0, iface)
			if i == nil {
				return fail(fmt.Sprintf("ifconfig: interface %s does not exist", iface), argv)
			}
			af, word, plen := "inet", ent.Addr, -1
			if ent.V6 {
				af, plen = "inet6", 128
			} else {
				plen = 32
			}
			mask := ""
			if ent.Mask != "" {
				if strings.Contains(ent.Mask, ".") {
					mask = ent.Mask
					plen = -1
				} else {
					plen, _ = strconv.Atoi(ent.Mask)
				}
			}
			if msg := w.net().setAddr(i, af, word, mask, "", plen, "alias"); msg != "" {
				return fail("ifconfig: "+msg, argv)
			}
			fx.aliases = append(fx.aliases, jailAlias{iface: iface, addr: ent.Addr, v6: ent.V6})
		}
		for i, m := range ms {
			e.jailNote(o, pl.name, "run command: %s", m.argv)
			if prepared[i].pathMsg != "" {
				code = e.Errorf(1, "%s: %s", pl.name, prepared[i].pathMsg)
				return false
			}
			prog, msg := w.mounts().commitMount(prepared[i].pm)
			if msg != "" {
				return fail(prog+": "+msg, m.argv)
			}
			fx.mounts = append(fx.mounts, w.mounts().Mounts[len(w.mounts().Mounts)-1].Node)
		}
		return true
	})
	if err != nil {
		return e.stateError(err)
	}
	if code != 0 {
		fx.aliases, fx.mounts = nil, nil
	}
	return code
}

// jailUnwind undoes a start's side effects in reverse order.
func (e *Env) jailUnwind(fx *jailSideEffects) {
	e.editWorld(func(w *simWorld) bool {
		if fx.jid > 0 {
			w.removeJail(fx.jid)
		}
		for i := len(fx.mounts) - 1; i >= 0; i-- {
			if k := w.mounts().lastAt(fx.mounts[i]); k >= 0 {
				w.mounts().Mounts = append(w.mounts().Mounts[:k], w.mounts().Mounts[k+1:]...)
			}
		}
		for i := len(fx.aliases) - 1; i >= 0; i-- {
			a := fx.aliases[i]
			if ifc := w.net().find(0, a.iface); ifc != nil {
				af := "inet"
				if a.v6 {
					af = "inet6"
				}
				w.net().setAddr(ifc, af, a.addr, "", "", -1, "-alias")
			}
		}
		return true
	})
}

// removeJail takes a jail (and its children) out of the kernel: its vnet
// is torn down and its cpuset goes away.
func (w *simWorld) removeJail(jid int) {
	j := w.jails().byJID(jid)
	if j == nil {
		return
	}
	for _, cjid := range w.jails().childJIDs(j.Name) {
		w.net().vnetDestroyed(cjid)
		w.jails().remove(cjid)
	}
	w.net().vnetDestroyed(jid)
	w.jails().remove(jid)
	if i := strings.LastIndexByte(j.Name, '.'); i >= 0 {
		if parent := w.jails().byName(j.Name[:i]); parent != nil {
			n, _ := strconv.Atoi(parent.Params["children.cur"])
			if n > 0 {
				parent.Params["children.cur"] = strconv.Itoa(n - 1)
			}
		}
	}
}

func (e *Env) jailCreate(name string, p *jparams, o *jailOpts, conf *jailConf) int {
	pl, msg := e.planJail(name, p)
	label := name
	if label == "" {
		label = p.get("jid")
	}
	if msg == "" {
		msg = e.moduleParamsMissing(p)
	}
	if msg != "" {
		return e.Errorf(1, "%s: %s", label, msg)
	}
	name = pl.name
	path := pl.kernel["path"]
	if path == "" {
		path = "/"
	}
	if !filepath.IsAbs(path) {
		return e.Errorf(1, "%s: path %s: not an absolute pathname", label, path)
	}
	if fi, err := os.Stat(path); err != nil {
		return e.Errorf(1, "%s: path %s: %s", label, path, errnoText(err))
	} else if !fi.IsDir() {
		return e.Errorf(1, "%s: path %s: Not a directory", label, path)
	}
	path = filepath.Clean(path)
	if e.simUnprivileged() {
		return e.Errorf(1, "%s: jail_set: Operation not permitted", label)
	}
	// jail_set(2) refuses over-long strings before the jail exists; the
	// mounts of the start are not made first here, which ends the same.
	// Ledger: [kern-limits].
	if m := kernelLimitError(pl.kernel); m != "" {
		return e.Errorf(1, "%s: %s", label, m)
	}
	exists := func(w *simWorld) string {
		if name != "" && w.jails().byName(name) != nil {
			return fmt.Sprintf("\"%s\" already exists", name)
		}
		if pl.jid > 0 && w.jails().byJID(pl.jid) != nil {
			return fmt.Sprintf("jail %d already exists", pl.jid)
		}
		return ""
	}
	var early string
	if err := e.viewWorld(func(w *simWorld) { early = exists(w) }); err != nil {
		return e.stateError(err)
	}
	if early != "" {
		return e.Errorf(1, "%s", early)
	}
	fx := &jailSideEffects{}
	fail := func(msg string) int {
		e.jailUnwind(fx)
		return e.Errorf(1, "%s: %s", label, msg)
	}
	if m := e.jailHooks(o, pl, 0, "exec.prepare"); m != "" {
		return e.Errorf(1, "%s: %s", label, m)
	}
	if c := e.jailPrepare(o, pl, path, fx); c != 0 {
		return c
	}
	if m := e.jailHooks(o, pl, 0, "exec.prestart"); m != "" {
		return fail(m)
	}
	if d := e.Setting("JAIL_DELAY"); d != "" {
		dur, err := time.ParseDuration(d)
		if err != nil {
			e.jailUnwind(fx)
			return e.Errorf(70, "simulator setting JCAGE_SIM_JAIL_DELAY: %v", err)
		}
		// Outside the state lock, so that parallel starts overlap.
		time.Sleep(dur)
	}
	var created *simJail
	code := 0
	err := e.editWorld(func(w *simWorld) bool {
		if m := exists(w); m != "" {
			code = e.Errorf(1, "%s", m)
			return false
		}
		var parent *simJail
		if i := strings.LastIndexByte(name, '.'); i >= 0 {
			parent = w.jails().byName(name[:i])
			if parent == nil {
				code = e.Errorf(1, "%s: jail \"%s\" not found", label, name[:i])
				return false
			}
			max, _ := strconv.Atoi(parent.Params["children.max"])
			cur, _ := strconv.Atoi(parent.Params["children.cur"])
			if cur >= max {
				code = e.Errorf(1, "%s: jail_set: Operation not permitted", label)
				return false
			}
		}
		jid := pl.jid
		if jid == 0 {
			jid = w.jails().LastJID + 1
			for w.jails().byJID(jid) != nil {
				jid++
			}
			w.jails().LastJID = jid
		}
		jname := name
		if jname == "" {
			jname = strconv.Itoa(jid)
		}
		if n, err := strconv.Atoi(jname); err == nil && n != jid {
			code = e.Errorf(1, "%s: name cannot be numeric (unless it is the jid)", label)
			return false
		}
		if w.jails().LastSetID < 1 {
			w.jails().LastSetID = 1
		}
		w.jails().LastSetID++
		j := &simJail{JID: jid, Name: jname, CpusetID: w.jails().LastSetID, Created: time.Now().UTC().Format(time.RFC3339)}
		j.Params = e.jailDefaults(pl, jid, jname, path, j.CpusetID)
		if parent != nil {
			j.Params["parent"] = strconv.Itoa(parent.JID)
			cur, _ := strconv.Atoi(parent.Params["children.cur"])
			parent.Params["children.cur"] = strconv.Itoa(cur + 1)
		}
		e.jailNote(o, jname, "jail_set(JAIL_CREATE) %s", jailSetArgs(pl))
		created = j
		fx.jid = jid
		w.jails().add(j)
		if j.Params["vnet"] == "new" {
			w.net().vnetCreated(jid)
		}
		return true
	})
	if err != nil {
		e.jailUnwind(fx)
		return e.stateError(err)
	}
	if code != 0 {
		e.jailUnwind(fx)
		return code
	}
	pl.name = created.Name
	if m := e.jailHooks(o, pl, created.JID, "exec.created"); m != "" {
		return fail(m)
	}
	if len(pl.vnetIfaces) > 0 {
		err := e.editWorld(func(w *simWorld) bool {
			for _, ifn := range pl.vnetIfaces {
				argv := fmt.Sprintf("/sbin/ifconfig %s vnet %s", ifn, created.Name)
				e.jailNote(o, created.Name, "run command: %s", argv)
				i := w.net().find(0, ifn)
				if i == nil {
					fmt.Fprintf(e.Stderr, "ifconfig: interface %s does not exist\n", ifn)
					code = e.Errorf(1, "%s: %s: failed", created.Name, argv)
					return false
				}
				w.net().moveToVnet(i, created.JID)
			}
			return true
		})
		if err != nil {
			e.jailUnwind(fx)
			return e.stateError(err)
		}
		if code != 0 {
			e.jailUnwind(fx)
			return code
		}
	}
	e.jailHooks(o, pl, created.JID, "exec.start")
	e.jailHooks(o, pl, created.JID, "command")
	if m := e.jailHooks(o, pl, created.JID, "exec.poststart"); m != "" {
		return fail(m)
	}
	if !pl.keepAlive {
		// Nothing keeps the jail alive (no persist, no exec.start or
		// command): it goes away as soon as it is made.
		e.editWorld(func(w *simWorld) bool { w.removeJail(created.JID); return true })
	}
	if o.printJID {
		fmt.Fprintln(e.Stdout, created.JID)
	}
	if !o.quiet && (name != "" || conf != nil) {
		fmt.Fprintf(e.Stdout, "%s: created\n", created.Name)
	}
	rec := []string{fmt.Sprintf("jid=%d", created.JID), "name=" + jailQuote(created.Name)}
	for _, k := range pl.korder {
		if k == "name" || k == "jid" {
			continue
		}
		rec = append(rec, jailNameVal(k, pl.kernel[k]))
	}
	o.jidOut = append(o.jidOut, strings.Join(rec, " "))
	return 0
}

// jailDefaults computes every kernel parameter of a new jail.
func (e *Env) jailDefaults(pl *jailPlan, jid int, name, path string, setid int) map[string]string {
	ps := map[string]string{}
	for _, d := range kernelParams {
		ps[d.name] = d.def
	}
	ps["jid"] = strconv.Itoa(jid)
	ps["name"] = name
	ps["path"] = path
	ps["cpuset.id"] = strconv.Itoa(setid)
	ps["host.hostname"] = e.hostHostname()
	ps["osrelease"] = e.hostRelease()
	ps["osreldate"] = e.hostReldate()
	for k, v := range pl.kernel {
		ps[k] = v
	}
	for _, fam := range []string{"ip4", "ip6"} {
		if _, given := pl.kernel[fam]; given {
			continue
		}
		switch {
		case ps[fam+".addr"] != "":
			ps[fam] = "new"
		case ps["vnet"] == "new":
			ps[fam] = "inherit"
		default:
			ps[fam] = "disable"
		}
	}
	ps["path"] = path
	return ps
}

func jailSetArgs(pl *jailPlan) string {
	var parts []string
	for _, k := range pl.korder {
		parts = append(parts, jailNameVal(k, pl.kernel[k]))
	}
	return strings.Join(parts, " ")
}

// jailNameVal renders name=value as jls -nq does.
func jailNameVal(k, v string) string {
	if t, _ := paramType(k); t == jpBool {
		if v == "true" {
			return k
		}
		prefix, last := "", k
		if i := strings.LastIndexByte(k, '.'); i >= 0 {
			prefix, last = k[:i+1], k[i+1:]
		}
		return prefix + "no" + last
	}
	return k + "=" + jailQuote(v)
}

// jailQuote quotes a value that holds blanks or quotes, or is empty, the
// way jls -q and jail -J do.
func jailQuote(v string) string {
	if v == "" {
		return `""`
	}
	var qc byte
	switch {
	case strings.ContainsRune(v, '\''):
		qc = '"'
	case strings.ContainsRune(v, '"'):
		qc = '\''
	case strings.ContainsAny(v, " \t"):
		qc = '"'
	default:
		return v
	}
	var b strings.Builder
	b.WriteByte(qc)
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' || v[i] == qc {
			b.WriteByte('\\')
		}
		b.WriteByte(v[i])
	}
	b.WriteByte(qc)
	return b.String()
}

func (e *Env) jailModify(j *simJail, p *jparams, o *jailOpts, restart bool) int {
	pl, msg := e.planJail(j.Name, p)
	if msg == "" {
		msg = e.moduleParamsMissing(p)
	}
	if msg == "" {
		msg = kernelLimitError(pl.kernel)
	}
	if msg != "" {
		return e.Errorf(1, "%s: %s", j.Name, msg)
	}
	var needRestart []string
	for _, k := range pl.korder {
		if d := kernelParam(k); d != nil && d.createOnly && k != "jid" && pl.kernel[k] != j.Params[k] {
			needRestart = append(needRestart, k)
		}
	}
	if len(needRestart) > 0 {
		if !restart {
			return e.Errorf(1, "%s: %s cannot be changed after creation", j.Name, needRestart[0])
		}
		merged := newJparams()
		for _, k := range allParamNames() {
			if paramModule(k) != "" && j.Params[k] != "true" {
				continue // a module's parameter is carried only when it is on
			}
			if d := kernelParam(k); d != nil && !d.ro && k != "jid" && k != "cpuset.id" {
				merged.set(k, []string{j.Params[k]}, false)
			}
		}
		merged.merge(p)
		if c := e.jailRemoveOne(j.Name, nil, &jailOpts{quiet: true}, false, false); c != 0 {
			return c
		}
		return e.jailCreate(j.Name, merged, o, nil)
	}
	code := 0
	err := e.editWorld(func(w *simWorld) bool {
		cur := w.jails().byJID(j.JID)
		if cur == nil {
			code = e.Errorf(1, "\"%s\" not found", j.Name)
			return false
		}
		for _, k := range pl.korder {
			if k == "jid" {
				continue
			}
			if k == "name" && pl.kernel[k] != cur.Name {
				if w.jails().byName(pl.kernel[k]) != nil {
					code = e.Errorf(1, "%s: name: \"%s\" already exists", cur.Name, pl.kernel[k])
					return false
				}
				w.jails().rename(cur, pl.kernel[k])
			}
			cur.Params[k] = pl.kernel[k]
			if (k == "ip4.addr" || k == "ip6.addr") && pl.kernel[k] != "" {
				cur.Params[strings.TrimSuffix(k, ".addr")] = "new"
			}
		}
		e.jailNote(o, cur.Name, "jail_set(JAIL_UPDATE) %s", jailSetArgs(pl))
		return true
	})
	if err != nil {
		return e.stateError(err)
	}
	if code == 0 && !o.quiet {
		fmt.Fprintf(e.Stdout, "%s: updated\n", j.Name)
	}
	return code
}

// jailRemoveTargets handles -r/-R operands: names, JIDs, "*" and "foo.*".
func (e *Env) jailRemoveTargets(o *jailOpts, targets []string, conf *jailConf) int {
	var names []string
	wild := false
	for _, t := range targets {
		if t == "*" || strings.HasSuffix(t, ".*") {
			wild = true
			e.viewWorld(func(w *simWorld) {
				for _, j := range w.jails().sorted() {
					if t == "*" || wildcardMatches(t, j.Name) {
						names = append(names, j.Name)
					}
				}
			})
			continue
		}
		names = append(names, t)
	}
	announce := wild || len(targets) > 1 || o.verbose
	status := 0
	for _, n := range names {
		var p *jparams
		if conf != nil && conf.has(n) && !o.removeNoConf {
			var err error
			if p, err = conf.resolve(n); err != nil {
				e.Errorf(1, "%v", err)
				status = 1
				continue
			}
		}
		if c := e.jailRemoveOne(n, p, o, announce || p != nil, true); c != 0 {
			status = 1
		}
	}
	return status
}

// jailRemoveOne removes one running jail. With a config entry (p) the
// stop-side hooks run and jail(8)'s own mounts and aliases are undone.
func (e *Env) jailRemoveOne(target string, p *jparams, o *jailOpts, announce, complain bool) int {
	j := e.jailRunning(target)
	if j == nil {
		if complain && !o.quiet {
			e.Errorf(1, "\"%s\" not found", target)
		}
		return 1
	}
	pl := &jailPlan{name: j.Name, hooks: map[string][]string{}}
	if p != nil {
		var msg string
		if pl, msg = e.planJail(j.Name, p); msg != "" {
			return e.Errorf(1, "%s: %s", j.Name, msg)
		}
		pl.name = j.Name
		if m := e.jailHooks(o, pl, j.JID, "exec.prestop"); m != "" {
			return e.Errorf(1, "%s: %s", j.Name, m)
		}
		e.jailHooks(o, pl, j.JID, "exec.stop")
	}
	if err := e.editWorld(func(w *simWorld) bool {
		e.jailNote(o, j.Name, "jail_remove(%d)", j.JID)
		w.removeJail(j.JID)
		return true
	}); err != nil {
		return e.stateError(err)
	}
	if err := e.zfsJailForget(j.JID); err != nil {
		return e.stateError(err)
	}
	status := 0
	if p != nil {
		if m := e.jailHooks(o, pl, j.JID, "exec.poststop"); m != "" {
			e.Errorf(1, "%s: %s", j.Name, m)
			status = 1
		}
		path := j.Params["path"]
		type unode struct{ param, node, typ string }
		var nodes []unode
		if pl.procfs {
			nodes = append(nodes, unode{"mount.procfs", filepath.Join(path, "proc"), "procfs"})
		}
		if pl.fdescfs {
			nodes = append(nodes, unode{"mount.fdescfs", filepath.Join(path, "dev", "fd"), "fdescfs"})
		}
		if pl.devfs {
			nodes = append(nodes, unode{"mount.devfs", filepath.Join(path, "dev"), "devfs"})
		}
		for i := len(pl.mounts) - 1; i >= 0; i-- {
			m := pl.mounts[i]
			nodes = append(nodes, unode{m.param, m.file, m.typ})
		}
		// Each unmount is preceded by check_path() with the umount type:
		// a path that is not a mount point, or one of another type, fails
		// that step (failed(): exit status 1) while jail(8), the jail being
		// gone already, carries on with the remaining steps. Ledger:
		// [jail-r-status].
		pathMsgs := make([]string, len(nodes))
		for i, n := range nodes {
			pathMsgs[i] = checkPath(path, n.param, n.node, false)
		}
		if err := e.editWorld(func(w *simWorld) bool {
			for i, un := range nodes {
				n := un.node
				if pathMsgs[i] != "" {
					e.Errorf(1, "%s: %s", j.Name, pathMsgs[i])
					status = 1
					continue
				}
				k := -1
				if r, err := resolvePath(n); err == nil {
					k = w.mounts().lastAt(r)
				}
				if k < 0 {
					k = w.mounts().lastAt(filepath.Clean(n))
				}
				if k < 0 {
					if _, err := os.Stat(n); err != nil {
						e.Errorf(1, "%s: %s: %s: %s", j.Name, un.param, n, errnoText(err))
					} else {
						e.Errorf(1, "%s: %s: %s: not a mount point", j.Name, un.param, n)
					}
					status = 1
					continue
				}
				if ft := w.mounts().Mounts[k].FSType; ft != un.typ {
					e.Errorf(1, "%s: %s: %s: not a %s mount", j.Name, un.param, n, un.typ)
					status = 1
					continue
				}
				e.jailNote(o, j.Name, "run command: /sbin/umount %s", w.mounts().Mounts[k].Node)
				if msg := w.mounts().unmountAt(k); msg != "" {
					fmt.Fprintf(e.Stderr, "umount: %s\n", msg)
					e.Errorf(1, "%s: /sbin/umount %s: failed", j.Name, n)
					status = 1
				}
			}
			for _, ent := range append(append([]ipEntry(nil), pl.ip6...), pl.ip4...) {
				iface := ent.Iface
				if iface == "" {
					iface = pl.iface
				}
				if iface == "" {
					continue
				}
				if ifc := w.net().find(0, iface); ifc != nil {
					af := "inet"
					if ent.V6 {
						af = "inet6"
					}
					e.jailNote(o, j.Name, "run command: %s", aliasArgv(ent, iface, true))
					w.net().setAddr(ifc, af, ent.Addr, "", "", -1, "-alias")
				}
			}
			return true
		}); err != nil {
			return e.stateError(err)
		}
		if m := e.jailHooks(o, pl, j.JID, "exec.release"); m != "" {
			e.Errorf(1, "%s: %s", j.Name, m)
			status = 1
		}
	}
	if announce && !o.quiet {
		fmt.Fprintf(e.Stdout, "%s: removed\n", j.Name)
	}
	return status
}

// jailList implements -e: every configured jail with its parameters.
func (e *Env) jailList(o *jailOpts, sep string) int {
	conf, code := e.jailConf(o, false)
	if code != 0 {
		return code
	}
	for _, n := range conf.jailNames() {
		p, err := conf.resolve(n)
		if err != nil {
			return e.Errorf(1, "%v", err)
		}
		parts := []string{"name=" + jailQuote(n)}
		for _, k := range p.order {
			if k == "name" {
				continue
			}
			if p.bare[k] {
				parts = append(parts, k)
				continue
			}
			parts = append(parts, k+"="+jailQuote(strings.Join(p.vals[k], ",")))
		}
		fmt.Fprintln(e.Stdout, strings.Join(parts, sep))
	}
	return 0
}
