package fbsdsim

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

func init() {
	register("mount", mountTool)
	register("mount_nullfs", mountNullfsTool)
	register("umount", umountTool)
}

// The simulated mount table. Nothing is mounted for real: a nullfs mount
// does not make its source visible at the mount point. Paths are checked
// against the real file system (mount points must exist) and stored
// resolved, as the kernel stores them.

type mountTable struct {
	Mounts []simMount
}

type simMount struct {
	Special string
	Node    string
	FSType  string
	Opts    []string `json:",omitempty"` // flag options in effect (ro, noatime, ...)
	Ruleset int      `json:",omitempty"` // devfs ruleset applied to the mount
	By      string   `json:",omitempty"` // jail whose start mounted it
}

// lastAt returns the index of the topmost mount at node, or -1.
func (t *mountTable) lastAt(node string) int {
	for i := len(t.Mounts) - 1; i >= 0; i-- {
		if t.Mounts[i].Node == node {
			return i
		}
	}
	return -1
}

func (t *mountTable) lastFrom(special string) int {
	for i := len(t.Mounts) - 1; i >= 0; i-- {
		if t.Mounts[i].Special == special {
			return i
		}
	}
	return -1
}

// busy reports whether another file system is mounted below node.
func (t *mountTable) busy(idx int) bool {
	node := t.Mounts[idx].Node
	for i, m := range t.Mounts {
		if i != idx && i > idx && (strings.HasPrefix(m.Node, strings.TrimSuffix(node, "/")+"/") || m.Node == node) {
			return true
		}
	}
	return false
}

// fsTypes lists the file system types the simulated kernel knows, and
// whether each is "local" in mount's listing.
var fsTypes = map[string]bool{
	"nullfs": true, "unionfs": true, "tmpfs": true, "zfs": true, "ufs": true, "procfs": true,
	"linprocfs": true, "linsysfs": true, "msdosfs": true, "cd9660": true, "fusefs": true,
	"devfs": false, "fdescfs": false, "nfs": false,
}

// pseudoSpecial is the name the kernel records as the source of a
// synthetic file system, whatever was given on the command line.
var pseudoSpecial = map[string]string{
	"devfs": "devfs", "fdescfs": "fdescfs", "procfs": "procfs", "linprocfs": "linprocfs",
	"linsysfs": "linsysfs", "tmpfs": "tmpfs",
}

// mountFlagWords maps flag options to the words `mount` prints, in
// the order it prints them.
var mountFlagWords = []struct{ opt, word string }{
	{"async", "asynchronous"}, {"local", "local"}, {"noatime", "noatime"}, {"noexec", "noexec"},
	{"nosuid", "nosuid"}, {"nosymfollow", "nosymfollow"}, {"ro", "read-only"},
	{"sync", "synchronous"}, {"union", "union"}, {"noclusterr", "noclusterr"},
	{"noclusterw", "noclusterw"}, {"suiddir", "suiddir"}, {"multilabel", "multilabel"},
	{"acls", "acls"}, {"nfsv4acls", "nfsv4acls"}, {"nocover", "nocover"}, {"emptydir", "emptydir"},
}

// mountFlagPairs maps each flag option to its negation.
var mountFlagPairs = map[string]string{
	"ro": "rw", "noatime": "atime", "noexec": "exec", "nosuid": "suid", "nosymfollow": "symfollow",
	"sync": "nosync", "async": "noasync", "union": "nounion", "nocover": "cover",
	"emptydir": "noemptydir", "noclusterr": "clusterr", "noclusterw": "clusterw",
	"suiddir": "nosuiddir", "multilabel": "nomultilabel", "acls": "noacls", "nfsv4acls": "nonfsv4acls",
}

// mountIgnored are options mount(8) consumes itself or that only matter
// in fstab.
var mountIgnored = map[string]bool{
	"late": true, "noauto": true, "auto": true, "failok": true, "force": true, "update": true,
	"current": true, "fstab": true, "userquota": true, "groupquota": true, "rq": true, "sw": true,
	"xx": true, "snapshot": true,
}

