package fbsdsim

// freebsd-update(8), modelled on the 14.x script (reference §6).
//
// Argument parsing follows the script word for word, including its
// quirks: an unknown word or a repeated non-accumulating option prints the
// usage text on stdout and exits 0; `--currently-running REL` must be two
// argv elements ("--currently-running 13.2-RELEASE" as one element is an
// unknown word, so usage and exit 0, nothing done - the behaviour of the
// current script, which passes "$@" quoted; 14.x's unquoted `get_params $@`
// would have split that word); options set on the command line win over
// the -f config file, which wins over defaults.
// The release being updated is `uname -r`: UNAME_r from the environment
// (or --currently-running, or the -j jail's userland), else the simulated
// kernel's release.
//
// Install state lives where the real tool keeps it, so callers can look
// at it as iocage does: in WORKDIR, a symlink <sha256(BASEDIR"\n")>-install
// points at an install.XXXXXX directory holding INDEX-OLD and INDEX-NEW
// (path|type|uid|gid|perm|flags|sha256|link) plus the flag files
// kernelfirst, kerneldone and worlddone; file contents are kept gzipped in
// WORKDIR/files/<sha256>.gz. After an install the directory becomes
// <hash>-rollback.
//
// What changes on disk: BASEDIR/bin/freebsd-version (its USERLAND_VERSION
// line) and, when the kernel component applies and BASEDIR/boot/kernel/kernel
// exists, that file's "@(#)FreeBSD <version>" marker (what freebsd-version -k
// reads). Like the real tool, fetch never adds a file that is missing.
//
// State machine. `fetch` stages an update to <RELNUM>-p<N>, N being the
// mirror's patch level (JCAGE_SIM_PATCHLEVEL, default 2); one `install`
// applies it. `upgrade -r NEWREL` stages an upgrade and marks it
// kernelfirst; `install` then runs the stages the real tool runs:
//   1. kernel  - only when the kernel is part of it (kernel component and
//                BASEDIR/boot/kernel/kernel present): installs the kernel,
//                prints "Kernel updates have been installed..." and stops;
//   2. world   - rewrites USERLAND_VERSION to NEWREL[-pN]; on a major
//                version change it stops with "Completing this upgrade
//                requires removing old shared object files...";
//   3. cleanup - finishes; the -install link becomes -rollback.
// So a jail root (Components world) needs 1 install for a minor upgrade
// and 2 for a major one; a root with a kernel needs 2 or 3. After the
// last one, install reports "No updates are available to install." (2).
//
// Settings:
//   JCAGE_SIM_PATCHLEVEL     mirror patch level: "3" for every release, or
//                            "13.4-RELEASE=5,14.1-RELEASE=3,2" (bare number = others)
//   JCAGE_SIM_EOL=1          the release is past its end of life: fetch prints
//                            the EOL warning and exits 1 (after staging);
//                            JCAGE_SIM_EOL=soon prints the approaching-EOL warning
//   JCAGE_SIM_UPDATE_FAIL    comma list of steps that fail: fetch, upgrade, IDS,
//                            install (any stage), install-kernel, install-world,
//                            install-cleanup, rollback
//   JCAGE_SIM_UPDATE_RELEASES  releases the update mirrors serve (default:
//                            any well-formed RELEASE/BETA/RC/ALPHA name of
//                            FreeBSD 10 to 15)
//   JCAGE_SIM_TTY=1          stdin counts as a terminal (fetch without
//                            --not-running-from-cron; upgrade's prompt shown)
//   JCAGE_SIM_UID            uid for the "You must be root" checks
//
// Left out: the kernel-module check of newer versions, boot environments
// (BASEDIR "/" on a host with bectl), merge confirmations for locally
// modified /etc files (merges always succeed), and the random cron delay.

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func init() { register("freebsd-update", runFreebsdUpdate) }

// fuProg is $0 as sh sets it when freebsd-update is found through PATH;
// the 14.x messages print it.
const fuProg = "/usr/sbin/freebsd-update"

const fuDefaultPatchlevel = 2

const fuUsageText = `usage: freebsd-update [options] command ...

Options:
  -b basedir   -- Operate on a system mounted at basedir
                  (default: /)
  -d workdir   -- Store working files in workdir
                  (default: /var/db/freebsd-update/)
  -f conffile  -- Read configuration options from conffile
                  (default: /etc/freebsd-update.conf)
  -F           -- Force a fetch operation to proceed in the
                  case of an unfinished upgrade
  -j jail      -- Operate on the given jail specified by jid or name
  -k KEY       -- Trust an RSA key with SHA256 hash of KEY
  -r release   -- Target for upgrade (e.g., 11.1-RELEASE)
  -s server    -- Server from which to fetch updates
                  (default: update.FreeBSD.org)
  -t address   -- Mail output of cron command, if any, to address
                  (default: root)
  --not-running-from-cron
               -- Run without a tty, for use by automated tools
  --currently-running release
               -- Update as if currently running this release
Commands:
  fetch        -- Fetch updates from server
  cron         -- Sleep rand(3600) seconds, fetch updates, and send an
                  email if updates were found
  upgrade      -- Fetch upgrades to FreeBSD version specified via -r option
  updatesready -- Check if there are fetched updates ready to install
  install      -- Install downloaded updates or upgrades
  rollback     -- Uninstall most recently installed updates
  IDS          -- Compare the system against an index of "known good" files
  showconfig   -- Show configuration
`

// fuOptions are the CONFIGOPTIONS of the script, in showconfig order.
var fuOptions = []string{"KEYPRINT", "WORKDIR", "SERVERNAME", "MAILTO", "ALLOWADD",
	"ALLOWDELETE", "KEEPMODIFIEDMETADATA", "COMPONENTS", "IGNOREPATHS",
	"UPDATEIFUNMODIFIED", "BASEDIR", "VERBOSELEVEL", "TARGETRELEASE",
	"STRICTCOMPONENTS", "MERGECHANGES", "IDSIGNOREPATHS", "BACKUPKERNEL",
	"BACKUPKERNELDIR", "BACKUPKERNELSYMBOLFILES"}

// fuDefaults are default_params().
var fuDefaults = map[string]string{
	"WORKDIR": "/var/db/freebsd-update", "MAILTO": "root", "ALLOWADD": "yes",
	"ALLOWDELETE": "yes", "KEEPMODIFIEDMETADATA": "yes", "BASEDIR": "/",
	"VERBOSELEVEL": "stats", "STRICTCOMPONENTS": "no", "BACKUPKERNEL": "yes",
	"BACKUPKERNELDIR": "/boot/kernel.old", "BACKUPKERNELSYMBOLFILES": "no",
}

