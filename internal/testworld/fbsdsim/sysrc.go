package fbsdsim

// sysrc(8): query and edit rc.conf(5)-style files for real, the way the
// 14.x script does it (sysrc + sysrc.subr), because jcage edits jail
// rc.conf files with `sysrc -f <root>/etc/rc.conf key=value`.
//
// Files are evaluated with a small sh(1) subset: assignments (quoted,
// unquoted, $var and ${var} expansion), comments, ';' separators;
// other commands are skipped. The defaults come from
// <root>/etc/defaults/rc.conf (or $RC_DEFAULTS) when it exists, else from
// a built-in excerpt of FreeBSD 14's defaults, so that a bare directory
// behaves like a FreeBSD root. -j JAIL and -R DIR resolve every path under
// the jail's or DIR's root, as the real re-exec through jexec/chroot does.
//
// "sysrc: unknown variable 'x'" goes to stderr: the 14.x script prints it
// with f_err, which writes to fd 2 (reference §15 says stdout, which was
// true of older versions that used echo).

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

func init() { register("sysrc", runSysrc) }

const sysrcVersion = "7.2 Jun-16,2018"

// sysrcBuiltinDefaults stands in for /etc/defaults/rc.conf when the root
// has none: the variables jail managers and rc scripts commonly consult,
// with FreeBSD 14's default values. Comments feed `sysrc -d`.
const sysrcBuiltinDefaults = `rc_conf_files="/etc/rc.conf /etc/rc.conf.local"	# Files to source, in order
local_startup="/usr/local/etc/rc.d"	# Startup script dirs
hostname=""			# Set this!
defaultrouter="NO"		# Set to default gateway (or NO).
ipv6_defaultrouter="NO"		# Set to IPv6 default gateway (or NO).
gateway_enable="NO"		# Set to YES if this host will be a gateway.
ipv6_gateway_enable="NO"	# Set to YES if this host will be a gateway.
network_interfaces="auto"	# List of network interfaces (or "auto").
cloned_interfaces=""		# List of cloned network interfaces to create.
ifconfig_lo0="inet 127.0.0.1"	# default loopback device configuration.
ifconfig_lo0_ipv6="inet6 ::1 prefixlen 128"	# IPv6 loopback address
sshd_enable="NO"		# Enable sshd
sshd_flags=""			# Additional flags for sshd.
syslogd_enable="YES"		# Run syslog daemon (or NO).
syslogd_flags="-s"		# Flags to syslogd (if enabled).
cron_enable="YES"		# Run the periodic job daemon.
cron_flags=""			# Which options to pass to the cron daemon.
sendmail_enable="NO"		# Run the sendmail inbound daemon (YES/NO).
sendmail_submit_enable="YES"	# Start a localhost-only MTA for mail submission
sendmail_outbound_enable="YES"	# Dequeue stuck mail (YES/NO).
sendmail_msp_queue_enable="YES"	# Dequeue stuck clientmqueue mail (YES/NO).
ntpd_enable="NO"		# Run ntpd Network Time Protocol (or NO).
ntpdate_enable="NO"		# Run ntpdate to sync time on boot (or NO).
clear_tmp_enable="NO"		# Clear /tmp at startup.
dumpdev="AUTO"			# Device to crashdump to (device name, AUTO, or NO).
zfs_enable="NO"			# Set YES to automatically mount ZFS file systems
jail_enable="NO"		# Set to NO to disable starting of any jails
jail_list=""			# Space separated list of names of jails
pf_enable="NO"			# Set to YES to enable packet filter (pf)
pflog_enable="NO"		# Set to YES to enable packet filter logging
ipfw_enable="NO"		# Set to YES to enable ipfw(8) firewall functions
firewall_enable="NO"		# Set to YES to enable firewall functionality
rpcbind_enable="NO"		# Run the portmapper service (YES/NO).
nfs_client_enable="NO"		# This host is an NFS client (or NO).
moused_enable="NO"		# Run the mouse daemon.
devfs_rulesets="/etc/defaults/devfs.rules /etc/devfs.rules" # Files containing devfs(8) rules.
devfs_system_ruleset=""		# The name (NOT number) of a ruleset to apply to /dev
linux_enable="NO"		# Linux binary compatibility loaded at startup (or NO).
kld_list=""			# Kernel modules to load after local disks are mounted
rtsold_enable="NO"		# Set to YES to enable an IPv6 router solicitation daemon
`

// sysrcFile is one rc.conf file as the tool addresses it.
type sysrcFile struct {
	logical string // the path the real tool would print
	real    string // where the simulator reads and writes it
	guarded bool   // a host default path on the real Linux "/": never written
}