// mountValued are key=value options the simulated file systems accept.
var mountValued = map[string]bool{
	"ruleset": true, "size": true, "mode": true, "uid": true, "gid": true, "inodes": true,
	"maxfilesize": true, "below": true, "above": true, "copymode": true, "whiteout": true,
}

type mountOpts struct {
	flags   []string
	ruleset int
}

// parseMountOpts folds -o lists left to right (the rightmost setting of a
// flag wins). The message is what nmount(2) reports for an unknown option.
func parseMountOpts(lists []string) (mountOpts, string) {
	var mo mountOpts
	set := map[string]bool{}
	neg := map[string]string{}
	for k, v := range mountFlagPairs {
		neg[v] = k
	}
	for _, l := range lists {
		for _, o := range strings.Split(l, ",") {
			o = strings.TrimSpace(o)
			switch {
			case o == "":
			case o == "rdonly":
				set["ro"] = true
			case mountFlagPairs[o] != "":
				set[o] = true
			case neg[o] != "":
				delete(set, neg[o])
			case mountIgnored[o]:
			case strings.Contains(o, "="):
				k, v, _ := strings.Cut(o, "=")
				if !mountValued[k] {
					return mo, fmt.Sprintf("mount option <%s> is unknown: Invalid argument", k)
				}
				if k == "ruleset" {
					n, err := strconv.Atoi(v)
					if err != nil || n < 0 || n > 65535 {
						return mo, "Invalid argument"
					}
					mo.ruleset = n
				}
			default:
				return mo, fmt.Sprintf("mount option <%s> is unknown: Invalid argument", o)
			}
		}
	}
	for _, fw := range mountFlagWords {
		if set[fw.opt] {
			mo.flags = append(mo.flags, fw.opt)
		}
	}
	return mo, ""
}

// resolvePath returns the absolute, symlink-free form of p, as realpath(3).
func resolvePath(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	return filepath.EvalSymlinks(abs)
}

func errnoText(err error) string {
	switch {
	case os.IsNotExist(err):
		return "No such file or directory"
	case os.IsPermission(err):
		return "Permission denied"
	}
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}

// mountFS mounts a file system in the simulated table. On failure it
// returns the program that reports the error (mount, or mount_nullfs for
// nullfs, which mount(8) runs as a child) and its message.
func (t *mountTable) mountFS(fstype, special, node string, optLists []string, by string) (string, string) {
	pm := prepareMount(fstype, special, node, optLists, by)
	return t.commitMount(pm)
}

// preparedMount is a mount whose checks on the file system are done; what
// is left needs only the table. Doing the first part before taking the
// state lock keeps file system round trips out of it.
type preparedMount struct {
	prog, msg string
	m         simMount
	nocover   bool
}