// fuExit carries an exit status out of deep code: the script exits from
// inside its functions.
type fuExit struct{ code int }

type fuRun struct {
	e        *Env
	out      io.Writer
	conffile string
	force    bool
	notty    bool
	unameR   string // set by --currently-running or -j
	unameSet bool
	cmds     []string
	bootenv  string
	cfg      map[string]string
	fetched  bool

	workFromDefault bool
	basedirFS       string // where BASEDIR is on this machine
	workdirFS       string
	baseGuarded     bool // BASEDIR is the real Linux "/"
	workGuarded     bool // WORKDIR is a default path on the real Linux "/"
	relnum, arch    string
	bdhash          string
	server          string
	mirrors         []string
}

func (f *fuRun) p(format string, a ...any) { fmt.Fprintf(f.out, format, a...) }

func (f *fuRun) exit(code int) { panic(fuExit{code}) }

func (f *fuRun) usage() { fmt.Fprint(f.out, fuUsageText); f.exit(0) }

func runFreebsdUpdate(e *Env) (code int) {
	f := &fuRun{e: e, out: e.Stdout}
	defer func() {
		if r := recover(); r != nil {
			x, ok := r.(fuExit)
			if !ok {
				panic(r)
			}
			code = x.code
		}
	}()
	f.parseCmdline(e.Args)
	f.parseConffile()
	for _, c := range f.cmds {
		switch c {
		case "fetch":
			f.cmdFetch()
		case "cron":
			f.cmdCron()
		case "upgrade":
			f.cmdUpgrade()
		case "updatesready":
			f.cmdUpdatesready()
		case "install":
			f.cmdInstall()
		case "rollback":
			f.cmdRollback()
		case "IDS":
			f.cmdIDS()
		case "showconfig":
			f.cmdShowconfig()
		}
	}
	return 0
}

// configSet applies one config keyword to layer c, returning false where
// the script's config_X function returns 1.
func (f *fuRun) configSet(c map[string]string, kw string, args []string) bool {
	arg := ""
	if len(args) > 0 {
		arg = args[0]
	}
	once := func(key, v string) bool {
		if c[key] != "" {
			return false
		}
		c[key] = v
		return true
	}
	yesno := func(key string) bool {
		if c[key] != "" {
			return false
		}
		switch strings.ToLower(arg) {
		case "yes", "no":
			c[key] = strings.ToLower(arg)
			return true
		}
		return false
	}
	accumulate := func(key string) bool {
		for _, a := range args {
			c[key] += " " + a
		}
		return true
	}
	switch kw {
	case "KeyPrint":
		return once("KEYPRINT", arg)
	case "WorkDir":
		return once("WORKDIR", arg)
	case "ServerName":
		return once("SERVERNAME", arg)
	case "MailTo":
		return once("MAILTO", arg)
	case "BaseDir":
		return once("BASEDIR", arg)
	case "AllowAdd":
		return yesno("ALLOWADD")
	case "AllowDelete":
		return yesno("ALLOWDELETE")
	case "KeepModifiedMetadata":
		return yesno("KEEPMODIFIEDMETADATA")
	case "StrictComponents":
		return yesno("STRICTCOMPONENTS")
	case "BackupKernel":
		return yesno("BACKUPKERNEL")
	case "BackupKernelSymbolFiles":
		return yesno("BACKUPKERNELSYMBOLFILES")
	case "CreateBootEnv":
		if f.bootenv != "" {
			return false
		}
		switch strings.ToLower(arg) {
		case "yes", "no":
			f.bootenv = strings.ToLower(arg)
			return true
		}
		return false
	case "Components":
		return accumulate("COMPONENTS")
	case "IgnorePaths":
		return accumulate("IGNOREPATHS")
	case "IDSIgnorePaths":
		return accumulate("IDSIGNOREPATHS")
	case "UpdateIfUnmodified":
		return accumulate("UPDATEIFUNMODIFIED")
	case "MergeChanges":
		return accumulate("MERGECHANGES")
	case "TargetRelease":
		if !once("TARGETRELEASE", arg) {
			return false
		}
		if regexp.MustCompile(`^[0-9.]+$`).MatchString(arg) {
			c["TARGETRELEASE"] = arg + "-RELEASE"
		}
		return true
	case "SourceRelease":
		f.sourceRelease(arg)
		return true
	case "TargetJail":
		f.targetJail(arg)
		return true
	case "VerboseLevel":
		if c["VERBOSELEVEL"] != "" {
			return false
		}
		switch strings.ToLower(arg) {
		case "debug", "nostats", "stats":
			c["VERBOSELEVEL"] = strings.ToLower(arg)
			return true
		}
		return false
	case "BackupKernelDir":
		if c["BACKUPKERNELDIR"] != "" {
			return false
		}
		switch {
		case arg == "":
			f.p("BackupKernelDir set to empty dir\n")
			return false
		case arg == "/" || arg == "/bin" || arg == "/boot" || arg == "/etc" || arg == "/lib" ||
			arg == "/libexec" || arg == "/sbin" || arg == "/usr" || arg == "/var":
			f.p("BackupKernelDir set to invalid path %s\n", arg)
			return false
		case strings.HasPrefix(arg, "/"):
			c["BACKUPKERNELDIR"] = arg
			return true
		}
		f.p("BackupKernelDir (%s) is not an absolute path\n", arg)
		return false
	}
	// The script calls config_<keyword>; an unknown one is a missing
	// command for sh.
	fmt.Fprintf(f.e.Stderr, "%s: config_%s: not found\n", fuProg, kw)
	return false
}

func (f *fuRun) sourceRelease(rel string) {
	if regexp.MustCompile(`^[0-9.]+$`).MatchString(rel) {
		rel += "-RELEASE"
	}
	f.unameR, f.unameSet = rel, true
}

// targetJail is config_TargetJail: BASEDIR and UNAME_r from the jail.
func (f *fuRun) targetJail(name string) {
	j, ok := ulFindJail(f.e, name)
	var rel string
	if ok {
		rel, _ = ulUserland(j.Path)
	} else {
		ulJailNotFound(f.e, "jexec", name)
		ulJailNotFound(f.e, "jls", name)
	}
	if !ok || rel == "" {
		f.p("The specified jail either doesn't exist or does not have freebsd-version.\n")
		f.exit(1)
	}
	f.cfg["BASEDIR"] = j.Path
	f.unameR, f.unameSet = rel, true
}