// sysrcCtx resolves paths for one invocation (host, jail or chroot).
type sysrcCtx struct {
	e        *Env
	root     string // jail or -R root; "" for the host
	explicit map[string]bool
	defaults string // logical RC_DEFAULTS
	confs    []string
	confsSet bool // RC_CONFS in effect (-f, -D, -s or environment)
}

func (c *sysrcCtx) file(logical string) sysrcFile {
	switch {
	case c.root != "":
		return sysrcFile{logical, ulJoin(c.root, logical), false}
	case c.explicit[logical]:
		return sysrcFile{logical, logical, false}
	default:
		return sysrcFile{logical, ulHostPath(c.e, logical), !ulHostWritable(c.e)}
	}
}

// sysrcVars is the result of sourcing rc.conf files.
type sysrcVars map[string]string

// defaultsText returns the defaults file's contents and whether they
// came from a real file.
func (c *sysrcCtx) defaultsText() (string, bool) {
	b, err := os.ReadFile(c.file(c.defaults).real)
	if err != nil {
		return sysrcBuiltinDefaults, false
	}
	return string(b), true
}

// rcConfFiles is the effective list of rc.conf files (RC_CONFS or the
// defaults' rc_conf_files).
func (c *sysrcCtx) rcConfFiles() []string {
	if c.confsSet {
		return c.confs
	}
	v := sysrcVars{}
	text, _ := c.defaultsText()
	sysrcSource(text, v)
	return strings.Fields(v["rc_conf_files"])
}

// get sources the defaults and the rc.conf files, as f_sysrc_get does.
func (c *sysrcCtx) get() sysrcVars {
	v := sysrcVars{}
	text, _ := c.defaultsText()
	sysrcSource(text, v)
	files := strings.Fields(v["rc_conf_files"])
	if c.confsSet {
		files = c.confs
	}
	for _, f := range files {
		if b, err := os.ReadFile(c.file(f).real); err == nil {
			sysrcSource(string(b), v)
		}
	}
	return v
}

// find returns the file holding the effective last assignment of name,
// searching the rc.conf files in reverse and then the defaults.
func (c *sysrcCtx) find(name string) (string, bool) {
	re := sysrcAssignRE(name)
	files := c.rcConfFiles()
	for i := len(files) - 1; i >= 0; i-- {
		if b, err := os.ReadFile(c.file(files[i]).real); err == nil && re.Match(b) {
			return files[i], true
		}
	}
	if text, _ := c.defaultsText(); re.MatchString(text) {
		return c.defaults, true
	}
	return "", false
}

func sysrcAssignRE(name string) *regexp.Regexp {
	return regexp.MustCompile(`(?m)^[ \t\v\f\r]*` + regexp.QuoteMeta(name) + `=`)
}

// desc returns the comment describing name in the defaults file.
func (c *sysrcCtx) desc(name string) (string, bool) {
	text, _ := c.defaultsText()
	re := regexp.MustCompile(`^[ \t]*` + regexp.QuoteMeta(name) + `=`)
	cont := regexp.MustCompile(`^[ \t]*#`)
	assign := regexp.MustCompile(`^[ \t]*#?[A-Za-z_][A-Za-z0-9_]*=`)
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if !re.MatchString(l) {
			continue
		}
		buf := ""
		if j := strings.IndexByte(l, '#'); j >= 0 {
			buf = strings.TrimSpace(l[j+1:])
		}
		for _, m := range lines[i+1:] {
			if !cont.MatchString(m) || assign.MatchString(m) || strings.TrimSpace(m) == "" {
				break
			}
			buf += " " + strings.TrimSpace(m[strings.LastIndexByte(m, '#')+1:])
		}
		return strings.TrimSpace(buf), true
	}
	return "", false
}

// sysrcSyntaxError is what `sh -n` reports for a file it cannot parse.
type sysrcSyntaxError struct {
	line int
	msg  string
}

func (s *sysrcSyntaxError) Error() string { return fmt.Sprintf("%d: Syntax error: %s", s.line, s.msg) }

// sysrcSource evaluates the assignments in text into v.
func sysrcSource(text string, v sysrcVars) {
	_ = sysrcScan(text, v)
}

// sysrcCheck is `sh -n`: it reports unterminated quotes.
func sysrcCheck(text string) error {
	return sysrcScan(text, nil)
}

var sysrcNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// sysrcScan walks text as sh would for simple commands. Assignments
// that start a command are applied to v (when v is not nil); everything
// else is tokenised only to keep quoting in step.
func sysrcScan(text string, v sysrcVars) error {
	i, line := 0, 1
	n := len(text)
	atCmdStart := true
	for i < n {
		ch := text[i]
		switch {
		case ch == '\n':
			line++
			i++
			atCmdStart = true
			continue
		case ch == ';' || ch == '&' || ch == '|':
			i++
			atCmdStart = true
			continue
		case ch == ' ' || ch == '\t' || ch == '\r':
			i++
			continue
		case ch == '#':
			for i < n && text[i] != '\n' {
				i++
			}
			continue
		}
		// One word.
		start := line
		var raw strings.Builder // the word with quotes, for the name test
		var val strings.Builder // the expanded value after '='
		eq := -1                // index in raw of the first unquoted '='
		quotedBeforeEq := false
		for i < n {
			ch = text[i]
			if ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == ';' || ch == '&' || ch == '|' {
				break
			}
			switch ch {
			case '\'':
				j := strings.IndexByte(text[i+1:], '\'')
				if j < 0 {
					return &sysrcSyntaxError{start, "Unterminated quoted string"}
				}
				s := text[i+1 : i+1+j]
				line += strings.Count(s, "\n")
				if eq < 0 {
					quotedBeforeEq = true
				} else {
					val.WriteString(s)
				}
				raw.WriteString(text[i : i+2+j])
				i += j + 2
			case '"':
				i++
				closed := false
				for i < n {
					c := text[i]
					if c == '"' {
						closed = true
						i++
						break
					}
					if c == '\\' && i+1 < n && strings.IndexByte("$`\"\\\n", text[i+1]) >= 0 {
						if text[i+1] != '\n' && eq >= 0 {
							val.WriteByte(text[i+1])
						}
						if text[i+1] == '\n' {
							line++
						}
						i += 2
						continue
					}
					if c == '$' && eq >= 0 && v != nil {
						k := sysrcExpand(text, i, v, &val)
						if k > i {
							i = k
							continue
						}
					}
					if c == '\n' {
						line++
					}
					if eq >= 0 {
						val.WriteByte(c)
					}
					i++
				}
				if !closed {
					return &sysrcSyntaxError{start, "Unterminated quoted string"}
				}
				if eq < 0 {
					quotedBeforeEq = true
				}
				raw.WriteString("\"\"")
			case '\\':
				if eq < 0 {
					quotedBeforeEq = true
				}
				if i+1 < n {
					if text[i+1] == '\n' {
						line++
					} else if eq >= 0 {
						val.WriteByte(text[i+1])
					}
					raw.WriteByte('x')
					i += 2
				} else {
					i++
				}
			case '$':
				if eq >= 0 && v != nil {
					if k := sysrcExpand(text, i, v, &val); k > i {
						i = k
						raw.WriteByte('x')
						continue
					}
				}
				if eq >= 0 {
					val.WriteByte(ch)
				}
				raw.WriteByte(ch)
				i++
			default:
				if ch == '=' && eq < 0 {
					eq = raw.Len()
				} else if eq >= 0 {
					val.WriteByte(ch)
				}
				raw.WriteByte(ch)
				i++
			}
		}
		if atCmdStart && eq > 0 && !quotedBeforeEq && sysrcNameRE.MatchString(raw.String()[:eq]) {
			if v != nil {
				v[raw.String()[:eq]] = val.String()
			}
			// Further assignments may follow on the same command.
			continue
		}
		atCmdStart = false
	}
	return nil
}

// sysrcExpand expands $name or ${name} at text[i] into out and returns
// the index after it, or i when there is nothing it understands.
func sysrcExpand(text string, i int, v sysrcVars, out *strings.Builder) int {
	rest := text[i+1:]
	if strings.HasPrefix(rest, "{") {
		j := strings.IndexByte(rest, '}')
		if j < 0 {
			return i
		}
		expr := rest[1:j]
		name, def, hasDef := expr, "", false
		for _, op := range []string{":-", "-"} {
			if k := strings.Index(expr, op); k > 0 {
				name, def, hasDef = expr[:k], expr[k+len(op):], true
				break
			}
		}
		if !sysrcNameRE.MatchString(name) {
			return i
		}
		val, ok := v[name]
		if hasDef && (!ok || val == "") {
			val = def
		}
		out.WriteString(val)
		return i + 1 + j + 1
	}
	j := 0
	for j < len(rest) && (rest[j] == '_' || rest[j] >= 'a' && rest[j] <= 'z' || rest[j] >= 'A' && rest[j] <= 'Z' || j > 0 && rest[j] >= '0' && rest[j] <= '9') {
		j++
	}
	if j == 0 {
		return i
	}
	out.WriteString(v[rest[:j]])
	return i + 1 + j
}