func prepareMount(fstype, special, node string, optLists []string, by string) preparedMount {
	prog := "mount"
	if fstype == "nullfs" {
		prog = "mount_nullfs"
	}
	fail := func(prog, msg string) preparedMount { return preparedMount{prog: prog, msg: msg} }
	if _, known := fsTypes[fstype]; !known {
		return fail("mount", fmt.Sprintf("exec mount_%s not found in /sbin:/usr/sbin: No such file or directory", fstype))
	}
	mo, msg := parseMountOpts(optLists)
	rnode, err := resolvePath(node)
	if err != nil {
		return fail(prog, fmt.Sprintf("%s: %s", node, errnoText(err)))
	}
	nodeInfo, _ := os.Stat(rnode)
	switch fstype {
	case "nullfs", "unionfs":
		rspecial, err := resolvePath(special)
		if err != nil {
			return fail(prog, fmt.Sprintf("%s: %s", special, errnoText(err)))
		}
		if rspecial == rnode {
			return fail(prog, fmt.Sprintf("%s (%s) and %s are not distinct paths", special, rspecial, node))
		}
		si, _ := os.Stat(rspecial)
		if si.IsDir() && !nodeInfo.IsDir() {
			return fail(prog, fmt.Sprintf("%s: Not a directory", node))
		}
		if !si.IsDir() && nodeInfo.IsDir() {
			return fail(prog, fmt.Sprintf("%s: Is a directory", node))
		}
		special = rspecial
	case "ufs", "msdosfs", "cd9660":
		if !strings.HasPrefix(special, "/dev/") {
			return fail(prog, fmt.Sprintf("%s: Block device required", special))
		}
	default:
		if !nodeInfo.IsDir() {
			return fail(prog, fmt.Sprintf("%s: Not a directory", node))
		}
	}
	if msg != "" {
		return fail(prog, fmt.Sprintf("%s: %s", rnode, msg))
	}
	if ps, ok := pseudoSpecial[fstype]; ok {
		special = ps
	}
	m := simMount{Special: special, Node: rnode, FSType: fstype, Opts: mo.flags, By: by}
	if fstype == "devfs" {
		m.Ruleset = mo.ruleset
		// A real devfs shows its own nodes, among them the fd directory
		// jail(8) mounts fdescfs on; the simulated one makes that
		// directory in the underlying tree.
		_ = os.MkdirAll(filepath.Join(rnode, "fd"), 0o555)
	}
	return preparedMount{prog: prog, m: m, nocover: hasString(mo.flags, "nocover")}
}

// commitMount adds a prepared mount to the table, or returns its failure.
func (t *mountTable) commitMount(pm preparedMount) (string, string) {
	if pm.msg != "" {
		return pm.prog, pm.msg
	}
	if pm.nocover && t.lastAt(pm.m.Node) >= 0 {
		return pm.prog, fmt.Sprintf("%s: Device busy", pm.m.Node)
	}
	t.Mounts = append(t.Mounts, pm.m)
	return "", ""
}

// unmount removes the topmost mount at node (already resolved by the
// caller). The message is umount's.
func (t *mountTable) unmountAt(idx int) string {
	if t.busy(idx) {
		return fmt.Sprintf("unmount of %s failed: Device busy", t.Mounts[idx].Node)
	}
	t.Mounts = append(t.Mounts[:idx], t.Mounts[idx+1:]...)
	return ""
}

// findForUnmount resolves an umount operand (node or special) to a mount.
// The messages are umount's for a path that is not a mount point and one
// that does not exist.
func (t *mountTable) findForUnmount(name string) (int, []string) {
	clean := name
	if strings.HasPrefix(name, "/") || strings.HasPrefix(name, ".") {
		if abs, err := filepath.Abs(name); err == nil {
			clean = abs
		}
	}
	if r, err := resolvePath(clean); err == nil {
		if i := t.lastAt(r); i >= 0 {
			return i, nil
		}
	}
	// The mount point may be gone from disk (a destroyed dataset) while
	// the simulated table still holds it.
	if i := t.lastAt(clean); i >= 0 {
		return i, nil
	}
	if _, err := os.Stat(clean); err == nil {
		if clean == "/" {
			return -1, []string{"unmount of / failed: Device busy"}
		}
		return -1, []string{clean + ": not a file system root directory"}
	}
	if i := t.lastFrom(name); i >= 0 {
		return i, nil
	}
	return -1, []string{name + ": statfs: No such file or directory", name + ": unknown file system"}
}

// mountWords renders a mount's options as `mount` lists them.
func mountWords(m simMount) []string {
	var words []string
	for _, fw := range mountFlagWords {
		if fw.opt == "local" {
			if fsTypes[m.FSType] {
				words = append(words, fw.word)
			}
			continue
		}
		if hasString(m.Opts, fw.opt) {
			words = append(words, fw.word)
		}
	}
	return words
}