func (f *fuRun) parseCmdline(args []string) {
	f.cfg = map[string]string{}
	opt := map[string]string{"-b": "BaseDir", "-d": "WorkDir", "-j": "TargetJail",
		"-k": "KeyPrint", "-s": "ServerName", "-r": "TargetRelease", "-t": "MailTo", "-v": "VerboseLevel"}
	for i := 0; i < len(args); i++ {
		a := args[i]
		last := i == len(args)-1
		switch a {
		case "-f":
			if last || f.conffile != "" {
				f.usage()
			}
			i++
			f.conffile = args[i]
		case "-F":
			f.force = true
		case "--not-running-from-cron":
			f.notty = true
		case "--currently-running":
			if last {
				// `shift` leaves $1 empty, then the loop's own shift fails.
				f.sourceRelease("")
				fmt.Fprintln(f.e.Stderr, "shift: can't shift that many")
				f.exit(2)
			}
			i++
			f.sourceRelease(args[i])
		case "-b", "-d", "-j", "-k", "-s", "-r", "-t", "-v":
			if last {
				f.usage()
			}
			i++
			if !f.configSet(f.cfg, opt[a], []string{args[i]}) {
				f.usage()
			}
		case "--debug":
			if !f.configSet(f.cfg, "VerboseLevel", []string{"debug"}) {
				f.usage()
			}
		case "--no-stats":
			if !f.configSet(f.cfg, "VerboseLevel", []string{"nostats"}) {
				f.usage()
			}
		case "cron", "fetch", "upgrade", "updatesready", "install", "rollback", "IDS", "showconfig":
			f.cmds = append(f.cmds, a)
		default:
			f.usage()
		}
	}
	if len(f.cmds) == 0 {
		f.usage()
	}
}

func (f *fuRun) parseConffile() {
	cmdline := f.cfg
	path := f.conffile
	if path != "" {
		if fi, err := os.Stat(path); err != nil || fi.IsDir() || syscall.Access(path, 4) != nil {
			f.p("File does not exist or is not readable: %s\n", path)
			f.exit(1)
		}
	} else {
		path = ulHostPath(f.e, "/etc/freebsd-update.conf")
	}
	merged := map[string]string{}
	for k, v := range cmdline {
		merged[k] = v
	}
	if b, err := os.ReadFile(path); err == nil {
		file := map[string]string{}
		// `while read LINE` never sees a last line that lacks its newline.
		lines := strings.Split(string(b), "\n")
		lines = lines[:len(lines)-1]
		for n, line := range lines {
			line = strings.TrimSpace(line)
			linex := line
			if k := strings.IndexByte(linex, '#'); k >= 0 {
				linex = linex[:k]
			}
			words := strings.Fields(linex)
			if len(words) == 0 {
				continue
			}
			if !f.configSet(file, words[0], words[1:]) {
				f.p("Error processing configuration file, line %d:\n", n+1)
				f.p("==> %s\n", line)
				f.exit(1)
			}
		}
		for k, v := range file {
			if merged[k] == "" {
				merged[k] = v
			}
		}
	}
	f.workFromDefault = merged["WORKDIR"] == ""
	for k, v := range fuDefaults {
		if merged[k] == "" {
			merged[k] = v
		}
	}
	if f.bootenv == "" {
		f.bootenv = "yes"
	}
	f.cfg = merged

	base := f.cfg["BASEDIR"]
	if base == "/" {
		root, set := ulSimRoot(f.e)
		f.basedirFS = root
		f.baseGuarded = !set
	} else {
		f.basedirFS = base
	}
	f.workdirFS = f.cfg["WORKDIR"]
	if f.workFromDefault {
		f.workdirFS = ulHostPath(f.e, f.cfg["WORKDIR"])
		f.workGuarded = !ulHostWritable(f.e)
	}
	f.bdhash = ulSHA256(base + "\n")
}

func (f *fuRun) components() []string { return strings.Fields(f.cfg["COMPONENTS"]) }

// finalizeComponents drops src when it is not installed, once per run.
func (f *fuRun) finalizeComponents() {
	var out []string
	for _, c := range f.components() {
		if c == "src" {
			if _, err := os.Stat(filepath.Join(f.basedirFS, "usr/src/COPYRIGHT")); err != nil {
				f.p("src component not installed, skipped\n")
				continue
			}
		}
		out = append(out, c)
	}
	f.cfg["COMPONENTS"] = strings.Join(out, " ")
}

func (f *fuRun) hasComponent(name string) bool {
	for _, c := range f.components() {
		if c == name || strings.HasPrefix(c, name+"/") {
			return true
		}
	}
	return false
}

func (f *fuRun) failing(step string) bool {
	for _, s := range ulList(f.e.Setting("UPDATE_FAIL")) {
		if s == step {
			return true
		}
	}
	return false
}

// unameRelease is `uname -r` as the script sees it.
func (f *fuRun) unameRelease() string {
	if f.unameSet {
		return f.unameR
	}
	if r := f.e.Getenv("UNAME_r"); r != "" {
		return r
	}
	v, _ := sysctlGet(f.e, "kern.osrelease")
	return v
}

func (f *fuRun) workdirOK() bool {
	st, err := os.Stat(f.workdirFS)
	return err == nil && st.IsDir() && syscall.Access(f.workdirFS, 2) == nil
}

func (f *fuRun) fail(format string, a ...any) {
	f.p("freebsd-update: "+format+"\n", a...)
	f.exit(1)
}

// fetchupgradeCheckParams is fetchupgrade_check_params.
func (f *fuRun) fetchupgradeCheckParams() {
	if f.cfg["SERVERNAME"] == "" {
		f.fail("SERVERNAME must be given via command line or configuration file.")
	}
	kp := f.cfg["KEYPRINT"]
	if kp == "" {
		f.fail("Key must be given via -k option or configuration file.")
	}
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(kp) {
		f.fail("Invalid key fingerprint: %s", kp)
	}
	if f.workGuarded {
		f.exit(ulRefuseHostWrite(f.e, "the host's freebsd-update state"))
	}
	if !f.workdirOK() {
		f.fail("Directory does not exist or is not writable: %s", f.cfg["WORKDIR"])
	}
	os.Chmod(f.workdirFS, 0o700)
	f.setRelnum()
	if !regexp.MustCompile(`(-RELEASE|-ALPHA.*|-BETA.*|-RC.*)$`).MatchString(f.relnum) {
		f.p("freebsd-update: Cannot upgrade from a version that is not a release\n")
		f.p("(including alpha, beta and release candidates)\n")
		f.p("using freebsd-update. Instead, FreeBSD can be directly\n")
		f.p("upgraded by source or upgraded to a RELEASE/RELENG version\n")
		f.p("prior to running freebsd-update.\n")
		f.p("Currently running: %s\n", f.relnum)
		f.exit(1)
	}
}

