package fbsdsim

// pkg(8), the host's pkg: global options -j/-c/-r/-N/-C/-R/-o/-4/-6/-d/-l/-v
// and the commands a jail manager runs (bootstrap, update, install,
// upgrade, delete, info, query, version, fetch, clean, audit). Each
// package database - the host's, or one per jail/chroot/rootdir path - is
// kept in the state file pkg.json; the host starts with pkg itself
// registered, other roots start with no database, as a fresh release does.
//
// The repository offers every package name except those listed in
// JCAGE_SIM_PKG_UNAVAILABLE; when JCAGE_SIM_PKG_CATALOG is set
// ("name" or "name=version", comma-separated) it offers exactly those.
// Commands pkg(8) has but the simulator does not model fail with status 70.

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

const pkgStateFile = "pkg.json"

const pkgVersion = "1.21.3"

type pkgState struct {
	Targets map[string]*pkgDB `json:"targets"`
}

// pkgDB is one local package database (/var/db/pkg/local.sqlite).
type pkgDB struct {
	Exists   bool                   `json:"exists"`
	Updated  bool                   `json:"updated"` // repository catalogue fetched
	Packages map[string]*pkgInstall `json:"packages"`
}

type pkgInstall struct {
	Version   string `json:"version"`
	Origin    string `json:"origin"`
	Comment   string `json:"comment"`
	Automatic bool   `json:"automatic,omitempty"`
}

var pkgCommands = []string{
	"add", "alias", "annotate", "audit", "autoremove", "check", "clean",
	"config", "create", "delete", "fetch", "help", "info", "install", "key",
	"lock", "plugins", "query", "register", "remove", "repo", "repositories",
	"rquery", "search", "set", "ssh", "shell", "shlib", "stats", "triggers",
	"unlock", "update", "updating", "upgrade", "version", "which",
}

// pkgKnown gives plausible versions, origins and comments for packages
// jail setups commonly install; anything else gets a generic entry.
var pkgKnown = map[string]pkgInstall{
	"pkg":         {"1.21.3", "ports-mgmt/pkg", "Package manager", false},
	"nginx":       {"1.26.2_1,3", "www/nginx", "Robust and small WWW server", false},
	"bash":        {"5.2.37", "shells/bash", "GNU Project's Bourne Again SHell", false},
	"sudo":        {"1.9.16p2", "security/sudo", "Allow others to run commands as root", false},
	"ca_root_nss": {"3.108", "security/ca_root_nss", "Root certificate bundle from the Mozilla Project", false},
	"curl":        {"8.11.1_1", "ftp/curl", "Command line tool and library for transferring data with URLs", false},
	"git":         {"2.47.1", "devel/git", "Distributed source code management tool", false},
	"python311":   {"3.11.11", "lang/python311", "Interpreted object-oriented programming language", false},
	"vim":         {"9.1.1000", "editors/vim", "Improved version of the vi editor (console flavor)", false},
	"postgresql16-server": {"16.6", "databases/postgresql16-server",
		"PostgreSQL is the most advanced open-source database available anywhere", false},
}

func pkgCatalog(e *Env, name string) (pkgInstall, bool) {
	if p, found, remote := remoteCatalog(e, name); remote {
		for _, u := range ulList(e.Setting("PKG_UNAVAILABLE")) {
			if u == name {
				return pkgInstall{}, false
			}
		}
		return p, found
	}
	if cat := e.Setting("PKG_CATALOG"); cat != "" {
		for _, ent := range ulList(cat) {
			n, v, hasV := strings.Cut(ent, "=")
			if n != name {
				continue
			}
			p, ok := pkgKnown[n]
			if !ok {
				p = pkgInstall{"1.0", "misc/" + n, n + " (simulated package)", false}
			}
			if hasV {
				p.Version = v
			}
			return p, true
		}
		return pkgInstall{}, false
	}
	for _, u := range ulList(e.Setting("PKG_UNAVAILABLE")) {
		if u == name {
			return pkgInstall{}, false
		}
	}
	if p, ok := pkgKnown[name]; ok {
		return p, true
	}
	if name == "" || strings.ContainsAny(name, "/ \t*?[") {
		return pkgInstall{}, false
	}
	return pkgInstall{"1.0", "misc/" + name, name + " (simulated package)", false}, true
}