// mountFstabOpts renders options as `mount -p` does: rw or ro first.
func mountFstabOpts(m simMount) string {
	opts := []string{"rw"}
	for _, fw := range mountFlagWords {
		switch {
		case !hasString(m.Opts, fw.opt):
		case fw.opt == "ro":
			opts[0] = "ro"
		default:
			opts = append(opts, fw.opt)
		}
	}
	return strings.Join(opts, ",")
}

func fstabPad(s string) string {
	switch n := len(s); {
	case n < 8:
		return s + "\t\t\t"
	case n < 16:
		return s + "\t\t"
	case n < 24:
		return s + "\t"
	}
	return s + " "
}

// fstabEntry is one line of an fstab(5) file.
type fstabEntry struct {
	Spec, File, Type, Opts string
	Freq, Pass             string
	Line                   int
}

// fstabKind is the fs_type getfsent derives from the options: rw, ro, rq,
// sw or xx; "" means the line is rejected.
func (f fstabEntry) kind() string {
	for _, o := range strings.Split(f.Opts, ",") {
		switch o {
		case "rw", "ro", "rq", "sw", "xx":
			return o
		}
	}
	return ""
}

func (f fstabEntry) hasOpt(o string) bool {
	return hasString(strings.Split(f.Opts, ","), o)
}

// readFstab parses an fstab(5) file. Lines getfsent would reject (fewer
// than four fields, no rw/ro/rq/sw/xx) are reported on stderr the way
// libc does and skipped.
func (e *Env) readFstab(path string) ([]fstabEntry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []fstabEntry
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if i := strings.IndexByte(text, '#'); i >= 0 {
			text = text[:i]
		}
		fields := strings.Fields(text)
		if len(fields) == 0 {
			continue
		}
		if len(fields) < 4 {
			fmt.Fprintf(e.Stderr, "fstab: %s:%d: Inappropriate file type or format\n", path, line)
			continue
		}
		// getfsent(3) (lib/libc/gen/fstab.c fstabscan) strunvis()es the
		// first two fields and skips a line strunvis refuses, with the
		// same warning as a malformed one. Ledger: [getfsent].
		spec, ok1 := strunvis(fields[0])
		file, ok2 := strunvis(fields[1])
		if !ok1 || !ok2 {
			fmt.Fprintf(e.Stderr, "fstab: %s:%d: Inappropriate file type or format\n", path, line)
			continue
		}
		ent := fstabEntry{Spec: spec, File: file, Type: fields[2], Opts: fields[3], Line: line}
		if len(fields) > 4 {
			ent.Freq = fields[4]
		}
		if len(fields) > 5 {
			ent.Pass = fields[5]
		}
		if ent.kind() == "" {
			fmt.Fprintf(e.Stderr, "fstab: %s:%d: Inappropriate file type or format\n", path, line)
			continue
		}
		out = append(out, ent)
	}
	return out, sc.Err()
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }

// typeFilter implements -t [no]type[,type...].
type typeFilter struct {
	neg   bool
	types []string
}

func parseTypeFilter(s string) typeFilter {
	var f typeFilter
	if strings.HasPrefix(s, "no") {
		f.neg = true
		s = s[2:]
	}
	f.types = strings.Split(s, ",")
	return f
}

func (f *typeFilter) match(t string) bool {
	if f == nil {
		return true
	}
	return hasString(f.types, t) != f.neg
}

func (e *Env) fstabPath(flagF string) string {
	if flagF != "" {
		return flagF
	}
	if p := e.Getenv("PATH_FSTAB"); p != "" {
		return p
	}
	return "/etc/fstab"
}

var mountUsage = []string{
	"usage: mount [-adflpruvw] [-F fstab] [-o options] [-t ufs | external_type]",
	"       mount [-dfpruvw] special | node",
	"       mount [-dfpruvw] [-o options] [-t ufs | external_type] special node",
}