func (f *fuRun) setRelnum() {
	rel := regexp.MustCompile(`-p[0-9]+`).ReplaceAllLiteralString(f.unameRelease(), "")
	// sed replaces the first match only; releases carry at most one.
	f.relnum = strings.Replace(rel, "-SECURITY", "-RELEASE", 1)
	f.arch = f.e.Getenv("UNAME_m")
	if f.arch == "" {
		f.arch = ulMachine(f.e)
	}
}

func (f *fuRun) link(kind string) string {
	return filepath.Join(f.workdirFS, f.bdhash+"-"+kind)
}

func fuIsLink(p string) bool {
	st, err := os.Lstat(p)
	return err == nil && st.Mode()&os.ModeSymlink != 0
}

func fuExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func (f *fuRun) fetchCheckParams() {
	f.fetchupgradeCheckParams()
	if f.cfg["TARGETRELEASE"] != "" {
		f.fail("-r option is meaningless with 'fetch' command.  (Did you mean 'upgrade' instead?)")
	}
	if fuExists(filepath.Join(f.link("install"), "kerneldone")) && !f.force {
		f.p("You have a partially completed upgrade pending\n")
		f.p("Run '%s install' first.\n", fuProg)
		f.p("Run '%s fetch -F' to proceed anyway.\n", fuProg)
		f.exit(1)
	}
}

func (f *fuRun) cmdFetch() {
	f.finalizeComponents()
	if !ulStdinIsTTY(f.e) && !f.notty {
		f.p("freebsd-update fetch should not be run non-interactively.\n")
		f.p("Run freebsd-update cron instead.\n")
		f.exit(1)
	}
	f.fetchCheckParams()
	if !f.fetchRun("fetch") {
		f.exit(1)
	}
	f.fetched = true
}

func (f *fuRun) cmdCron() {
	f.fetchCheckParams()
	var buf bytes.Buffer
	saved := f.out
	f.out = &buf
	f.finalizeComponents()
	ok := f.fetchRun("cron")
	f.out = saved
	if !ok || !strings.Contains(buf.String(), "No updates needed") || f.cfg["VERBOSELEVEL"] == "debug" {
		// The real tool mails the report; keep it where tests can read it.
		host, _ := sysctlGet(f.e, "kern.hostname")
		mail := fmt.Sprintf("To: %s\nSubject: %s security updates\n\n%s\n", f.cfg["MAILTO"], host, buf.String())
		if fh, err := os.OpenFile(filepath.Join(f.e.State, "freebsd-update-mail.txt"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644); err == nil {
			fh.WriteString(mail)
			fh.Close()
		}
	}
}

// nd is the effect of `echo ${NDEBUG}`: without stats the progress lines
// end early.
func (f *fuRun) nd() string {
	if f.cfg["VERBOSELEVEL"] == "stats" {
		return ""
	}
	return "\n"
}

// progress is fetch_progress for n downloaded items.
func (f *fuRun) progress(n int) string {
	if f.cfg["VERBOSELEVEL"] != "stats" {
		return " "
	}
	var sb strings.Builder
	for i := 1; i <= n; i++ {
		switch {
		case i%10 == 0:
			sb.WriteString(strconv.Itoa(i))
		case i%2 == 0:
			sb.WriteByte('.')
		}
	}
	sb.WriteByte(' ')
	return sb.String()
}

func (f *fuRun) ddstats() string {
	if f.cfg["VERBOSELEVEL"] == "stats" {
		return ""
	}
	return ".."
}

// pickMirrors is fetch_pick_server_init plus the first fetch_pick_server.
func (f *fuRun) pickMirrors() {
	f.server = f.cfg["SERVERNAME"]
	f.p("Looking up %s mirrors... ", f.server)
	if strings.EqualFold(f.server, "update.FreeBSD.org") {
		f.mirrors = []string{"update1.freebsd.org", "update2.freebsd.org"}
		f.p("%d mirrors found.\n", len(f.mirrors))
		f.server, f.mirrors = f.mirrors[0], f.mirrors[1:]
		return
	}
	f.p("none found.\n")
	f.mirrors = nil
}

// nextMirror is fetch_pick_server after a failure.
func (f *fuRun) nextMirror(relnum string) bool {
	if len(f.mirrors) == 0 {
		f.p("No mirrors remaining, giving up.\n\n")
		f.p("This may be because upgrading from this platform (%s)\n", f.arch)
		f.p("or release (%s) is unsupported by freebsd-update. Only\n", relnum)
		f.p("platforms with Tier 1 support can be upgraded by freebsd-update.\n")
		f.p("See https://www.freebsd.org/platforms/ for more info.\n\n")
		f.p("If unsupported, FreeBSD must be upgraded by source.\n")
		return false
	}
	f.server, f.mirrors = f.mirrors[0], f.mirrors[1:]
	return true
}

var fuReleaseRE = regexp.MustCompile(`^[0-9]+\.[0-9]+-(RELEASE|BETA[0-9]+|RC[0-9]+|ALPHA[0-9]+)$`)

func (f *fuRun) served(rel string) bool {
	if !fuReleaseRE.MatchString(rel) {
		return false
	}
	if maj, _, _ := ulMajorMinor(rel); maj < 10 || maj > 15 {
		return false
	}
	if list := ulList(f.e.Setting("UPDATE_RELEASES")); len(list) > 0 {
		for _, r := range list {
			if r == rel {
				return true
			}
		}
		return false
	}
	return true
}

// patchlevel is the mirror's latest patch number for a release.
func (f *fuRun) patchlevel(rel string) int {
	def := fuDefaultPatchlevel
	for _, ent := range ulList(f.e.Setting("PATCHLEVEL")) {
		if k, v, ok := strings.Cut(ent, "="); ok {
			if k == rel {
				if n, err := strconv.Atoi(v); err == nil {
					return n
				}
			}
			continue
		}
		if n, err := strconv.Atoi(ent); err == nil {
			def = n
		}
	}
	return def
}

// fetchKeyAndTag runs the key and tag loops of fetch_run/upgrade_run;
// it returns the patch level on the mirror, or ok=false after printing
// "No mirrors remaining".
func (f *fuRun) fetchKeyAndTag(rel string, failStep string) (int, bool) {
	if !fuExists(filepath.Join(f.workdirFS, "pub.ssl")) {
		f.p("Fetching public key from %s... done.\n", f.server)
		os.WriteFile(filepath.Join(f.workdirFS, "pub.ssl"), []byte("-----BEGIN PUBLIC KEY-----\nfbsdsim\n-----END PUBLIC KEY-----\n"), 0o644)
	}
	for {
		f.p("Fetching metadata signature for %s from %s... %s", rel, f.server, f.nd())
		if f.served(rel) && (failStep == "" || !f.failing(failStep)) {
			f.p("done.\n")
			return f.patchlevel(rel), true
		}
		f.p("failed.\n")
		if !f.nextMirror(rel) {
			return 0, false
		}
	}
}

func (f *fuRun) eolTime(rel string) int64 {
	ends := map[string]string{
		"11.4": "2021-09-30", "12.2": "2022-03-31", "12.3": "2023-03-31", "12.4": "2023-12-31",
		"13.0": "2022-08-31", "13.1": "2023-07-31", "13.2": "2024-06-30", "13.3": "2024-12-31",
		"13.4": "2025-06-30", "13.5": "2026-04-30", "14.0": "2024-09-30", "14.1": "2025-03-31",
		"14.2": "2025-09-30", "14.3": "2026-06-30",
	}
	num, _, _ := strings.Cut(rel, "-")
	d, ok := ends[num]
	if !ok {
		d = "2024-01-01"
	}
	t, _ := time.Parse("2006-01-02", d)
	return t.Unix()
}

// tagSanity is fetch_tagsanity.
func (f *fuRun) tagSanity(rel string, patch int) bool {
	relpx := 0
	u := f.unameRelease()
	if i := strings.LastIndexByte(u, '-'); i >= 0 {
		if m := regexp.MustCompile(`^p([0-9]+)$`).FindStringSubmatch(u[i+1:]); m != nil {
			relpx, _ = strconv.Atoi(m[1])
		}
	}
	if patch < relpx {
		f.p("\nFiles on mirror (%s-p%d) appear older than what\n", rel, patch)
		f.p("we are currently running (%s)!\n", u)
		f.p("Cowardly refusing to proceed any further.\n")
		return false
	}
	if b, err := os.ReadFile(filepath.Join(f.workdirFS, "tag")); err == nil {
		parts := strings.Split(strings.TrimSpace(string(b)), "|")
		if len(parts) == 6 && parts[1] == f.arch && parts[2] == rel {
			if last, err := strconv.Atoi(parts[3]); err == nil && patch < last {
				f.p("\nFiles on mirror (%s-p%d) are older than the\n", rel, patch)
				f.p("most recently seen updates (%s-p%d).\n", rel, last)
				f.p("Cowardly refusing to proceed any further.\n")
				return false
			}
		}
	}
	return true
}

// fetchMetadata prints the metadata steps and records the new tag and
// the metadata the work directory now holds.
func (f *fuRun) fetchMetadata(rel string, patch, files int) {
	f.p("Fetching metadata index... %sdone.\n", f.nd())
	present := filepath.Join(f.workdirFS, "tINDEX.present")
	b, _ := os.ReadFile(present)
	have := map[string]string{}
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, "|"); ok {
			have[k] = v
		}
	}
	want := "p" + strconv.Itoa(patch)
	switch have[rel] {
	case want:
	case "":
		f.p("Fetching %d metadata files... %sdone.\n", files, f.nd())
	default:
		f.p("Fetching 1 metadata patches.%s%sdone.\n", f.ddstats(), f.progress(1))
		f.p("Applying metadata patches... done.\n")
	}
	have[rel] = want
	var lines []string
	for k, v := range have {
		lines = append(lines, k+"|"+v)
	}
	sort.Strings(lines)
	os.WriteFile(present, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
	tag := fmt.Sprintf("freebsd-update|%s|%s|%d|%s|%d\n", f.arch, rel, patch, ulSHA256(rel+want), f.eolTime(rel))
	os.WriteFile(filepath.Join(f.workdirFS, "tag"), []byte(tag), 0o644)
}