// sysrcSetLine rewrites one assignment line with a new value, keeping the
// quoting style and anything after the value, as f_sysrc_set's awk does.
// ok is false when the old value is an expression sysrc will not touch.
func sysrcSetLine(line, name, value string) (string, bool) {
	loc := regexp.MustCompile(`^[ \t\v\f\r]*` + regexp.QuoteMeta(name) + `=`).FindStringIndex(line)
	prefix, rest := line[:loc[1]], line[loc[1]:]
	if rest == "" {
		return prefix + value, true
	}
	switch t := rest[0]; {
	case t == '`' || t == '$' || t == '\\':
		return line, false
	case t == '\'':
		j := strings.IndexByte(rest[1:], '\'')
		if j < 0 {
			return prefix + "'" + value, true
		}
		return prefix + "'" + value + "'" + rest[j+2:], true
	case t == '"':
		m := regexp.MustCompile(`^"(.*\\+")*[^"]*`).FindString(rest)
		after := rest[len(m):]
		if after == "" {
			return prefix + "\"" + value, true
		}
		return prefix + "\"" + value + "\"" + after[1:], true
	case t == ' ' || t == '\t' || t == ';':
		return prefix + "\"" + value + "\"" + rest, true
	default:
		k := strings.IndexAny(rest, " \t\n\v\f\r")
		if k < 0 {
			k = len(rest)
		}
		return prefix + "\"" + value + "\"" + rest[k:], true
	}
}

var sysrcErrCreate = errors.New("cannot create")

// set changes name in the file holding its last assignment, or appends it
// to the first rc.conf file, as f_sysrc_set does.
func (c *sysrcCtx) set(name, value string) error {
	where, found := c.find(name)
	notFound := !found || where == c.defaults
	if notFound {
		files := c.rcConfFiles()
		if len(files) == 0 {
			return fmt.Errorf("no rc.conf file to write")
		}
		where = files[0]
	}
	f := c.file(where)
	if f.guarded {
		return sysrcErrHostGuard
	}
	if notFound {
		b, err := os.ReadFile(f.real)
		if err != nil && !os.IsNotExist(err) {
			return err
		}
		content := string(b)
		if content != "" && !strings.HasSuffix(content, "\n") {
			content += "\n"
		}
		content += fmt.Sprintf("%s=\"%s\"\n", name, value)
		if err := sysrcWrite(f.real, content); err != nil {
			return fmt.Errorf("%w %s: %s", sysrcErrCreate, where, ulErrno(err))
		}
		return nil
	}
	b, err := os.ReadFile(f.real)
	if err != nil {
		return err
	}
	text := strings.TrimRight(string(b), "\n")
	lines := strings.Split(text, "\n")
	re := regexp.MustCompile(`^[ \t\v\f\r]*` + regexp.QuoteMeta(name) + `=`)
	appendNew := false
	for i := len(lines) - 1; i >= 0; i-- {
		if re.MatchString(lines[i]) {
			nl, ok := sysrcSetLine(lines[i], name, value)
			lines[i] = nl
			appendNew = !ok
			break
		}
	}
	out := strings.Join(lines, "\n") + "\n"
	if appendNew {
		out += fmt.Sprintf("%s=\"%s\"\n", name, value)
	}
	if err := sysrcCheck(out); err != nil {
		return sysrcErrSyntax
	}
	return sysrcWrite(f.real, out)
}

var (
	sysrcErrHostGuard = errors.New("host guard")
	sysrcErrSyntax    = errors.New("syntax")
)

// delete removes every assignment of name from the rc.conf files, as
// f_sysrc_delete does.
func (c *sysrcCtx) delete(name string) error {
	re := regexp.MustCompile(`^[ \t\v\f\r]*` + regexp.QuoteMeta(name) + `=`)
	for _, lf := range c.rcConfFiles() {
		f := c.file(lf)
		b, err := os.ReadFile(f.real)
		if err != nil {
			continue
		}
		lines := strings.SplitAfter(string(b), "\n")
		var kept []string
		found := false
		for _, l := range lines {
			if re.MatchString(strings.TrimSuffix(l, "\n")) {
				found = true
				continue
			}
			kept = append(kept, l)
		}
		if !found {
			continue
		}
		if f.guarded {
			return sysrcErrHostGuard
		}
		out := strings.Join(kept, "")
		if err := sysrcCheck(out); err != nil {
			return sysrcErrSyntax
		}
		if err := sysrcWrite(f.real, out); err != nil {
			return err
		}
	}
	return nil
}