func mountTool(e *Env) int {
	style, pretty, args, xmsg := splitLibxo(e.Args)
	if xmsg != "" {
		return e.Errorf(1, "%s", xmsg)
	}
	opts, rest, msg := bsdGetopt(args, "adF:flLno:prt:uvw")
	if msg != "" {
		return e.usageError(1, msg, mountUsage...)
	}
	var all, dry, late, fstabFmt, update, verbose bool
	var fstab, types string
	var optLists []string
	for _, o := range opts {
		switch o.Flag {
		case 'a':
			all = true
		case 'd':
			dry = true
		case 'F':
			fstab = o.Arg
		case 'l':
			late = true
		case 'o':
			optLists = append(optLists, o.Arg)
		case 'p':
			fstabFmt = true
		case 'r':
			optLists = append(optLists, "ro")
		case 'w':
			optLists = append(optLists, "rw")
		case 't':
			types = o.Arg
		case 'u':
			update = true
		case 'v':
			verbose = true
		}
	}
	var filter *typeFilter
	if types != "" {
		f := parseTypeFilter(types)
		filter = &f
	}
	switch {
	case all:
		if len(rest) > 0 {
			return e.Usage(1, mountUsage...)
		}
		return e.mountAll(e.fstabPath(fstab), filter, optLists, late, dry, verbose)
	case len(rest) == 0:
		return e.mountList(filter, fstabFmt, style == "json", pretty)
	case len(rest) > 2:
		return e.Usage(1, mountUsage...)
	}
	if update {
		if len(rest) != 1 {
			return e.Usage(1, mountUsage...)
		}
		return e.mountUpdate(rest[0], optLists, dry)
	}
	var special, node, fstype string
	if len(rest) == 1 {
		ents, err := e.readFstab(e.fstabPath(fstab))
		found := false
		if err == nil {
			for _, ent := range ents {
				if ent.File == rest[0] || ent.Spec == rest[0] {
					special, node, fstype = ent.Spec, ent.File, ent.Type
					optLists = append([]string{ent.Opts}, optLists...)
					found = true
					break
				}
			}
		}
		if !found {
			return e.Errorf(1, "%s: unknown special file or file system", rest[0])
		}
	} else {
		special, node = rest[0], rest[1]
		fstype = "ufs"
		if filter != nil {
			if filter.neg || len(filter.types) != 1 {
				return e.Usage(1, mountUsage...)
			}
			fstype = filter.types[0]
		}
	}
	if dry {
		if verbose {
			fmt.Fprintf(e.Stdout, "mount -t %s %s %s\n", fstype, special, node)
		}
		return 0
	}
	code := 0
	err := e.editWorld(func(w *simWorld) bool {
		prog, msg := w.mounts().mountFS(fstype, special, node, optLists, "")
		if msg != "" {
			fmt.Fprintf(e.Stderr, "%s: %s\n", prog, msg)
			code = 1
			return false
		}
		if verbose {
			m := w.mounts().Mounts[len(w.mounts().Mounts)-1]
			fmt.Fprintln(e.Stdout, mountLine(m))
		}
		return true
	})
	if err != nil {
		return e.stateError(err)
	}
	return code
}

func mountLine(m simMount) string {
	words := append([]string{m.FSType}, mountWords(m)...)
	return fmt.Sprintf("%s on %s (%s)", m.Special, m.Node, strings.Join(words, ", "))
}