// fuChange is one file an update replaces.
type fuChange struct {
	path     string // "/bin/freebsd-version"
	old, new []byte
	perm     os.FileMode
}

var fuUserlandRE = regexp.MustCompile(`(?m)^([ \t]*USERLAND_VERSION=)["']?[^"'\s]*["']?`)
var fuKernelRE = regexp.MustCompile(`@\(#\)FreeBSD [-.0-9A-Za-z]+ `)

func fuUserlandVersion(rel string, patch int) string {
	if patch <= 0 {
		return rel
	}
	return fmt.Sprintf("%s-p%d", rel, patch)
}

// plan works out which files an update to rel-pN changes. Files that do
// not exist are left alone, as the real tool does.
func (f *fuRun) plan(rel string, patch int, world, kernel bool) []fuChange {
	target := fuUserlandVersion(rel, patch)
	var ch []fuChange
	if world {
		p := filepath.Join(f.basedirFS, "bin/freebsd-version")
		if old, err := os.ReadFile(p); err == nil && fuUserlandRE.Match(old) {
			cur, _ := ulUserland(f.basedirFS)
			cb, cp := ulRelease(cur)
			if !(cb == rel && cp >= patch) {
				nw := fuUserlandRE.ReplaceAll(old, []byte(fmt.Sprintf("${1}%q", target)))
				st, _ := os.Stat(p)
				ch = append(ch, fuChange{"/bin/freebsd-version", old, nw, st.Mode().Perm()})
			}
		}
	}
	if kernel {
		p := filepath.Join(f.basedirFS, "boot/kernel/kernel")
		if old, err := os.ReadFile(p); err == nil {
			cb, cp := ulRelease(fvKernelMarker(old))
			if !(cb == rel && cp >= patch) {
				marker := []byte("@(#)FreeBSD " + target + " ")
				var nw []byte
				if fuKernelRE.Match(old) {
					nw = fuKernelRE.ReplaceAllLiteral(old, marker)
				} else {
					nw = append(append(append([]byte(nil), old...), marker...), []byte("#0: GENERIC\n")...)
				}
				st, _ := os.Stat(p)
				ch = append(ch, fuChange{"/boot/kernel/kernel", old, nw, st.Mode().Perm()})
			}
		}
	}
	sort.Slice(ch, func(a, b int) bool { return ch[a].path < ch[b].path })
	return ch
}

// fuManifest is the simulator's note inside an install directory.
type fuManifest struct {
	Kind    string `json:"kind"` // "update" or "upgrade"
	Target  string `json:"target"`
	OldLibs bool   `json:"old_libs"` // a major upgrade: a cleanup stage follows world
}

const fuManifestFile = "fbsdsim.json"

func (f *fuRun) storeFile(data []byte) (string, error) {
	h := ulSHA256(string(data))
	dir := filepath.Join(f.workdirFS, "files")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(data)
	zw.Close()
	return h, os.WriteFile(filepath.Join(dir, h+".gz"), buf.Bytes(), 0o644)
}