func sysrcWrite(p, content string) error {
	if _, err := os.Stat(p); errors.Is(err, os.ErrNotExist) {
		return os.WriteFile(p, []byte(content), 0o644)
	}
	return ulWriteKeepMode(p, []byte(content))
}

func sysrcUsage(e *Env) int {
	fmt.Fprintln(e.Stderr, "Usage: sysrc [OPTIONS] {name[[+|-]=value] ... | -a | -A | -l | -L [name ...]}")
	fmt.Fprintln(e.Stderr, "Try `sysrc --help' for more information.")
	return 1
}

func sysrcHelp(e *Env) int {
	w := e.Stderr
	fmt.Fprintln(w, "Usage: sysrc [OPTIONS] name[[+|-]=value] ...")
	fmt.Fprintln(w, "Usage: sysrc [OPTIONS] -a | -A")
	fmt.Fprintln(w, "Usage: sysrc [OPTIONS] -l | -L [name ...]")
	fmt.Fprintln(w, "OPTIONS:")
	for _, l := range [][2]string{
		{"-a", "Dump a list of all non-default configuration variables."},
		{"-A", "Dump a list of all configuration variables (incl. defaults)."},
		{"-c", "Check. Return success if set or no changes, else error."},
		{"-d", "Print a description of the given variable."},
		{"-D", "Show default value(s) only."},
		{"-e", "Print query results as `var=value'."},
		{"-E", "Existing files only with `-[lL]' or when changing a setting."},
		{"-f file", "Operate on the specified file(s) instead of rc_conf_files."},
		{"-F", "Show only the last rc.conf(5) file each directive is in."},
		{"-h", "Print a short usage statement to stderr and exit."},
		{"--help", "Print this message to stderr and exit."},
		{"-i", "Ignore unknown variables."},
		{"-j jail", "The jid or name of the jail to operate within."},
		{"-l", "List configuration files used at startup on stdout and exit."},
		{"-L", "List all configuration files including rc.conf.d entries."},
		{"-n", "Show only variable values, not their names."},
		{"-N", "Show only variable names, not their values."},
		{"-q", "Quiet. Disable verbose and hide certain errors."},
		{"-s name", "Process additional `rc.conf.d' entries for service name."},
		{"-R dir", "Operate within the root directory `dir' rather than `/'."},
		{"-v", "Verbose. Print the pathname of the specific rc.conf(5)."},
		{"--version", "Print version information to stdout and exit."},
		{"-x", "Remove variable(s) from specified file(s)."},
	} {
		fmt.Fprintf(w, "\t%-11s%s\n", l[0], l[1])
	}
	fmt.Fprintln(w)
	return 1
}

type sysrcOpts struct {
	showAll        int // 1 for -a, 2 for -A
	check          bool
	describe       bool
	deflt          bool
	equals         bool
	existing       bool
	showFile       bool
	ignoreUnknowns bool
	jail, rootdir  string
	listConfs      bool
	listSvcConfs   bool
	showName       bool
	showValue      bool
	quiet, verbose bool
	service        string
	del            int // 1 for -x, 2 for -X
}

