package fbsdsim

// service(8) and the rc.subr(8) behaviour of the scripts it runs.
//
// Scripts are looked up in <root>/etc/rc.d and local_startup
// (/usr/local/etc/rc.d) as the real tool does; when <root>/etc/rc.d does
// not exist (a synthetic release) a built-in list of FreeBSD 14 base
// scripts stands in for it. A script's name=, rcvar= and extra_commands=
// lines are honoured when the file exists. Whether a service is enabled
// comes from the root's rc.conf files (see sysrc.go); `enable`/`disable`
// really edit them. Running services are kept per host or per jail
// instance in the state file services.json.

import (
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
)

const svcStateFile = "services.json"

type svcState struct {
	LastPID int                       `json:"last_pid"`
	Running map[string]map[string]int `json:"running"` // context -> service -> pid
}

// svcBase lists FreeBSD 14 /etc/rc.d scripts used when the root has no
// /etc/rc.d. daemon=false marks scripts without a process (no status).
var svcBase = map[string]struct {
	rcvar  string
	daemon bool
	desc   string
}{
	"cleanvar":    {"cleanvar_enable", false, "Purge /var directory"},
	"cron":        {"cron_enable", true, "Daemon to execute scheduled commands"},
	"devfs":       {"", false, "Device filesystem"},
	"hostname":    {"", false, "Set the system's hostname"},
	"ipfw":        {"firewall_enable", false, "Firewall, traffic shaper, packet scheduler, in-kernel NAT"},
	"jail":        {"jail_enable", false, "Manage system jails"},
	"ldconfig":    {"ldconfig_enable", false, "Configure the shared library cache"},
	"linux":       {"linux_enable", false, "Linux binary compatibility"},
	"local":       {"", false, "Run /etc/rc.local and stop /etc/rc.shutdown.local"},
	"motd":        {"update_motd", false, "Update /var/run/motd"},
	"netif":       {"", false, "Network interfaces"},
	"newsyslog":   {"newsyslog_enable", false, "Logfile rotation"},
	"ntpd":        {"ntpd_enable", true, "Network Time Protocol daemon"},
	"pf":          {"pf_enable", false, "Packet filter"},
	"pflog":       {"pflog_enable", true, "Packets filter logging interface"},
	"routing":     {"", false, "Routing setup"},
	"sendmail":    {"sendmail_enable", true, "Sendmail mail transfer agent"},
	"sshd":        {"sshd_enable", true, "Secure Shell Daemon"},
	"syslogd":     {"syslogd_enable", true, "System log daemon"},
	"tmp":         {"", false, "Create tmp directories"},
	"virecover":   {"virecover_enable", false, "Recover vi editor sessions"},
	"zfs":         {"zfs_enable", false, "Mount and share ZFS datasets"},
	"zfsbe":       {"zfs_enable", false, "Mount ZFS boot environment datasets"},
	"zvol":        {"zfs_enable", false, "Activate swap on ZVOLs"},
	"cleartmp":    {"clear_tmp_enable", false, "Purge /tmp directory"},
	"rtsold":      {"rtsold_enable", true, "IPv6 router solicitation daemon"},
	"rpcbind":     {"rpcbind_enable", true, "Universal addresses to RPC program number mapper"},
	"moused":      {"moused_enable", true, "Mouse daemon"},
	"nfsclient":   {"nfs_client_enable", false, "NFS client"},
	"securelevel": {"", false, "Securelevel configuration"},
}

// svcScript describes one rc.d script.
type svcScript struct {
	dir    string // "/etc/rc.d" or a local_startup directory
	file   string // the script's file name, what service(8) is given
	name   string // rc.subr $name
	rcvar  string
	daemon bool
	extra  []string
	desc   string
}

func (s svcScript) path() string { return s.dir + "/" + s.file }

// svcCtx is service(8) running on the host or inside one jail.
type svcCtx struct {
	e   *Env
	rc  *sysrcCtx
	key string // state key of the host or jail instance
}