func (f *fuRun) loadFile(hash string) ([]byte, error) {
	b, err := os.ReadFile(filepath.Join(f.workdirFS, "files", hash+".gz"))
	if err != nil {
		return nil, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}

func (f *fuRun) removeInstall() {
	l := f.link("install")
	if fuIsLink(l) {
		if t, err := os.Readlink(l); err == nil {
			if !filepath.IsAbs(t) {
				t = filepath.Join(f.workdirFS, t)
			}
			os.RemoveAll(t)
		}
		os.Remove(l)
	}
}

// createManifest is fetch_create_manifest: it reports the changes and
// links a new install directory into place.
func (f *fuRun) createManifest(changes []fuChange, rel string, patch int, m fuManifest) bool {
	f.removeInstall()
	if len(changes) == 0 {
		f.p("\nNo updates needed to update system to %s-p%d.\n", rel, patch)
		return false
	}
	var paths []string
	for _, c := range changes {
		paths = append(paths, c.path)
	}
	f.p("The following files will be updated as part of updating to\n%s-p%d:\n", rel, patch)
	for _, p := range paths {
		f.p("%s\n", p)
	}
	dir, err := os.MkdirTemp(f.workdirFS, "install.")
	if err != nil {
		f.exit(f.e.Errorf(1, "%v", err))
	}
	var oldIdx, newIdx strings.Builder
	for _, c := range changes {
		oh, err1 := f.storeFile(c.old)
		nh, err2 := f.storeFile(c.new)
		if err1 != nil || err2 != nil {
			f.exit(f.e.Errorf(1, "%v%v", err1, err2))
		}
		perm := fmt.Sprintf("%04o", uint32(c.perm))
		fmt.Fprintf(&oldIdx, "%s|f|0|0|%s|0|%s|\n", c.path, perm, oh)
		fmt.Fprintf(&newIdx, "%s|f|0|0|%s|0|%s|\n", c.path, perm, nh)
	}
	os.WriteFile(filepath.Join(dir, "INDEX-OLD"), []byte(oldIdx.String()), 0o644)
	os.WriteFile(filepath.Join(dir, "INDEX-NEW"), []byte(newIdx.String()), 0o644)
	mb, _ := json.MarshalIndent(m, "", "  ")
	os.WriteFile(filepath.Join(dir, fuManifestFile), mb, 0o644)
	if err := os.Symlink(filepath.Base(dir), f.link("install")); err != nil {
		f.exit(f.e.Errorf(1, "%v", err))
	}
	return true
}

func (f *fuRun) warnEOL() bool {
	mode := f.e.Setting("EOL")
	if mode == "" || mode == "0" {
		return true
	}
	sysname := f.e.Getenv("UNAME_s")
	if sysname == "" {
		sysname = "FreeBSD"
	}
	sr := sysname + " " + f.unameRelease()
	if mode == "soon" {
		f.p("\nWARNING: %s is approaching its End-of-Life date.\n", sr)
		f.p("It is strongly recommended that you upgrade to a newer\n")
		f.p("release within the next 2 months.\n")
		os.WriteFile(filepath.Join(f.workdirFS, "lasteolwarn"), []byte(strconv.FormatInt(time.Now().Unix(), 10)+"\n"), 0o644)
		return true
	}
	eol := time.Unix(f.eolTime(f.relnum), 0).UTC()
	f.p("\nWARNING: %s HAS PASSED ITS END-OF-LIFE DATE.\n", sr)
	f.p("Any security issues discovered after %s\n", eol.Format("Mon Jan _2 15:04:05 MST 2006"))
	f.p("will not have been corrected.\n")
	return false
}

// fetchRun is fetch_run.
func (f *fuRun) fetchRun(step string) bool {
	os.MkdirAll(filepath.Join(f.workdirFS, "files"), 0o755)
	if fh, err := os.OpenFile(filepath.Join(f.workdirFS, "tINDEX.present"), os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
		fh.Close()
	}
	f.pickMirrors()
	patch, ok := f.fetchKeyAndTag(f.relnum, step)
	if !ok || !f.tagSanity(f.relnum, patch) {
		return false
	}
	f.fetchMetadata(f.relnum, patch, 2)
	f.p("Inspecting system... done.\n")
	f.p("Preparing to download files... done.\n")
	changes := f.plan(f.relnum, patch, true, f.hasComponent("kernel"))
	if len(changes) > 0 {
		f.p("Fetching %d patches.%s%sdone.\n", len(changes), f.ddstats(), f.progress(len(changes)))
		f.p("Applying patches... done.\n")
	}
	f.createManifest(changes, f.relnum, patch, fuManifest{Kind: "update", Target: fuUserlandVersion(f.relnum, patch)})
	return f.warnEOL()
}

// continuep is the script's yes/no loop: "y..." goes on, "n..." stops,
// anything else asks again, and end of input goes on. FreeBSD sh's
// `read -p` shows the prompt only when stdin is a terminal.
func (f *fuRun) continuep() bool {
	for {
		if ulStdinIsTTY(f.e) {
			fmt.Fprint(f.e.Stderr, "Does this look reasonable (y/n)? ")
		}
		line, ok := ulReadLine(f.e.Stdin)
		if !ok {
			return true
		}
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "y"):
			return true
		case strings.HasPrefix(line, "n"):
			return false
		}
	}
}

func (f *fuRun) cmdUpgrade() {
	f.finalizeComponents()
	f.fetchupgradeCheckParams()
	target := f.cfg["TARGETRELEASE"]
	if target == "" {
		f.fail("Release target must be specified via -r option.")
	}
	if target == f.relnum {
		f.fail("Cannot upgrade from %s to itself", f.relnum)
	}
	if f.cfg["ALLOWADD"] == "no" {
		f.p("freebsd-update: WARNING: \"AllowAdd no\" is a bad idea when upgrading between releases.\n\n")
	}
	if f.cfg["ALLOWDELETE"] == "no" {
		f.p("freebsd-update: WARNING: \"AllowDelete no\" is a bad idea when upgrading between releases.\n\n")
	}
	if !f.upgradeRun(target) {
		f.exit(1)
	}
}

// upgradeComponents is upgrade_guess_components' report: what seems
// installed and what does not.
func (f *fuRun) upgradeComponents() (present, absent []string) {
	for _, c := range f.components() {
		switch {
		case strings.Contains(c, "/"):
			present = append(present, c)
		case c == "world":
			present = append(present, "world/base")
			absent = append(absent, "world/base-dbg", "world/lib32-dbg")
			if fuExists(filepath.Join(f.basedirFS, "usr/lib32")) {
				present = append(present, "world/lib32")
			} else {
				absent = append(absent, "world/lib32")
			}
		case c == "kernel":
			present = append(present, "kernel/generic")
			absent = append(absent, "kernel/generic-dbg")
		case c == "src":
			present = append(present, "src/src")
		}
	}
	sort.Strings(present)
	sort.Strings(absent)
	return present, absent
}