func runSysrc(e *Env) int {
	args := e.Args
	if len(args) == 0 {
		return sysrcUsage(e)
	}
	for _, a := range args {
		if a == "--" {
			break
		}
		if a == "--help" {
			return sysrcHelp(e)
		}
		if a == "--version" {
			fmt.Fprintln(e.Stdout, sysrcVersion)
			return 1
		}
	}
	o := sysrcOpts{showName: true, showValue: true}
	c := &sysrcCtx{e: e, explicit: map[string]bool{}, defaults: "/etc/defaults/rc.conf"}
	if d := e.Getenv("RC_DEFAULTS"); d != "" {
		c.defaults = d
	}
	if rc := e.Getenv("RC_CONFS"); rc != "" {
		c.confs, c.confsSet = strings.Fields(rc), true
	}
	opts, rest, oerr := ulGetopt(args, "aAcdDeEf:Fhij:lLnNqR:s:vxX")
	if oerr != nil {
		fmt.Fprintln(e.Stderr, oerr.sh())
		return sysrcUsage(e)
	}
	for _, op := range opts {
		switch op.c {
		case 'a':
			if o.showAll == 0 {
				o.showAll = 1
			}
		case 'A':
			o.showAll = 2
		case 'c':
			o.check = true
		case 'd':
			o.describe = true
		case 'D':
			o.deflt = true
			c.confs, c.confsSet = nil, true
		case 'e':
			o.equals = true
		case 'E':
			o.existing = true
		case 'f':
			o.deflt = false
			if !c.confsSet {
				c.confs = nil
			}
			c.confs, c.confsSet = append(c.confs, strings.Fields(op.arg)...), true
			for _, f := range strings.Fields(op.arg) {
				c.explicit[f] = true
			}
		case 'F':
			o.showFile = true
		case 'h':
			return sysrcUsage(e)
		case 'i':
			o.ignoreUnknowns = true
		case 'j':
			if op.arg == "" {
				return e.Errorf(1, "Missing or null argument to `-j' flag")
			}
			o.jail = op.arg
		case 'l':
			o.listConfs = true
		case 'L':
			o.listSvcConfs = true
		case 'n':
			o.showName = false
		case 'N':
			o.showValue = false
		case 'q':
			o.quiet, o.verbose = true, false
		case 'R':
			if op.arg == "" {
				return e.Errorf(1, "Missing or null argument to `-R' flag")
			}
			o.rootdir = op.arg
		case 's':
			if op.arg == "" {
				return e.Errorf(1, "Missing or null argument to `-s' flag")
			}
			o.service = op.arg
		case 'v':
			o.verbose, o.quiet = true, false
		case 'x':
			if o.del == 0 {
				o.del = 1
			}
		case 'X':
			o.del = 2
		}
	}

	// -j and -R re-run the script inside the jail or chroot; here that
	// means resolving every path under the target root.
	if o.jail != "" {
		j, ok := ulFindJail(e, o.jail)
		if !ok {
			return ulJailNotFound(e, "jexec", o.jail)
		}
		c.root = j.Path
	} else if o.rootdir != "" {
		if st, err := os.Stat(o.rootdir); err != nil || !st.IsDir() {
			msg := "No such file or directory"
			if err == nil {
				msg = "Not a directory"
			}
			fmt.Fprintf(e.Stderr, "chroot: %s: %s\n", o.rootdir, msg)
			return 1
		}
		c.root = o.rootdir
	}

	for _, a := range rest {
		name := a
		if i := regexp.MustCompile(`:[+=-]`).FindStringIndex(name); i != nil {
			name = name[:i[0]]
		}
		if i := strings.IndexAny(name, "%#+=-"); i >= 0 {
			name = name[:i]
		}
		if !regexp.MustCompile(`^[0-9A-Za-z_]*$`).MatchString(name) {
			return e.Errorf(1, "%s: name contains characters not allowed in shell", name)
		}
	}

	if o.service != "" && !c.confsSet {
		if extra, ok := sysrcServiceConfs(c, o.service); ok {
			c.confs = append(c.rcConfFiles(), extra...)
			c.confsSet = true
		}
	}
	if o.existing {
		var keep []string
		for _, f := range c.rcConfFiles() {
			if st, err := os.Stat(c.file(f).real); err == nil && st.Mode().IsRegular() {
				keep = append(keep, f)
			}
		}
		c.confs, c.confsSet = keep, true
	}
	if o.listSvcConfs {
		fmt.Fprintln(e.Stdout, strings.Join(c.rcConfFiles(), " "))
		return 0
	}
	if o.listConfs {
		if len(rest) != 0 {
			return sysrcUsage(e)
		}
		switch {
		case o.deflt:
			fmt.Fprintln(e.Stdout, c.defaults)
		default:
			fmt.Fprintln(e.Stdout, strings.Join(c.rcConfFiles(), " "))
		}
		return 0
	}
	if len(rest) == 0 && o.showAll == 0 {
		return sysrcUsage(e)
	}

	// Taint-check every rc.conf file first, as the script does with sh -n.
	for _, lf := range append([]string{c.defaults}, c.rcConfFiles()...) {
		b, err := os.ReadFile(c.file(lf).real)
		if err != nil {
			continue
		}
		if err := sysrcCheck(string(b)); err != nil {
			fmt.Fprintf(e.Stderr, "%s: %v\n", lf, err)
			return e.Errorf(1, "Exiting due to previous syntax errors")
		}
	}
	if o.del != 0 && o.showAll != 0 && o.del != 2 {
		return e.Errorf(1, "`-x' option incompatible with `-a'/`-A' options (use `-X' to override)")
	}
	if o.check && o.showAll != 0 {
		return e.Errorf(1, "`-c' option incompatible with `-a'/`-A' options")
	}
	if o.showFile || !o.showName {
		o.equals = false
	}
	if !o.showValue {
		o.showName, o.equals = true, false
	}
	sep := ": "
	if o.equals {
		sep = `="`
	}
	quote := ""
	if o.equals {
		quote = `"`
	}
	nameSep := func(n string) string {
		if o.showName {
			return n + sep
		}
		return ""
	}

	if o.showAll != 0 {
		return sysrcShowAll(c, o, nameSep, quote)
	}

	status := 0
	for _, arg := range rest {
		name := arg
		if i := strings.IndexByte(arg, '='); i >= 0 {
			name = arg[:i]
		}
		mode := "assign"
		switch {
		case strings.HasSuffix(name, "+"):
			mode, name = "append", strings.TrimSuffix(name, "+")
		case strings.HasSuffix(name, "-"):
			mode, name = "remove", strings.TrimSuffix(name, "-")
		}
		if o.describe {
			d, _ := c.desc(name)
			fmt.Fprintf(e.Stdout, "%s: %s\n", name, d)
		}
		if strings.Contains(arg, "=") {
			st, stop := sysrcAssign(c, o, arg, name, mode, nameSep, quote)
			if stop {
				return st
			}
			if st != 0 {
				status = st
			}
			continue
		}
		vars := c.get()
		val, known := vars[name]
		if !known {
			if !o.ignoreUnknowns && !o.quiet {
				fmt.Fprintf(e.Stderr, "sysrc: unknown variable '%s'\n", name)
			}
			status = 1
			continue
		}
		if o.check || o.describe {
			continue
		}
		if o.del != 0 {
			if st, stop := sysrcDelete(c, name); stop {
				return st
			} else if st != 0 {
				status = st
			}
			continue
		}
		if o.showFile {
			if o.showName {
				fmt.Fprintf(e.Stdout, "%s: ", name)
			}
			f, _ := c.find(name)
			fmt.Fprintln(e.Stdout, f)
			continue
		}
		if o.verbose {
			f, _ := c.find(name)
			if o.equals {
				fmt.Fprintf(e.Stdout, ": %s; ", f)
			} else {
				fmt.Fprintf(e.Stdout, "%s: ", f)
			}
		}
		if !o.showValue {
			fmt.Fprintln(e.Stdout, name)
			continue
		}
		fmt.Fprintf(e.Stdout, "%s%s%s\n", nameSep(name), strings.TrimRight(val, "\n"), quote)
	}
	return status
}