func pkgUsage(e *Env, msg string) int {
	if msg != "" {
		fmt.Fprintf(e.Stderr, "pkg: %s\n", msg)
	}
	fmt.Fprintln(e.Stderr, "Usage: pkg [-v] [-d] [-l] [-N] [-j <jail name or id>|-c <chroot path>|-r <rootdir>] [-C <configuration file>] [-R <repo config dir>] [-o var=value] [-4|-6] <command> [<args>]")
	fmt.Fprintln(e.Stderr)
	fmt.Fprintln(e.Stderr, "For more information on available commands and options see 'pkg help'.")
	return 1
}

// pkgRun is one invocation against one package database.
type pkgRun struct {
	e       *Env
	key     string // database key: "host" or a root path
	root    string // "" for the host
	prefix  string // "[jail] " when running inside a jail
	yes     bool
	options map[string]string // -o overrides
}

func init() { register("pkg", runPkg) }

// pkgLongOpts maps getopt_long names to their short letters.
var pkgLongOpts = map[string]byte{
	"debug": 'd', "jail": 'j', "chroot": 'c', "config": 'C',
	"repo-conf-dir": 'R', "rootdir": 'r', "list": 'l', "version": 'v',
	"option": 'o', "only-ipv4": '4', "only-ipv6": '6',
}

// pkgGetopt parses options like getopt_long with a leading '+': it stops
// at the first non-option and accepts --name, --name=value and
// --name value for the long forms.
func pkgGetopt(e *Env, args []string, spec string, long map[string]byte) ([]ulOpt, []string, bool) {
	var opts []ulOpt
	i := 0
	for i < len(args) {
		a := args[i]
		if a == "--" {
			return opts, args[i+1:], true
		}
		if strings.HasPrefix(a, "--") {
			name, val, hasVal := strings.Cut(a[2:], "=")
			c, ok := long[name]
			if !ok {
				fmt.Fprintf(e.Stderr, "pkg: unrecognized option `%s'\n", a)
				return nil, nil, false
			}
			if strings.Contains(spec, string(c)+":") && !hasVal {
				if i+1 >= len(args) {
					fmt.Fprintf(e.Stderr, "pkg: option requires an argument -- %s\n", name)
					return nil, nil, false
				}
				i++
				val = args[i]
			}
			opts = append(opts, ulOpt{c, val})
			i++
			continue
		}
		if len(a) < 2 || a[0] != '-' {
			break
		}
		for j := 1; j < len(a); j++ {
			c := a[j]
			k := strings.IndexByte(spec, c)
			if c == ':' || k < 0 {
				fmt.Fprintln(e.Stderr, (&ulOptErr{c: c}).libc("pkg"))
				return nil, nil, false
			}
			if k+1 < len(spec) && spec[k+1] == ':' {
				switch {
				case j+1 < len(a):
					opts = append(opts, ulOpt{c, a[j+1:]})
				case i+1 < len(args):
					i++
					opts = append(opts, ulOpt{c, args[i]})
				default:
					fmt.Fprintln(e.Stderr, (&ulOptErr{missing: true, c: c}).libc("pkg"))
					return nil, nil, false
				}
				break
			}
			opts = append(opts, ulOpt{c: c})
		}
		i++
	}
	return opts, args[i:], true
}