func (f *fuRun) upgradeRun(target string) bool {
	os.MkdirAll(filepath.Join(f.workdirFS, "files"), 0o755)
	f.pickMirrors()
	oldPatch, ok := f.fetchKeyAndTag(f.relnum, "")
	if !ok || !f.tagSanity(f.relnum, oldPatch) {
		return false
	}
	f.fetchMetadata(f.relnum, oldPatch, 2)
	if f.cfg["STRICTCOMPONENTS"] == "no" {
		f.p("Inspecting system... done.\n")
		present, absent := f.upgradeComponents()
		f.p("\nThe following components of FreeBSD seem to be installed:\n%s\n", strings.Join(present, " "))
		f.p("\nThe following components of FreeBSD do not seem to be installed:\n%s\n\n", strings.Join(absent, " "))
		if !f.continuep() {
			return false
		}
		f.p("\n")
	}
	oldrel := f.relnum
	patch, ok := f.fetchKeyAndTag(target, "upgrade")
	if !ok {
		return false
	}
	f.fetchMetadata(target, patch, 1)
	f.p("Inspecting system... done.\n")
	f.p("Fetching files from %s for merging... done.\n", oldrel)
	f.p("Preparing to download files... done.\n")
	changes := f.plan(target, patch, true, f.hasComponent("kernel"))
	if len(changes) > 0 {
		f.p("Fetching %d patches.%s%sdone.\n", len(changes), f.ddstats(), f.progress(len(changes)))
		f.p("Applying patches... done.\n")
		f.p("Attempting to automatically merge changes in files... done.\n")
	}
	oldMaj, _, _ := ulMajorMinor(oldrel)
	newMaj, _, _ := ulMajorMinor(target)
	m := fuManifest{Kind: "upgrade", Target: fuUserlandVersion(target, patch), OldLibs: oldMaj != newMaj}
	if f.createManifest(changes, target, patch, m) {
		os.WriteFile(filepath.Join(f.link("install"), "kernelfirst"), nil, 0o644)
	} else {
		fmt.Fprintf(f.e.Stderr, "touch: %s-install/kernelfirst: No such file or directory\n", f.bdhash)
	}
	f.p("To install the downloaded upgrades, run \"%s install\".\n", fuProg)
	return true
}

func (f *fuRun) cmdUpdatesready() {
	f.finalizeComponents()
	if !fuExists(f.workdirFS) {
		f.p("No updates are available to install.\n")
		f.exit(2)
	}
	if !fuIsLink(f.link("install")) {
		f.p("No updates are available to install.\n")
		f.exit(2)
	}
	f.p("There are updates available to install.\n")
	f.p("Run '%s install' to proceed.\n", fuProg)
}

func (f *fuRun) requireRoot() {
	if ulEUID(f.e) != 0 {
		f.p("You must be root to run this.\n")
		f.exit(1)
	}
}

// readIndex parses an INDEX file into path -> (hash, perm).
func fuReadIndex(p string) (map[string][2]string, error) {
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	out := map[string][2]string{}
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		fs := strings.Split(l, "|")
		if len(fs) < 7 {
			continue
		}
		out[fs[0]] = [2]string{fs[6], fs[4]}
	}
	return out, nil
}

// installFrom writes the files of an index whose path matches want.
func (f *fuRun) installFrom(idx map[string][2]string, want func(string) bool) error {
	paths := make([]string, 0, len(idx))
	for p := range idx {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		if !want(p) {
			continue
		}
		data, err := f.loadFile(idx[p][0])
		if err != nil {
			return err
		}
		perm, _ := strconv.ParseUint(idx[p][1], 8, 32)
		dst := filepath.Join(f.basedirFS, p)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if fuExists(dst) {
			if err := ulWriteKeepMode(dst, data); err != nil {
				return err
			}
			os.Chmod(dst, os.FileMode(perm))
		} else if err := os.WriteFile(dst, data, os.FileMode(perm)); err != nil {
			return err
		}
	}
	return nil
}

func fuIsBoot(p string) bool { return strings.HasPrefix(p, "/boot/") }

// installFail reports a failed file installation the way install(1) would
// and stops with status 1, leaving the staged update in place.
func (f *fuRun) installFail(path string, err error) {
	msg := "Operation not permitted"
	if err != nil {
		msg = ulErrno(err)
	}
	fmt.Fprintf(f.e.Stderr, "install: %s: %s\n", filepath.Join(f.cfg["BASEDIR"], path), msg)
	f.exit(1)
}

func (f *fuRun) cmdInstall() {
	f.finalizeComponents()
	f.requireRoot()
	if sl, _ := sysctlGet(f.e, "kern.securelevel"); sl != "" {
		if n, _ := strconv.Atoi(sl); n > 0 {
			f.p("Updates cannot be installed when the system securelevel\n")
			f.p("is greater than zero.\n")
			f.exit(1)
		}
	}
	if !f.workdirOK() {
		f.fail("Directory does not exist or is not writable: %s", f.cfg["WORKDIR"])
	}
	inst := f.link("install")
	if !fuIsLink(inst) {
		f.p("No updates are available to install.\n")
		if !f.fetched {
			f.p("Run '%s fetch' first.\n", fuProg)
			f.exit(2)
		}
		f.exit(0)
	}
	oldIdx, err1 := fuReadIndex(filepath.Join(inst, "INDEX-OLD"))
	newIdx, err2 := fuReadIndex(filepath.Join(inst, "INDEX-NEW"))
	if err1 != nil || err2 != nil {
		f.p("Update manifest is corrupt -- this should never happen.\n")
		f.p("Re-run '%s fetch'.\n", fuProg)
		f.exit(1)
	}
	if f.baseGuarded || f.workGuarded {
		f.exit(ulRefuseHostWrite(f.e, "the host's base system"))
	}
	var m fuManifest
	if b, err := os.ReadFile(filepath.Join(inst, fuManifestFile)); err == nil {
		json.Unmarshal(b, &m)
	}
	f.p("Installing updates...")
	// An injected failure hits the first stage with work to do, as a
	// failing install(1) would.
	stageFail := func(stage string, sel func(string) bool) {
		if !f.failing("install-"+stage) && !(f.failing("install") && stage != "cleanup") {
			return
		}
		var paths []string
		for p := range newIdx {
			if sel(p) {
				paths = append(paths, p)
			}
		}
		sort.Strings(paths)
		if len(paths) == 0 {
			if stage != "cleanup" {
				return
			}
			paths = []string{"/usr/lib/compat"}
		}
		f.installFail(paths[0], nil)
	}
	if !fuExists(filepath.Join(inst, "kerneldone")) {
		stageFail("kernel", fuIsBoot)
		if err := f.installFrom(newIdx, fuIsBoot); err != nil {
			f.installFail("/boot/kernel", err)
		}
		os.WriteFile(filepath.Join(inst, "kerneldone"), nil, 0o644)
		kernelChanged := false
		for p := range newIdx {
			if fuIsBoot(p) {
				kernelChanged = true
			}
		}
		if fuExists(filepath.Join(inst, "kernelfirst")) && kernelChanged {
			f.p("\nKernel updates have been installed.  Please reboot and run\n")
			f.p("\"%s install\" again to finish installing updates.\n", fuProg)
			f.exit(0)
		}
	}
	if !fuExists(filepath.Join(inst, "worlddone")) {
		notBoot := func(p string) bool { return !fuIsBoot(p) }
		stageFail("world", notBoot)
		if err := f.installFrom(newIdx, notBoot); err != nil {
			f.installFail("/", err)
		}
		for p := range oldIdx {
			if _, keep := newIdx[p]; !keep && !fuIsBoot(p) {
				os.Remove(filepath.Join(f.basedirFS, p))
			}
		}
		f.restartHostSSHD()
		os.WriteFile(filepath.Join(inst, "worlddone"), nil, 0o644)
		if m.OldLibs {
			f.p("\nCompleting this upgrade requires removing old shared object files.\n")
			f.p("Please rebuild all installed 3rd party software (e.g., programs\n")
			f.p("installed from the ports tree) and then run \"%s install\"\n", fuProg)
			f.p("again to finish installing updates.\n")
			f.exit(0)
		}
	}
	stageFail("cleanup", func(string) bool { return false })
	f.setupRollback()
	f.p(" done.\n")
}