// sysrcAssign handles one name=value, name+=value or name-=value.
func sysrcAssign(c *sysrcCtx, o sysrcOpts, arg, name, mode string, nameSep func(string) string, quote string) (int, bool) {
	e := c.e
	if o.verbose && !o.check {
		f, ok := c.find(name)
		if !ok || f == c.defaults {
			if files := c.rcConfFiles(); len(files) > 0 {
				f = files[0]
			}
		}
		if o.equals {
			fmt.Fprintf(e.Stdout, ": %s; ", f)
		} else {
			fmt.Fprintf(e.Stdout, "%s: ", f)
		}
	}
	if o.del != 0 {
		return sysrcDelete(c, name)
	}
	given := arg[strings.IndexByte(arg, '=')+1:]
	vars := c.get()
	before := strings.TrimRight(vars[name], "\n")
	newv := given
	switch mode {
	case "append", "remove":
		delim := " "
		split := strings.Fields
		if given != "" && !strings.ContainsRune(" \t\nabcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./", rune(given[0])) {
			d := given[:1]
			delim = d
			split = func(s string) []string { return strings.Split(s, d) }
		}
		var out []string
		if mode == "append" {
			out = split(before)
			for _, a := range split(given) {
				if a == "" {
					continue
				}
				dup := false
				for _, b := range split(before) {
					if a == b {
						dup = true
						break
					}
				}
				if !dup {
					out = append(out, a)
				}
			}
		} else {
			for _, b := range split(before) {
				if b == "" {
					continue
				}
				drop := false
				for _, r := range split(given) {
					if r == b {
						drop = true
						break
					}
				}
				if !drop {
					out = append(out, b)
				}
			}
		}
		newv = strings.TrimPrefix(strings.Join(out, delim), delim)
	}
	shownBefore := before
	if o.showFile {
		shownBefore, _ = c.find(name)
	}
	if o.check {
		// The 14.x script compares with the value as given, even for
		// += and -=.
		_, known := vars[name]
		switch {
		case !known:
			if o.verbose {
				fmt.Fprintf(e.Stdout, "%s: not currently set\n", name)
			}
			return 1, false
		case before != given:
			if o.verbose {
				f, _ := c.find(name)
				fmt.Fprintf(e.Stdout, "%s: %s: would change from `%s' to `%s'\n", f, name, before, given)
			}
			return 1, false
		case o.verbose:
			f, _ := c.find(name)
			fmt.Fprintf(e.Stdout, "%s: %s: already set to `%s'\n", f, name, before)
		}
		return 0, false
	}
	if !o.showValue {
		fmt.Fprintln(e.Stdout, name)
	}
	if err := c.set(name, newv); err != nil {
		return sysrcWriteError(c, err)
	}
	if !o.showValue {
		return 0, false
	}
	after := strings.TrimRight(c.get()[name], "\n")
	if o.showFile {
		after, _ = c.find(name)
	}
	mid := ""
	if o.equals {
		mid = `" #`
	}
	fmt.Fprintf(e.Stdout, "%s%s%s -> %s%s%s\n", nameSep(name), shownBefore, mid, quote, after, quote)
	return 0, false
}