func runPkg(e *Env) int {
	if len(e.Args) == 0 {
		return pkgUsage(e, "not enough arguments")
	}
	opts, args, ok := pkgGetopt(e, e.Args, "dj:c:C:R:r:lNvo:46", pkgLongOpts)
	if !ok {
		return e.Errorf(1, "Invalid argument provided")
	}
	var jail, chroot, rootdir string
	var list, activation bool
	version := 0
	r := &pkgRun{e: e, key: "host", options: map[string]string{}}
	for _, o := range opts {
		switch o.c {
		case 'j':
			jail = o.arg
		case 'c':
			chroot = o.arg
		case 'r':
			rootdir = o.arg
		case 'l':
			list = true
		case 'N':
			activation = true
		case 'v':
			version++
		case 'o':
			if k, v, ok := strings.Cut(o.arg, "="); ok {
				r.options[k] = v
			}
		}
	}
	if version == 1 {
		fmt.Fprintln(e.Stdout, pkgVersion)
		return 0
	}
	if list && version == 0 {
		for _, c := range pkgCommands {
			fmt.Fprintln(e.Stdout, c)
		}
		return 0
	}
	if len(args) == 0 && version == 0 && !activation {
		return pkgUsage(e, "no commands specified")
	}
	n := 0
	for _, s := range []string{jail, chroot, rootdir} {
		if s != "" {
			n++
		}
	}
	if n > 1 {
		return pkgUsage(e, "-j, -c and/or -r cannot be used at the same time!\n")
	}
	switch {
	case chroot != "":
		if st, err := os.Stat(chroot); err != nil || !st.IsDir() {
			msg := "No such file or directory"
			if err == nil {
				msg = "Not a directory"
			}
			return e.Errorf(1, "chroot failed: %s", msg)
		}
		r.root = chroot
	case jail != "":
		j, ok := ulFindJail(e, jail)
		if !ok {
			return ulJailNotFound(e, "pkg", jail)
		}
		r.root = j.Path
		r.prefix = "[" + j.Name + "] "
		if j.Hostname != "" {
			r.prefix = "[" + j.Hostname + "] "
		}
	case rootdir != "":
		abs, err := filepath.Abs(rootdir)
		if err == nil {
			_, err = os.Stat(abs)
		}
		if err != nil {
			return e.Errorf(1, "Invalid rootdir: %s", ulErrno(err))
		}
		r.root = abs
	}
	if r.root != "" {
		r.key = filepath.Clean(r.root)
	}
	if len(args) > 0 && (args[0] == "install" || args[0] == "update" || args[0] == "upgrade" || args[0] == "fetch") && !r.loadRemote() {
		return 1
	}
	r.yes = pkgTrue(e.Getenv("ASSUME_ALWAYS_YES")) || pkgTrue(r.options["ASSUME_ALWAYS_YES"])
	if version > 1 {
		fmt.Fprintf(e.Stdout, "%-24s: %s\n", "Version", pkgVersion)
		return 0
	}
	var code int
	err := e.Locked(func() error {
		var st pkgState
		if err := e.Load(pkgStateFile, &st); err != nil {
			return err
		}
		if st.Targets == nil {
			st.Targets = map[string]*pkgDB{}
		}
		db := st.Targets[r.key]
		if db == nil {
			db = &pkgDB{Packages: map[string]*pkgInstall{}}
			if r.key == "host" {
				p, _ := pkgCatalog(e, "pkg")
				db.Exists, db.Packages["pkg"] = true, &p
			}
			st.Targets[r.key] = db
		}
		if db.Packages == nil {
			db.Packages = map[string]*pkgInstall{}
		}
		code = r.dispatch(db, activation, args)
		return e.Save(pkgStateFile, st)
	})
	if err != nil {
		return e.Errorf(70, "simulator state: %v", err)
	}
	return code
}

func pkgTrue(s string) bool {
	switch strings.ToLower(s) {
	case "yes", "true", "1", "on":
		return true
	}
	return false
}

func (r *pkgRun) dispatch(db *pkgDB, activation bool, args []string) int {
	e := r.e
	if activation {
		switch {
		case !db.Exists:
			return e.Errorf(1, "package database non-existent")
		case len(db.Packages) == 0:
			return e.Errorf(1, "no packages registered")
		case len(args) == 0:
			return e.Errorf(0, "%d packages installed", len(db.Packages))
		}
	}
	if args[0] == "bootstrap" {
		return r.bootstrap(db, args)
	}
	cmd, ambiguous := "", 0
	for _, c := range pkgCommands {
		if c == args[0] {
			cmd, ambiguous = c, 0
			break
		}
		if strings.HasPrefix(c, args[0]) {
			cmd = c
			ambiguous++
		}
	}
	if cmd == "" || ambiguous > 1 {
		fmt.Fprintf(e.Stderr, "pkg: unknown command: %s\n", args[0])
		fmt.Fprintln(e.Stderr)
		fmt.Fprintln(e.Stderr, "For more information on available commands and options see 'pkg help'.")
		return 1
	}
	args = args[1:]
	switch cmd {
	case "install":
		return r.install(db, args)
	case "delete", "remove":
		return r.delete(db, args)
	case "info":
		return r.info(db, args)
	case "update":
		return r.update(db, args)
	case "upgrade":
		return r.upgrade(db, args)
	case "query":
		return r.query(db, args)
	case "version":
		return r.version(db, args)
	case "fetch":
		return r.fetch(db, args)
	case "clean":
		return r.clean(args)
	case "audit":
		return r.audit(db, args)
	}
	return e.Errorf(70, "fbsdsim: '%s' is not simulated", cmd)
}

func (r *pkgRun) abi() string {
	if a := r.e.Getenv("ABI"); a != "" {
		return a
	}
	if a := r.options["ABI"]; a != "" {
		return a
	}
	rel := ulHostUserland(r.e)
	if r.root != "" {
		if v, err := ulUserland(r.root); err == nil {
			rel = v
		}
	}
	maj, _, _ := ulMajorMinor(rel)
	return fmt.Sprintf("FreeBSD:%d:%s", maj, ulMachineArch(r.e))
}