// restartHostSSHD mirrors the 14.x world stage, which restarts the host's
// sshd whenever it is running, whatever BASEDIR is.
func (f *fuRun) restartHostSSHD() {
	rc := &sysrcCtx{e: f.e, explicit: map[string]bool{}, defaults: "/etc/defaults/rc.conf"}
	c := &svcCtx{e: f.e, rc: rc, key: "host"}
	s, ok := c.lookup("sshd")
	if !ok || c.pid(s) == 0 {
		return
	}
	saved := c.e.Stdout
	c.e.Stdout = f.out
	defer func() { c.e.Stdout = saved }()
	f.p("\nRestarting sshd after upgrade\n")
	c.run(s, "restart", false)
}

// setupRollback is install_setup_rollback.
func (f *fuRun) setupRollback() {
	inst := f.link("install")
	for _, fl := range []string{"kernelfirst", "kerneldone", "worlddone"} {
		os.Remove(filepath.Join(inst, fl))
	}
	rb := f.link("rollback")
	if fuIsLink(rb) {
		os.Rename(rb, filepath.Join(inst, "rollback"))
	}
	os.Rename(inst, rb)
}

func (f *fuRun) cmdRollback() {
	f.finalizeComponents()
	f.requireRoot()
	if !f.workdirOK() {
		f.fail("Directory does not exist or is not writable: %s", f.cfg["WORKDIR"])
	}
	rb := f.link("rollback")
	if !fuIsLink(rb) {
		f.p("No rollback directory found.\n")
		f.exit(1)
	}
	oldIdx, err1 := fuReadIndex(filepath.Join(rb, "INDEX-OLD"))
	newIdx, err2 := fuReadIndex(filepath.Join(rb, "INDEX-NEW"))
	if err1 != nil || err2 != nil {
		f.p("Update manifest is corrupt -- this should never happen.\n")
		f.exit(1)
	}
	if f.baseGuarded || f.workGuarded {
		f.exit(ulRefuseHostWrite(f.e, "the host's base system"))
	}
	f.p("Uninstalling updates...")
	f.removeInstall()
	if f.failing("rollback") {
		f.installFail("/bin/freebsd-version", nil)
	}
	if err := f.installFrom(oldIdx, func(string) bool { return true }); err != nil {
		f.installFail("/", err)
	}
	for p := range newIdx {
		if _, ok := oldIdx[p]; !ok {
			os.Remove(filepath.Join(f.basedirFS, p))
		}
	}
	// rollback_setup_rollback: the previous rollback, if any, moves up.
	nested := filepath.Join(rb, "rollback")
	target, _ := os.Readlink(rb)
	if !filepath.IsAbs(target) {
		target = filepath.Join(f.workdirFS, target)
	}
	if fuIsLink(nested) {
		tmp := filepath.Join(f.workdirFS, "rollback-tmp")
		os.Rename(nested, tmp)
		os.RemoveAll(target)
		os.Remove(rb)
		os.Rename(tmp, rb)
	} else {
		os.RemoveAll(target)
		os.Remove(rb)
	}
	f.p(" done.\n")
}

func (f *fuRun) cmdIDS() {
	f.finalizeComponents()
	if f.cfg["SERVERNAME"] == "" {
		f.fail("SERVERNAME must be given via command line or configuration file.")
	}
	kp := f.cfg["KEYPRINT"]
	if kp == "" {
		f.fail("Key must be given via -k option or configuration file.")
	}
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(kp) {
		f.fail("Invalid key fingerprint: %s", kp)
	}
	if f.workGuarded {
		f.exit(ulRefuseHostWrite(f.e, "the host's freebsd-update state"))
	}
	if !f.workdirOK() {
		f.fail("Directory does not exist or is not writable: %s", f.cfg["WORKDIR"])
	}
	f.setRelnum()
	os.MkdirAll(filepath.Join(f.workdirFS, "files"), 0o755)
	f.pickMirrors()
	patch, ok := f.fetchKeyAndTag(f.relnum, "IDS")
	if !ok || !f.tagSanity(f.relnum, patch) {
		f.exit(1)
	}
	f.fetchMetadata(f.relnum, patch, 2)
	f.p("Inspecting system... ")
	changes := f.plan(f.relnum, patch, true, f.hasComponent("kernel"))
	f.p("done.\n")
	for _, c := range changes {
		f.p("%s has SHA256 hash %s, but should have SHA256 hash %s.\n", c.path, ulSHA256(string(c.old)), ulSHA256(string(c.new)))
	}
}

func (f *fuRun) cmdShowconfig() {
	f.finalizeComponents()
	for _, k := range fuOptions {
		f.p("%s=%s\n", k, strings.Join(strings.Fields(f.cfg[k]), " "))
	}
}