func (e *Env) mountList(filter *typeFilter, fstabFmt, json, pretty bool) int {
	var ms []simMount
	if err := e.viewWorld(func(w *simWorld) {
		for _, m := range w.mounts().Mounts {
			if filter.match(m.FSType) {
				ms = append(ms, m)
			}
		}
	}); err != nil {
		return e.stateError(err)
	}
	if json {
		items := make([]string, len(ms))
		for i, m := range ms {
			var o xoObject
			o.str("special", m.Special)
			o.str("node", m.Node)
			o.str("fstype", m.FSType)
			o.list("opts", mountWords(m))
			items[i] = o.String()
		}
		doc := `{"mount": {"mounted": [` + strings.Join(items, ", ") + `]}}`
		if pretty {
			doc = xoPretty(doc)
		}
		fmt.Fprintln(e.Stdout, doc)
		return 0
	}
	for _, m := range ms {
		if fstabFmt {
			opts := mountFstabOpts(m)
			pad := " "
			if len(opts) < 8 {
				pad = "\t"
			}
			fmt.Fprintf(e.Stdout, "%s%s%s\t%s%s\t0 0\n", fstabPad(m.Special), fstabPad(m.Node), m.FSType, opts, pad)
			continue
		}
		fmt.Fprintln(e.Stdout, mountLine(m))
	}
	return 0
}

func (e *Env) mountUpdate(target string, optLists []string, dry bool) int {
	code := 0
	err := e.editWorld(func(w *simWorld) bool {
		idx := -1
		if r, err := resolvePath(target); err == nil {
			idx = w.mounts().lastAt(r)
		}
		if idx < 0 {
			idx = w.mounts().lastFrom(target)
		}
		if idx < 0 {
			code = e.Errorf(1, "not currently mounted %s", target)
			return false
		}
		m := &w.mounts().Mounts[idx]
		cur := append([]string(nil), m.Opts...)
		if len(cur) == 0 {
			cur = []string{"rw"}
		}
		mo, msg := parseMountOpts(append([]string{strings.Join(cur, ",")}, optLists...))
		if msg != "" {
			code = e.Errorf(1, "%s: %s", m.Node, msg)
			return false
		}
		if dry {
			return false
		}
		m.Opts = mo.flags
		if m.FSType == "devfs" && mo.ruleset != 0 {
			m.Ruleset = mo.ruleset
		}
		return true
	})
	if err != nil {
		return e.stateError(err)
	}
	return code
}

func (e *Env) mountAll(fstab string, filter *typeFilter, optLists []string, late, dry, verbose bool) int {
	ents, err := e.readFstab(fstab)
	if err != nil {
		return e.Errorf(1, "%s: %s", fstab, errnoText(err))
	}
	code := 0
	err = e.editWorld(func(w *simWorld) bool {
		for _, ent := range ents {
			switch {
			case ent.kind() == "sw" || ent.kind() == "xx",
				ent.hasOpt("noauto"),
				ent.hasOpt("late") && !late,
				!filter.match(ent.Type):
				continue
			}
			if r, err := resolvePath(ent.File); err == nil {
				if i := w.mounts().lastAt(r); i >= 0 {
					m := w.mounts().Mounts[i]
					sp := ent.Spec
					if rs, err := resolvePath(ent.Spec); err == nil {
						sp = rs
					}
					if ps, ok := pseudoSpecial[ent.Type]; ok {
						sp = ps
					}
					if m.Special == sp && m.FSType == ent.Type {
						continue // already mounted
					}
				}
			}
			if dry {
				if verbose {
					fmt.Fprintf(e.Stdout, "mount -t %s -o %s %s %s\n", ent.Type, ent.Opts, ent.Spec, ent.File)
				}
				continue
			}
			prog, msg := w.mounts().mountFS(ent.Type, ent.Spec, ent.File, append([]string{ent.Opts}, optLists...), "")
			if msg != "" {
				fmt.Fprintf(e.Stderr, "%s: %s\n", prog, msg)
				if !ent.hasOpt("failok") {
					code = 1
				}
				continue
			}
			if verbose {
				fmt.Fprintln(e.Stdout, mountLine(w.mounts().Mounts[len(w.mounts().Mounts)-1]))
			}
		}
		return !dry
	})
	if err != nil {
		return e.stateError(err)
	}
	return code
}

var mountNullfsUsage = []string{"usage: mount_nullfs [-o options] target mount-point"}