func (r *pkgRun) bootstrap(db *pkgDB, args []string) int {
	e := r.e
	opts, _, oerr := ulGetopt(args[1:], "fy")
	if oerr != nil {
		fmt.Fprintln(e.Stderr, oerr.libc("pkg"))
		return e.Errorf(1, "Invalid argument provided")
	}
	force := false
	for _, o := range opts {
		if o.c == 'f' {
			force = true
		}
	}
	if !force {
		fmt.Fprintln(e.Stdout, "pkg(8) already installed, use -f to force.")
		return 0
	}
	if r.root != "" {
		if _, err := os.Stat(ulJoin(r.root, "/usr/sbin/pkg")); err != nil {
			return e.Errorf(1, "pkg(7) bootstrapper not found at /usr/sbin/pkg.")
		}
	}
	p, _ := pkgCatalog(e, "pkg")
	w := e.Stdout
	fmt.Fprintln(w, "pkg(8) is already installed. Forcing reinstallation through pkg(7).")
	fmt.Fprintf(w, "Bootstrapping pkg from pkg+https://pkg.FreeBSD.org/%s/quarterly, please wait...\n", r.abi())
	fmt.Fprintln(w, "Verifying signature with trusted certificate pkg.freebsd.org.2013102301... done")
	fmt.Fprintf(w, "%sInstalling pkg-%s...\n", r.prefix, p.Version)
	if db.Packages["pkg"] != nil {
		fmt.Fprintln(w, "package pkg is already installed, forced install")
	}
	fmt.Fprintf(w, "%sExtracting pkg-%s: 100%%\n", r.prefix, p.Version)
	db.Exists = true
	db.Packages["pkg"] = &p
	return 0
}

// repoUpdate prints what fetching the catalogue prints.
func (r *pkgRun) repoUpdate(db *pkgDB, force, quiet bool) {
	w := r.e.Stdout
	if !quiet {
		fmt.Fprintln(w, "Updating FreeBSD repository catalogue...")
	}
	if db.Updated && !force {
		if !quiet {
			fmt.Fprintln(w, "FreeBSD repository is up to date.")
			fmt.Fprintln(w, "All repositories are up to date.")
		}
		return
	}
	if !quiet {
		fmt.Fprintf(w, "%sFetching meta.conf: 100%%    178 B   0.2kB/s    00:01    \n", r.prefix)
		fmt.Fprintf(w, "%sFetching data.pkg: 100%%    7 MiB   7.4MB/s    00:01    \n", r.prefix)
		fmt.Fprintln(w, "Processing entries: 100%")
		fmt.Fprintln(w, "FreeBSD repository update completed. 35568 packages processed.")
		fmt.Fprintln(w, "All repositories are up to date.")
	}
	db.Updated = true
}

func (r *pkgRun) autoUpdate(db *pkgDB, noUpdate, quiet bool) {
	if noUpdate || strings.EqualFold(r.e.Getenv("REPO_AUTOUPDATE"), "no") || strings.EqualFold(r.options["REPO_AUTOUPDATE"], "no") {
		return
	}
	r.repoUpdate(db, false, quiet)
}

// confirm asks pkg's yes/no question unless -y/ASSUME_ALWAYS_YES.
func (r *pkgRun) confirm(question string) bool {
	if r.yes {
		return true
	}
	fmt.Fprint(r.e.Stdout, question)
	line, _ := ulReadLine(r.e.Stdin)
	line = strings.TrimSpace(line)
	return line != "" && (line[0] == 'y' || line[0] == 'Y')
}

func (r *pkgRun) subUsage(lines ...string) int {
	for _, l := range lines {
		fmt.Fprintln(r.e.Stderr, l)
	}
	return 1
}