func sysrcDelete(c *sysrcCtx, name string) (int, bool) {
	if err := c.delete(name); err != nil {
		return sysrcWriteError(c, err)
	}
	return 0, false
}

func sysrcWriteError(c *sysrcCtx, err error) (int, bool) {
	e := c.e
	switch {
	case errors.Is(err, sysrcErrHostGuard):
		return ulRefuseHostWrite(e, "rc.conf files"), true
	case errors.Is(err, sysrcErrSyntax):
		return e.Errorf(1, "Exiting due to previous syntax errors"), false
	case errors.Is(err, sysrcErrCreate):
		fmt.Fprintf(e.Stderr, "sysrc: %v\n", err)
		return 1, false
	}
	return e.Errorf(1, "%v", err), false
}

// sysrcShowAll implements -a (variables set in rc.conf files) and -A
// (including the defaults).
func sysrcShowAll(c *sysrcCtx, o sysrcOpts, nameSep func(string) string, quote string) int {
	e := c.e
	v := sysrcVars{}
	text, _ := c.defaultsText()
	sysrcSource(text, v)
	files := strings.Fields(v["rc_conf_files"])
	if c.confsSet {
		files = c.confs
	}
	if o.showAll == 1 {
		v = sysrcVars{"rc_conf_files": strings.Join(files, " ")}
	}
	for _, f := range files {
		if b, err := os.ReadFile(c.file(f).real); err == nil {
			sysrcSource(string(b), v)
		}
	}
	if o.showAll == 1 {
		if f, _ := c.find("rc_conf_files"); f == c.defaults {
			delete(v, "rc_conf_files")
		}
	}
	names := make([]string, 0, len(v))
	for n := range v {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		switch {
		case o.describe:
			d, _ := c.desc(n)
			fmt.Fprintf(e.Stdout, "%s: %s\n", n, d)
			continue
		case o.showFile:
			if o.showName {
				fmt.Fprintf(e.Stdout, "%s: ", n)
			}
			f, _ := c.find(n)
			fmt.Fprintln(e.Stdout, f)
			continue
		case o.del == 2:
			if st, stop := sysrcDelete(c, n); stop {
				return st
			}
			continue
		}
		if o.verbose {
			f, _ := c.find(n)
			fmt.Fprintf(e.Stdout, "%s: ", f)
		}
		if !o.showValue {
			fmt.Fprintln(e.Stdout, n)
			continue
		}
		fmt.Fprintf(e.Stdout, "%s%s%s\n", nameSep(n), strings.TrimRight(v[n], "\n"), quote)
	}
	return 0
}

// sysrcServiceConfs returns the rc.conf.d entries of a service when its
// rc.d script exists (f_sysrc_service_configs).
func sysrcServiceConfs(c *sysrcCtx, service string) ([]string, bool) {
	local := strings.Fields(c.get()["local_startup"])
	found := false
	for _, d := range append([]string{"/etc/rc.d"}, local...) {
		if st, err := os.Stat(c.file(d + "/" + service).real); err == nil && st.Mode().IsRegular() {
			found = true
			break
		}
	}
	if !found && !svcBuiltin(c, service) {
		return nil, false
	}
	var out []string
	for _, d := range append([]string{"/etc/rc.d"}, local...) {
		p := strings.TrimSuffix(d, "/rc.d") + "/rc.conf.d/" + service
		if st, err := os.Stat(c.file(p).real); err == nil && st.IsDir() {
			entries, _ := os.ReadDir(c.file(p).real)
			for _, en := range entries {
				if en.Type().IsRegular() {
					out = append(out, filepath.Join(p, en.Name()))
				}
			}
			continue
		}
		out = append(out, p)
	}
	return out, true
}