func (c *svcCtx) localDirs() []string {
	return strings.Fields(c.rc.get()["local_startup"])
}

func (c *svcCtx) baseDirExists() bool {
	st, err := os.Stat(c.rc.file("/etc/rc.d").real)
	return err == nil && st.IsDir()
}

// svcBuiltin reports whether name is a base script the built-in list
// provides for a root without /etc/rc.d.
func svcBuiltin(rc *sysrcCtx, name string) bool {
	if st, err := os.Stat(rc.file("/etc/rc.d").real); err == nil && st.IsDir() {
		return false
	}
	_, ok := svcBase[name]
	return ok
}

var (
	svcNameRE  = regexp.MustCompile(`(?m)^name=["']?([A-Za-z0-9_]+)["']?`)
	svcRcvarRE = regexp.MustCompile("(?m)^rcvar=[\"']?([^\"'\\s]*)")
	svcExtraRE = regexp.MustCompile(`(?m)^extra_commands=["']?([^"'\n]*)`)
	svcDescRE  = regexp.MustCompile(`(?m)^desc=["']([^"'\n]*)`)
	svcPidRE   = regexp.MustCompile(`(?m)^(pidfile|procname|command)=`)
)

// lookup finds a script the way service(8) does: /etc/rc.d first, then
// each local_startup directory.
func (c *svcCtx) lookup(file string) (svcScript, bool) {
	for _, dir := range append([]string{"/etc/rc.d"}, c.localDirs()...) {
		if dir == "/etc/rc.d" && !c.baseDirExists() {
			if b, ok := svcBase[file]; ok {
				return svcScript{dir: dir, file: file, name: file, rcvar: b.rcvar, daemon: b.daemon, desc: b.desc}, true
			}
			continue
		}
		p := c.rc.file(dir + "/" + file).real
		st, err := os.Stat(p)
		if err != nil || !st.Mode().IsRegular() {
			continue
		}
		s := svcScript{dir: dir, file: file, name: file}
		if b, err := os.ReadFile(p); err == nil {
			text := string(b)
			if m := svcNameRE.FindStringSubmatch(text); m != nil {
				s.name = m[1]
			}
			if m := svcRcvarRE.FindStringSubmatch(text); m != nil {
				s.rcvar = m[1]
				if s.rcvar == "" || strings.ContainsAny(s.rcvar, "$`") {
					s.rcvar = s.name + "_enable"
				}
			}
			if m := svcExtraRE.FindStringSubmatch(text); m != nil {
				s.extra = strings.Fields(m[1])
			}
			if m := svcDescRE.FindStringSubmatch(text); m != nil {
				s.desc = m[1]
			}
			s.daemon = svcPidRE.MatchString(text)
		}
		return s, true
	}
	return svcScript{}, false
}