func (r *pkgRun) install(db *pkgDB, args []string) int {
	e := r.e
	opts, names, oerr := ulGetopt(args, "ACfFgiIMnqr:RUxy")
	usage := func() int {
		return r.subUsage("Usage: pkg install [-AfInFMqRUy] [-r reponame] [-Cgix] <pkg-name> ...",
			"", "For more information see 'pkg help install'.")
	}
	if oerr != nil {
		fmt.Fprintln(e.Stderr, oerr.libc("pkg"))
		return usage()
	}
	var auto, force, dry, quiet, noUpdate, fetchOnly bool
	for _, o := range opts {
		switch o.c {
		case 'A':
			auto = true
		case 'f':
			force = true
		case 'F':
			fetchOnly = true
		case 'n':
			dry = true
		case 'q':
			quiet = true
		case 'U':
			noUpdate = true
		case 'y':
			r.yes = true
		}
	}
	if len(names) == 0 {
		return usage()
	}
	r.autoUpdate(db, noUpdate, quiet)
	var jobs []string
	missing := false
	for _, n := range names {
		if _, ok := pkgCatalog(e, n); !ok {
			fmt.Fprintf(e.Stderr, "pkg: No packages available to install matching '%s' have been found in the repositories\n", n)
			missing = true
			continue
		}
		if db.Packages[n] != nil && !force {
			continue
		}
		jobs = append(jobs, n)
	}
	if missing {
		return 1
	}
	w := e.Stdout
	if !quiet {
		fmt.Fprintln(w, "Checking integrity... done (0 conflicting)")
	}
	if len(jobs) == 0 {
		if !quiet {
			fmt.Fprintln(w, "The most recent versions of packages are already installed")
		}
		return 0
	}
	if !quiet {
		fmt.Fprintf(w, "The following %d package(s) will be affected (of 0 checked):\n\n", len(jobs))
		if force {
			fmt.Fprintln(w, "Installed packages to be REINSTALLED:")
		} else {
			fmt.Fprintln(w, "New packages to be INSTALLED:")
		}
		for _, n := range jobs {
			p, _ := pkgCatalog(e, n)
			fmt.Fprintf(w, "\t%s: %s\n", n, p.Version)
		}
		fmt.Fprintf(w, "\nNumber of packages to be installed: %d\n", len(jobs))
	}
	if dry {
		return 0
	}
	if !quiet && !r.confirm("\nProceed with this action? [y/N]: ") {
		return 1
	}
	for i, n := range jobs {
		p, _ := pkgCatalog(e, n)
		if !quiet {
			fmt.Fprintf(w, "[%d/%d] Fetching %s-%s.pkg: 100%%    1 MiB   1.0MB/s    00:01    \n", i+1, len(jobs), n, p.Version)
		}
	}
	if fetchOnly {
		return 0
	}
	for i, n := range jobs {
		p, _ := pkgCatalog(e, n)
		p.Automatic = auto
		if !quiet {
			fmt.Fprintf(w, "%s[%d/%d] Installing %s-%s...\n", r.prefix, i+1, len(jobs), n, p.Version)
			fmt.Fprintf(w, "%s[%d/%d] Extracting %s-%s: 100%%\n", r.prefix, i+1, len(jobs), n, p.Version)
		}
		db.Exists = true
		db.Packages[n] = &p
	}
	return 0
}

func (r *pkgRun) delete(db *pkgDB, args []string) int {
	e := r.e
	opts, names, oerr := ulGetopt(args, "aCDfginqRxy")
	usage := func() int {
		return r.subUsage("Usage: pkg delete [-DfnqRy] [-Cgix] <pkg-name> ...",
			"       pkg delete [-Dnqy] -a", "", "For more information see 'pkg help delete'.")
	}
	if oerr != nil {
		fmt.Fprintln(e.Stderr, oerr.libc("pkg"))
		return usage()
	}
	var all, dry, quiet bool
	for _, o := range opts {
		switch o.c {
		case 'a':
			all = true
		case 'n':
			dry = true
		case 'q':
			quiet = true
		case 'y':
			r.yes = true
		}
	}
	if len(names) == 0 && !all {
		return usage()
	}
	if !db.Exists {
		return e.Errorf(0, "No packages installed.  Nothing to do!")
	}
	if all {
		names = nil
		for n := range db.Packages {
			names = append(names, n)
		}
		sort.Strings(names)
	}
	var jobs []string
	for _, n := range names {
		if db.Packages[n] == nil {
			fmt.Fprintf(e.Stderr, "pkg: No packages matched for pattern '%s'\n", n)
			continue
		}
		jobs = append(jobs, n)
	}
	w := e.Stdout
	if !quiet {
		fmt.Fprintln(w, "Checking integrity... done (0 conflicting)")
	}
	if len(jobs) == 0 {
		if len(names) == 0 {
			if !quiet {
				fmt.Fprintln(w, "Nothing to do.")
			}
			return 0
		}
		if !quiet {
			fmt.Fprintf(w, "%d packages requested for removal: 0 locked, %d missing\n", len(names), len(names))
		}
		return 1
	}
	if !quiet {
		fmt.Fprintf(w, "Deinstallation has been requested for the following %d packages (of 0 packages in the universe):\n\n", len(jobs))
		fmt.Fprintln(w, "Installed packages to be REMOVED:")
		for _, n := range jobs {
			fmt.Fprintf(w, "\t%s: %s\n", n, db.Packages[n].Version)
		}
		fmt.Fprintf(w, "\nNumber of packages to be removed: %d\n", len(jobs))
	}
	if dry {
		return 0
	}
	if !quiet && !r.confirm("\nProceed with deinstalling packages? [y/N]: ") {
		return 1
	}
	for i, n := range jobs {
		if !quiet {
			v := db.Packages[n].Version
			fmt.Fprintf(w, "%s[%d/%d] Deinstalling %s-%s...\n", r.prefix, i+1, len(jobs), n, v)
			fmt.Fprintf(w, "%s[%d/%d] Deleting files for %s-%s: 100%%\n", r.prefix, i+1, len(jobs), n, v)
		}
		delete(db.Packages, n)
	}
	return 0
}