func mountNullfsTool(e *Env) int {
	opts, rest, msg := bsdGetopt(e.Args, "o:")
	if msg != "" {
		return e.usageError(1, msg, mountNullfsUsage...)
	}
	if len(rest) != 2 {
		return e.Usage(1, mountNullfsUsage...)
	}
	var optLists []string
	for _, o := range opts {
		optLists = append(optLists, o.Arg)
	}
	code := 0
	err := e.editWorld(func(w *simWorld) bool {
		prog, msg := w.mounts().mountFS("nullfs", rest[0], rest[1], optLists, "")
		if msg != "" {
			fmt.Fprintf(e.Stderr, "%s: %s\n", prog, msg)
			code = 1
			return false
		}
		return true
	})
	if err != nil {
		return e.stateError(err)
	}
	return code
}

var umountUsage = []string{
	"usage: umount [-fNnv] special ... | node ... | fsid ...",
	"       umount -a | -A [-F fstab] [-fnv] [-h host] [-t type]",
}

func umountTool(e *Env) int {
	opts, rest, msg := bsdGetopt(e.Args, "AaF:fh:Nnt:v")
	if msg != "" {
		return e.usageError(1, msg, umountUsage...)
	}
	var all, allMounted, force, nobusy, verbose bool
	var fstab, types string
	for _, o := range opts {
		switch o.Flag {
		case 'a':
			all = true
		case 'A':
			allMounted = true
		case 'F':
			fstab = o.Arg
		case 'f':
			force = true
		case 'n':
			nobusy = true
		case 't':
			types = o.Arg
		case 'v':
			verbose = true
		}
	}
	if force && nobusy {
		return e.Usage(1, umountUsage...)
	}
	if (all || allMounted) != (len(rest) == 0) {
		return e.Usage(1, umountUsage...)
	}
	var filter *typeFilter
	if types != "" {
		f := parseTypeFilter(types)
		filter = &f
	}
	var targets []string
	if all {
		path := e.fstabPath(fstab)
		ents, err := e.readFstab(path)
		if err != nil {
			return e.Errorf(1, "%s: %s", path, errnoText(err))
		}
		// Reverse file order, so nested mounts go first.
		for i := len(ents) - 1; i >= 0; i-- {
			ent := ents[i]
			if ent.File == "/" || ent.kind() == "sw" || ent.kind() == "xx" || !filter.match(ent.Type) {
				continue
			}
			if _, known := fsTypes[ent.Type]; !known {
				continue
			}
			targets = append(targets, ent.File)
		}
	}
	code := 0
	err := e.editWorld(func(w *simWorld) bool {
		changed := false
		if allMounted {
			for i := len(w.mounts().Mounts) - 1; i >= 0; i-- {
				m := w.mounts().Mounts[i]
				if m.Node == "/" || m.Node == "/dev" || !filter.match(m.FSType) {
					continue
				}
				if msg := w.mounts().unmountAt(i); msg != "" {
					code = e.Errorf(1, "%s", msg)
					continue
				}
				changed = true
				if verbose {
					fmt.Fprintf(e.Stdout, "%s: unmount from %s\n", m.Special, m.Node)
				}
			}
			return changed
		}
		if !all {
			targets = rest
		}
		for _, t := range targets {
			idx, msgs := w.mounts().findForUnmount(t)
			if idx < 0 {
				for _, m := range msgs {
					e.Errorf(1, "%s", m)
				}
				code = 1
				continue
			}
			m := w.mounts().Mounts[idx]
			if !filter.match(m.FSType) {
				continue
			}
			if msg := w.mounts().unmountAt(idx); msg != "" {
				code = e.Errorf(1, "%s", msg)
				continue
			}
			changed = true
			if verbose {
				fmt.Fprintf(e.Stdout, "%s: unmount from %s\n", m.Special, m.Node)
			}
		}
		return changed
	})
	if err != nil {
		return e.stateError(err)
	}
	return code
}