// scripts lists every script in /etc/rc.d and local_startup, sorted
// within each directory.
func (c *svcCtx) scripts() []svcScript {
	var out []svcScript
	for _, dir := range append([]string{"/etc/rc.d"}, c.localDirs()...) {
		var names []string
		if dir == "/etc/rc.d" && !c.baseDirExists() {
			for n := range svcBase {
				names = append(names, n)
			}
		} else {
			entries, err := os.ReadDir(c.rc.file(dir).real)
			if err != nil {
				continue
			}
			for _, en := range entries {
				names = append(names, en.Name())
			}
		}
		sort.Strings(names)
		for _, n := range names {
			if s, ok := c.lookupIn(dir, n); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

func (c *svcCtx) lookupIn(dir, file string) (svcScript, bool) {
	s, ok := c.lookup(file)
	if !ok || s.dir != dir {
		// A same-named script earlier in the search order shadows it;
		// describe this one as a plain script.
		return svcScript{dir: dir, file: file, name: file}, true
	}
	return s, true
}

func svcYes(v string) bool {
	switch strings.ToLower(v) {
	case "yes", "true", "on", "1":
		return true
	}
	return false
}

func (c *svcCtx) enabled(s svcScript) bool {
	if s.rcvar == "" {
		return true
	}
	return svcYes(c.rc.get()[s.rcvar])
}

func (c *svcCtx) edit(fn func(st *svcState)) error {
	return c.e.Locked(func() error {
		var st svcState
		if err := c.e.Load(svcStateFile, &st); err != nil {
			return err
		}
		if st.Running == nil {
			st.Running = map[string]map[string]int{}
		}
		if st.Running[c.key] == nil {
			st.Running[c.key] = map[string]int{}
		}
		fn(&st)
		if len(st.Running[c.key]) == 0 {
			delete(st.Running, c.key)
		}
		return c.e.Save(svcStateFile, st)
	})
}

func (c *svcCtx) pid(s svcScript) int {
	var st svcState
	if err := c.e.Load(svcStateFile, &st); err != nil {
		return 0
	}
	return st.Running[c.key][s.name]
}

func svcUsage(e *Env, code int) int {
	w := e.Stdout
	for _, l := range []string{
		"",
		"Usage:",
		"service [-j <jail name or id>] -e",
		"service [-j <jail name or id>] -R",
		"service [-j <jail name or id>] [-v] -l | -r",
		"service [-j <jail name or id>] [-v] <rc.d script> start|stop|etc.",
		"service -h",
		"",
		"-j\tPerform actions within the named jail",
		"-e\tShow services that are enabled",
		"-R\tStop and start enabled /usr/local/etc/rc.d services",
		"-l\tList all scripts in /etc/rc.d and /usr/local/etc/rc.d",
		"-r\tShow the results of boot time rcorder",
		"-v\tVerbose",
		"",
	} {
		fmt.Fprintln(w, l)
	}
	return code
}

func init() { register("service", runService) }

func runService(e *Env) int {
	opts, rest, oerr := ulGetopt(e.Args, "j:ehlrRv")
	if oerr != nil {
		fmt.Fprintln(e.Stderr, oerr.sh())
		return svcUsage(e, 1)
	}
	var jail string
	var enabledOpt, list, rcorder, restart, verbose bool
	for _, o := range opts {
		switch o.c {
		case 'j':
			jail = o.arg
		case 'e':
			enabledOpt = true
		case 'h':
			return svcUsage(e, 0)
		case 'l':
			list = true
		case 'r':
			rcorder = true
		case 'R':
			restart = true
		case 'v':
			verbose = true
		}
	}
	rc := &sysrcCtx{e: e, explicit: map[string]bool{}, defaults: "/etc/defaults/rc.conf"}
	c := &svcCtx{e: e, rc: rc, key: "host"}
	if jail != "" {
		// service(8) re-runs itself through `jexec -l JAIL`.
		j, ok := ulFindJail(e, jail)
		if !ok {
			return ulJailNotFound(e, "jexec", jail)
		}
		rc.root = j.Path
		c.key = fmt.Sprintf("jail:%s#%d", j.Name, j.JID)
	}
	switch {
	case restart:
		for _, s := range c.scripts() {
			if s.dir == "/etc/rc.d" || s.rcvar == "" || !c.enabled(s) {
				continue
			}
			c.run(s, "stop", true)
			c.run(s, "start", true)
		}
		return 0
	case enabledOpt:
		for _, s := range c.scripts() {
			if s.rcvar != "" && c.enabled(s) {
				fmt.Fprintln(e.Stdout, s.path())
			}
		}
		return 0
	case list:
		for _, dir := range append([]string{"/etc/rc.d"}, c.localDirs()...) {
			if verbose {
				fmt.Fprintf(e.Stdout, "From %s:\n", dir)
			}
			for _, s := range c.scripts() {
				if s.dir == dir {
					fmt.Fprintln(e.Stdout, s.file)
				}
			}
		}
		return 0
	case rcorder:
		for _, s := range c.scripts() {
			fmt.Fprintln(e.Stdout, s.path())
		}
		return 0
	}
	if len(rest) < 2 {
		return svcUsage(e, 1)
	}
	s, ok := c.lookup(rest[0])
	if !ok {
		fmt.Fprintf(e.Stdout, "%s does not exist in /etc/rc.d or the local startup\n", rest[0])
		fmt.Fprintf(e.Stdout, "directories (%s), or is not executable\n", strings.Join(c.localDirs(), " "))
		return 1
	}
	if verbose {
		fmt.Fprintf(e.Stdout, "%s is located in %s\n", rest[0], s.dir)
	}
	return c.run(s, rest[1], false)
}

// run performs one rc.subr command on a script and returns its status.
func (c *svcCtx) run(s svcScript, arg string, fromRestart bool) int {
	e := c.e
	var fast, force, quiet, one bool
	prefix := ""
	switch {
	case strings.HasPrefix(arg, "fast"):
		arg, fast, quiet = strings.TrimPrefix(arg, "fast"), true, true
	case strings.HasPrefix(arg, "force"):
		arg, force, prefix = strings.TrimPrefix(arg, "force"), true, "force"
	case strings.HasPrefix(arg, "one"):
		arg, one, prefix = strings.TrimPrefix(arg, "one"), true, "one"
	case strings.HasPrefix(arg, "quiet"):
		arg, quiet, prefix = strings.TrimPrefix(arg, "quiet"), true, "quiet"
	}
	keywords := []string{"start", "stop", "restart", "rcvar", "enable", "disable", "delete", "enabled", "describe", "extracommands"}
	keywords = append(keywords, s.extra...)
	if s.daemon {
		keywords = append(keywords, "status", "poll")
	}
	usage := func() int {
		fmt.Fprintf(e.Stderr, "Usage: %s [fast|force|one|quiet](%s)\n", s.path(), strings.Join(keywords, "|"))
		return 1
	}
	if arg == "" {
		return usage()
	}
	if arg == "enabled" {
		if c.enabled(s) {
			return 0
		}
		return 1
	}
	known := false
	for _, k := range keywords {
		if k == arg {
			known = true
		}
	}
	if !known {
		fmt.Fprintf(e.Stderr, "%s: unknown directive '%s'.\n", s.path(), arg)
		return usage()
	}
	pid := c.pid(s)
	enabled := c.enabled(s) || force || one
	needsCheck := s.rcvar != "" && arg != "rcvar" && arg != "stop" && arg != "delete" && arg != "enable" && arg != "describe"
	if (needsCheck || (s.rcvar != "" && arg == "stop" && pid == 0)) && !enabled {
		if quiet {
			return 0
		}
		fmt.Fprintf(e.Stdout, "Cannot '%s' %s. Set %s to YES in /etc/rc.conf or use 'one%s' instead of '%s'.\n", arg, s.name, s.rcvar, arg, arg)
		return 0
	}
	if arg == "start" && !fast && pid != 0 {
		if !quiet {
			fmt.Fprintf(e.Stderr, "%s already running?  (pid=%d).\n", s.name, pid)
		}
		return 1
	}
	notRunning := func() int {
		if s.daemon {
			fmt.Fprintf(e.Stderr, "%s not running? (check /var/run/%s.pid).\n", s.name, s.name)
		} else {
			fmt.Fprintf(e.Stderr, "%s not running?\n", s.name)
		}
		return 1
	}
	switch arg {
	case "describe":
		if s.desc != "" {
			fmt.Fprintln(e.Stdout, s.desc)
		}
	case "extracommands":
		fmt.Fprintln(e.Stdout, strings.Join(s.extra, " "))
	case "enable", "disable", "delete":
		return c.setEnable(s, arg)
	case "status":
		if pid == 0 {
			fmt.Fprintf(e.Stdout, "%s is not running.\n", s.name)
			return 1
		}
		fmt.Fprintf(e.Stdout, "%s is running as pid %d.\n", s.name, pid)
	case "start":
		if !s.daemon {
			return 0
		}
		fmt.Fprintf(e.Stdout, "Starting %s.\n", s.name)
		if err := c.edit(func(st *svcState) {
			st.LastPID++
			if st.LastPID < 1000 {
				st.LastPID = 1000 + st.LastPID
			}
			st.Running[c.key][s.name] = st.LastPID
		}); err != nil {
			return e.Errorf(70, "simulator state: %v", err)
		}
	case "stop":
		if !s.daemon {
			return 0
		}
		if pid == 0 {
			if fast {
				return 0
			}
			return notRunning()
		}
		fmt.Fprintf(e.Stdout, "Stopping %s.\n", s.name)
		fmt.Fprintf(e.Stdout, "Waiting for PIDS: %d.\n", pid)
		if err := c.edit(func(st *svcState) { delete(st.Running[c.key], s.name) }); err != nil {
			return e.Errorf(70, "simulator state: %v", err)
		}
	case "reload":
		if pid == 0 {
			return notRunning()
		}
	case "restart":
		if fromRestart {
			return 0
		}
		c.run(s, prefix+"stop", true)
		if r := c.run(s, prefix+"start", true); r != 0 && !force {
			return 1
		}
	case "poll":
	case "rcvar":
		if s.desc != "" {
			fmt.Fprintf(e.Stdout, "# %s : %s\n", s.name, s.desc)
		} else {
			fmt.Fprintf(e.Stdout, "# %s\n", s.name)
		}
		fmt.Fprintln(e.Stdout, "#")
		if s.rcvar != "" {
			fmt.Fprintf(e.Stdout, "%s=\"%s\"\n", s.rcvar, c.rc.get()[s.rcvar])
			fmt.Fprintln(e.Stdout, "#   (default: \"\")")
		}
		fmt.Fprintln(e.Stdout)
	}
	return 0
}

// setEnable implements enable/disable/delete, which run sysrc(8).
func (c *svcCtx) setEnable(s svcScript, arg string) int {
	e := c.e
	if s.rcvar == "" {
		return 0
	}
	rc := *c.rc
	if extra, ok := sysrcServiceConfs(&rc, s.name); ok {
		rc.confs, rc.confsSet = append(c.rc.rcConfFiles(), extra...), true
	}
	if arg == "delete" {
		var files []string
		for _, f := range rc.rcConfFiles() {
			if b, err := os.ReadFile(rc.file(f).real); err == nil && sysrcAssignRE(s.rcvar).Match(b) {
				files = append(files, f)
			}
		}
		if err := c.rc.delete(s.rcvar); err != nil {
			st, _ := sysrcWriteError(c.rc, err)
			return st
		}
		fmt.Fprintf(e.Stdout, "%s deleted in %s\n", s.rcvar, strings.Join(files, " "))
		return 0
	}
	value := "YES"
	if arg == "disable" {
		value = "NO"
	}
	where, found := rc.find(s.rcvar)
	if !found || where == rc.defaults {
		if files := rc.rcConfFiles(); len(files) > 0 {
			where = files[0]
		}
	}
	if err := rc.set(s.rcvar, value); err != nil {
		st, _ := sysrcWriteError(&rc, err)
		return st
	}
	fmt.Fprintf(e.Stdout, "%s %sd in %s\n", s.name, arg, where)
	return 0
}

// ServicesRunning returns the services the simulator considers running,
// by context ("host" or "jail:NAME#JID"), for tests.
func ServicesRunning(state string) (map[string]map[string]int, error) {
	e := &Env{State: state}
	var st svcState
	if err := e.Load(svcStateFile, &st); err != nil {
		return nil, err
	}
	return st.Running, nil
}