func (r *pkgRun) sortedNames(db *pkgDB) []string {
	var out []string
	for n := range db.Packages {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func (r *pkgRun) info(db *pkgDB, args []string) int {
	e := r.e
	opts, names, oerr := ulGetopt(args, "aABbcCdDeEfF:gIiklOopqQrRsStuvx")
	if oerr != nil {
		fmt.Fprintln(e.Stderr, oerr.libc("pkg"))
		return r.subUsage("Usage: pkg info <pkg-name>", "       pkg info -a", "       pkg info [-AbBDdefIklOqRrs] [-Cgix] <pkg-name>",
			"       pkg info [-AbBDdfIlqRrs] -F <pkg-file>", "", "For more information see 'pkg help info'.")
	}
	var exists, quiet, short bool
	for _, o := range opts {
		switch o.c {
		case 'e':
			exists = true
		case 'q':
			quiet = true
		case 'E':
			short = true
		case 'a':
			names = nil
		}
	}
	w := e.Stdout
	if exists {
		if len(names) == 0 {
			return 1
		}
		for _, n := range names {
			if db.Packages[n] == nil {
				return 1
			}
		}
		return 0
	}
	if len(names) == 0 {
		for _, n := range r.sortedNames(db) {
			p := db.Packages[n]
			if quiet || short {
				fmt.Fprintf(w, "%s-%s\n", n, p.Version)
				continue
			}
			fmt.Fprintf(w, "%-30s %s\n", n+"-"+p.Version, p.Comment)
		}
		return 0
	}
	status := 0
	for _, n := range names {
		p := db.Packages[n]
		if p == nil {
			fmt.Fprintf(e.Stderr, "pkg: No package(s) matching %s\n", n)
			status = 1
			continue
		}
		if quiet || short {
			fmt.Fprintf(w, "%s-%s\n", n, p.Version)
			continue
		}
		fmt.Fprintf(w, "%s-%s\n", n, p.Version)
		fmt.Fprintf(w, "%-15s: %s\n", "Name", n)
		fmt.Fprintf(w, "%-15s: %s\n", "Version", p.Version)
		fmt.Fprintf(w, "%-15s: %s\n", "Origin", p.Origin)
		fmt.Fprintf(w, "%-15s: %s\n", "Architecture", r.abi())
		fmt.Fprintf(w, "%-15s: %s\n", "Prefix", "/usr/local")
		fmt.Fprintf(w, "%-15s: %s\n", "Repository", "FreeBSD [pkg+https://pkg.FreeBSD.org/${ABI}/quarterly]")
		fmt.Fprintf(w, "%-15s: %s\n", "Comment", p.Comment)
	}
	return status
}

func (r *pkgRun) update(db *pkgDB, args []string) int {
	e := r.e
	opts, rest, oerr := ulGetopt(args, "fqr:")
	if oerr != nil || len(rest) > 0 {
		if oerr != nil {
			fmt.Fprintln(e.Stderr, oerr.libc("pkg"))
		}
		return r.subUsage("Usage: pkg update [-fq] [-r reponame]", "", "For more information, see 'pkg help update'.")
	}
	var force, quiet bool
	for _, o := range opts {
		switch o.c {
		case 'f':
			force = true
		case 'q':
			quiet = true
		}
	}
	db.Exists = true
	r.repoUpdate(db, force, quiet)
	return 0
}

func (r *pkgRun) upgrade(db *pkgDB, args []string) int {
	e := r.e
	opts, names, oerr := ulGetopt(args, "CfFgiInqr:Uxyv")
	if oerr != nil {
		fmt.Fprintln(e.Stderr, oerr.libc("pkg"))
		return r.subUsage("Usage: pkg upgrade [-fInFqUy] [-r reponame] [-Cgix] <pkg-name> ...", "", "For more information see 'pkg help upgrade'.")
	}
	var quiet, noUpdate bool
	for _, o := range opts {
		switch o.c {
		case 'q':
			quiet = true
		case 'U':
			noUpdate = true
		case 'y':
			r.yes = true
		}
	}
	r.autoUpdate(db, noUpdate, quiet)
	for _, n := range names {
		if db.Packages[n] == nil {
			fmt.Fprintf(e.Stderr, "pkg: No packages matched for pattern '%s'\n", n)
		}
	}
	if quiet {
		return 0
	}
	w := e.Stdout
	n := len(db.Packages)
	fmt.Fprintf(w, "Checking for upgrades (%d candidates): 100%%\n", n)
	fmt.Fprintf(w, "Processing candidates (%d candidates): 100%%\n", n)
	fmt.Fprintln(w, "Checking integrity... done (0 conflicting)")
	fmt.Fprintln(w, "Your packages are up to date.")
	return 0
}

func (r *pkgRun) query(db *pkgDB, args []string) int {
	e := r.e
	opts, rest, oerr := ulGetopt(args, "ae:CgiF:x")
	if oerr != nil || len(rest) == 0 {
		if oerr != nil {
			fmt.Fprintln(e.Stderr, oerr.libc("pkg"))
		}
		return r.subUsage("Usage: pkg query <query-format> <pkg-name>", "       pkg query [-a] <query-format>",
			"       pkg query -F <pkg-name> <query-format>", "       pkg query -e <evaluation> <query-format>",
			"       pkg query [-Cgix] <query-format> <pattern> <...>", "", "For more information see 'pkg help query'.")
	}
	_ = opts
	format, names := rest[0], rest[1:]
	if len(names) == 0 {
		names = r.sortedNames(db)
	}
	status := 0
	if len(db.Packages) == 0 && len(rest) > 1 {
		status = 1
	}
	for _, n := range names {
		p := db.Packages[n]
		if p == nil {
			status = 1
			continue
		}
		auto := "0"
		if p.Automatic {
			auto = "1"
		}
		out := strings.NewReplacer("%%", "%", "%n", n, "%v", p.Version, "%o", p.Origin,
			"%c", p.Comment, "%a", auto, "%p", "/usr/local", "%q", r.abi()).Replace(format)
		fmt.Fprintln(e.Stdout, out)
	}
	return status
}

// pkgCompareVersions is a simplified pkg_version_cmp: numeric runs compare
// as numbers, other runs as strings.
func pkgCompareVersions(a, b string) int {
	split := func(s string) []string {
		var parts []string
		cur := ""
		digit := false
		for _, c := range s {
			d := c >= '0' && c <= '9'
			if cur != "" && d != digit {
				parts = append(parts, cur)
				cur = ""
			}
			if c == '.' || c == '_' || c == ',' {
				if cur != "" {
					parts = append(parts, cur)
				}
				cur = ""
				continue
			}
			cur += string(c)
			digit = d
		}
		if cur != "" {
			parts = append(parts, cur)
		}
		return parts
	}
	pa, pb := split(a), split(b)
	for i := 0; i < len(pa) || i < len(pb); i++ {
		var x, y string
		if i < len(pa) {
			x = pa[i]
		}
		if i < len(pb) {
			y = pb[i]
		}
		xn, xerr := strconv.Atoi(x)
		yn, yerr := strconv.Atoi(y)
		switch {
		case x == y:
			continue
		case xerr == nil && yerr == nil:
			if xn < yn {
				return -1
			}
			return 1
		case x == "":
			return -1
		case y == "":
			return 1
		case x < y:
			return -1
		default:
			return 1
		}
	}
	return 0
}

func (r *pkgRun) version(db *pkgDB, args []string) int {
	e := r.e
	opts, rest, oerr := ulGetopt(args, "IPRhoqvUl:L:Ce:g:i:x:r:O:n:T:t")
	if oerr != nil {
		fmt.Fprintln(e.Stderr, oerr.libc("pkg"))
		return 1
	}
	var verbose, quiet, testMode bool
	var only, not string
	for _, o := range opts {
		switch o.c {
		case 'v':
			verbose = true
		case 'q':
			quiet = true
		case 'l':
			only = o.arg
		case 'L':
			not = o.arg
		case 't':
			testMode = true
		}
	}
	if testMode {
		if len(rest) != 2 {
			return r.subUsage("Usage: pkg version -t <version1> <version2>")
		}
		switch pkgCompareVersions(rest[0], rest[1]) {
		case -1:
			fmt.Fprintln(e.Stdout, "<")
		case 1:
			fmt.Fprintln(e.Stdout, ">")
		default:
			fmt.Fprintln(e.Stdout, "=")
		}
		return 0
	}
	for _, n := range r.sortedNames(db) {
		if (only != "" && !strings.Contains(only, "=")) || strings.Contains(not, "=") {
			continue
		}
		id := n + "-" + db.Packages[n].Version
		switch {
		case quiet:
			fmt.Fprintln(e.Stdout, id)
		case verbose:
			fmt.Fprintf(e.Stdout, "%-34s =   up-to-date with index\n", id)
		default:
			fmt.Fprintf(e.Stdout, "%-34s =\n", id)
		}
	}
	return 0
}

func (r *pkgRun) fetch(db *pkgDB, args []string) int {
	e := r.e
	opts, names, oerr := ulGetopt(args, "adgiCqr:RUuxyo:")
	if oerr != nil {
		fmt.Fprintln(e.Stderr, oerr.libc("pkg"))
		return 1
	}
	var quiet, noUpdate, all bool
	for _, o := range opts {
		switch o.c {
		case 'q':
			quiet = true
		case 'U':
			noUpdate = true
		case 'y':
			r.yes = true
		case 'a', 'u':
			all = true
		}
	}
	if len(names) == 0 && !all {
		return r.subUsage("Usage: pkg fetch [-r reponame] [-o destdir] [-dqUy] [-Cgix] <pkg-name> <...>",
			"       pkg fetch [-r reponame] [-dqUy] -a", "       pkg fetch [-r reponame] [-dqUy] -u", "",
			"For more information see 'pkg help fetch'.")
	}
	r.autoUpdate(db, noUpdate, quiet)
	if all {
		names = r.sortedNames(db)
	}
	for _, n := range names {
		if _, ok := pkgCatalog(e, n); !ok {
			fmt.Fprintf(e.Stderr, "pkg: No package matching '%s' found in the repositories\n", n)
			return 1
		}
	}
	if !quiet {
		fmt.Fprintf(e.Stdout, "The following packages will be fetched:\n\nNew packages to be FETCHED:\n")
		for _, n := range names {
			p, _ := pkgCatalog(e, n)
			fmt.Fprintf(e.Stdout, "\t%s: %s\n", n, p.Version)
		}
		fmt.Fprintf(e.Stdout, "\nNumber of packages to be fetched: %d\n", len(names))
	}
	if !quiet && !r.confirm("\nProceed with fetching packages? [y/N]: ") {
		return 1
	}
	for i, n := range names {
		p, _ := pkgCatalog(e, n)
		if !quiet {
			fmt.Fprintf(e.Stdout, "%s[%d/%d] Fetching %s-%s.pkg: 100%%    1 MiB   1.0MB/s    00:01    \n", r.prefix, i+1, len(names), n, p.Version)
		}
	}
	return 0
}

func (r *pkgRun) clean(args []string) int {
	e := r.e
	opts, _, oerr := ulGetopt(args, "anqy")
	if oerr != nil {
		fmt.Fprintln(e.Stderr, oerr.libc("pkg"))
		return r.subUsage("Usage: pkg clean [-anqy]", "", "For more information see 'pkg help clean'.")
	}
	for _, o := range opts {
		if o.c == 'q' {
			return 0
		}
	}
	fmt.Fprintln(e.Stdout, "Nothing to do.")
	return 0
}

func (r *pkgRun) audit(db *pkgDB, args []string) int {
	e := r.e
	opts, _, oerr := ulGetopt(args, "FqrRf:")
	if oerr != nil {
		fmt.Fprintln(e.Stderr, oerr.libc("pkg"))
		return 1
	}
	quiet := false
	for _, o := range opts {
		switch o.c {
		case 'F':
			if !quiet {
				fmt.Fprintln(e.Stdout, "vulnxml file up-to-date")
			}
		case 'q':
			quiet = true
		}
	}
	if !quiet {
		fmt.Fprintf(e.Stdout, "0 problem(s) in %d installed package(s) found.\n", len(db.Packages))
	}
	return 0
}

// PkgInstalled returns the packages registered in the database of target
// ("host" or a jail/chroot root path), sorted, for tests.
func PkgInstalled(state, target string) ([]string, error) {
	e := &Env{State: state}
	var st pkgState
	if err := e.Load(pkgStateFile, &st); err != nil {
		return nil, err
	}
	if target != "host" {
		target = filepath.Clean(target)
	}
	db := st.Targets[target]
	if db == nil {
		return nil, nil
	}
	var out []string
	for n := range db.Packages {
		out = append(out, n)
	}
	sort.Strings(out)
	return out, nil
}
