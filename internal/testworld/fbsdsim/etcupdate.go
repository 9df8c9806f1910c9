package fbsdsim

// etcupdate(8), the commands and flags of reference §8.
//
// It keeps the real on-disk layout: stock trees in WORKDIR/current and
// WORKDIR/old, conflicts under WORKDIR/conflicts, notes in
// WORKDIR/warnings, the log in WORKDIR/log. A new tree comes from the
// -t tarball (tar, tar.gz or tar.bz2, really extracted) or, since a
// simulator cannot `make distribution`, is "built" from the source tree
// as a copy of the current stock tree (source and stock agree) - or, for
// `extract`, of DESTDIR's /etc. The merge is a simplified three-way one:
// added files are installed (A), files changed upstream and unmodified
// locally are updated (U), files removed upstream and unmodified are
// deleted (D), and a file changed both upstream and locally becomes a
// conflict (C) instead of going through diff3.
//
// Settings:
//   JCAGE_SIM_ETCUPDATE_FAIL=build       tree building fails ("Failed to build new tree.")
//   JCAGE_SIM_ETCUPDATE_CONFLICTS=/etc/a,/etc/b
//                                        an update also reports these files as conflicts

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

func init() { register("etcupdate", runEtcupdate) }

var etcupdUsageText = []string{
	"usage: etcupdate [-npBF] [-d workdir] [-r | -s source | -t tarball]",
	"                 [-A patterns] [-D destdir] [-I patterns] [-L logfile]",
	"                 [-M options]",
	"       etcupdate build [-B] [-d workdir] [-s source] [-L logfile] [-M options]",
	"                 <tarball>",
	"       etcupdate diff [-d workdir] [-D destdir] [-I patterns] [-L logfile]",
	"       etcupdate extract [-B] [-d workdir] [-s source | -t tarball] [-L logfile]",
	"                 [-M options]",
	"       etcupdate resolve [-p] [-d workdir] [-D destdir] [-L logfile]",
	"       etcupdate status [-d workdir] [-D destdir]",
}

// etcupdUsage prints the usage text on stdout (the script uses cat).
func etcupdUsage(e *Env) int {
	for _, l := range etcupdUsageText {
		fmt.Fprintln(e.Stdout, l)
	}
	return 1
}

// etcupd is one invocation.
type etcupd struct {
	e                                   *Env
	destdir, workdir, srcdir, tarball   string
	dryrun, preworld, rerun, freebsdID  bool
	always, ignore                      []string
	oldtree, newtree, conflicts, warnfn string
	hostImplicit                        bool // DESTDIR is the host "/"
	log                                 io.Writer
}

func runEtcupdate(e *Env) int {
	args := e.Args
	command := "update"
	if len(args) > 0 {
		switch a := args[0]; {
		case a == "build" || a == "diff" || a == "extract" || a == "status" || a == "resolve":
			command, args = a, args[1:]
		case strings.HasPrefix(a, "-"):
		default:
			return etcupdUsage(e)
		}
	}
	u := &etcupd{e: e, srcdir: "/usr/src"}
	srcExplicit, workExplicit, logfile := false, false, ""
	// /etc/etcupdate.conf may preset the variables; options override it.
	if b, err := os.ReadFile(ulHostPath(e, "/etc/etcupdate.conf")); err == nil {
		v := sysrcVars{}
		sysrcSource(string(b), v)
		if x := v["DESTDIR"]; x != "" {
			u.destdir = x
		}
		if x := v["SRCDIR"]; x != "" {
			u.srcdir, srcExplicit = x, true
		}
		if x := v["WORKDIR"]; x != "" {
			u.workdir, workExplicit = x, true
		}
		if v["FREEBSD_ID"] != "" {
			u.freebsdID = true
		}
		u.always = strings.Fields(v["ALWAYS_INSTALL"])
		u.ignore = strings.Fields(v["IGNORE_FILES"])
		logfile = v["LOGFILE"]
	}
	opts, rest, oerr := ulGetopt(args, "d:nprs:t:A:BD:FI:L:M:")
	if oerr != nil {
		fmt.Fprintln(e.Stderr, oerr.sh())
		fmt.Fprintln(e.Stdout)
		return etcupdUsage(e)
	}
	var always, ignore []string
	for _, o := range opts {
		switch o.c {
		case 'd':
			u.workdir, workExplicit = o.arg, true
		case 'n':
			u.dryrun = true
		case 'p':
			u.preworld = true
		case 'r':
			u.rerun = true
		case 's':
			u.srcdir, srcExplicit = o.arg, true
		case 't':
			u.tarball = o.arg
		case 'A':
			always = append(always, strings.Fields(o.arg)...)
		case 'B', 'M':
			// Build tuning; nothing is built here.
		case 'D':
			u.destdir = o.arg
		case 'F':
			u.freebsdID = true
		case 'I':
			ignore = append(ignore, strings.Fields(o.arg)...)
		case 'L':
			logfile = o.arg
		}
	}
	if len(always) > 0 {
		u.always = always
	}
	if len(ignore) > 0 {
		u.ignore = ignore
	}
	switch command {
	case "update":
		if u.rerun && u.tarball != "" {
			fmt.Fprintln(e.Stdout, "Only one of -r or -t can be specified.")
			fmt.Fprintln(e.Stdout)
			return etcupdUsage(e)
		}
		if u.rerun && u.preworld {
			fmt.Fprintln(e.Stdout, "Only one of -p or -r can be specified.")
			fmt.Fprintln(e.Stdout)
			return etcupdUsage(e)
		}
	case "build", "diff", "status":
		if u.dryrun || u.rerun || u.tarball != "" || u.preworld {
			return etcupdUsage(e)
		}
	case "resolve":
		if u.dryrun || u.rerun || u.tarball != "" {
			return etcupdUsage(e)
		}
	case "extract":
		if u.dryrun || u.rerun || u.preworld {
			return etcupdUsage(e)
		}
	}
	if command == "build" {
		if len(rest) != 1 {
			return etcupdUsage(e)
		}
	} else if len(rest) != 0 {
		return etcupdUsage(e)
	}

	u.hostImplicit = u.destdir == "" || u.destdir == "/"
	if !srcExplicit && u.hostImplicit {
		u.srcdir = ulHostPath(e, u.srcdir)
	}
	if !workExplicit {
		if u.hostImplicit {
			u.workdir = ulHostPath(e, "/var/db/etcupdate")
		} else {
			u.workdir = strings.TrimRight(u.destdir, "/") + "/var/db/etcupdate"
		}
	}
	if u.hostImplicit {
		u.destdir = ulHostPath(e, "/")
	}
	u.destdir = strings.TrimRight(u.destdir, "/")
	// Every command creates its work directory and log; update, extract
	// and resolve also write under DESTDIR.
	if !ulHostWritable(e) {
		writesDest := u.hostImplicit && (command == "update" || command == "extract" || command == "resolve")
		if writesDest || (u.hostImplicit && !workExplicit) {
			return ulRefuseHostWrite(e, "/etc")
		}
	}
	if logfile == "" {
		logfile = u.workdir + "/log"
	}
	u.oldtree = u.workdir + "/old"
	u.newtree = u.workdir + "/current"
	u.conflicts = u.workdir + "/conflicts"
	u.warnfn = u.workdir + "/warnings"
	if u.preworld {
		u.oldtree, u.newtree = u.newtree, u.workdir+"/preworld"
	}
	if err := os.MkdirAll(u.workdir, 0o755); err != nil {
		fmt.Fprintf(e.Stdout, "Failed to create work directory %s\n", u.workdir)
	}
	flag := os.O_CREATE | os.O_WRONLY | os.O_TRUNC
	if command == "diff" || command == "resolve" || command == "status" {
		flag = os.O_CREATE | os.O_WRONLY | os.O_APPEND
	}
	lf, err := os.OpenFile(logfile, flag, 0o644)
	if err != nil {
		fmt.Fprintf(e.Stderr, "etcupdate: cannot create %s: %s\n", logfile, ulErrno(err))
		return 2
	}
	defer lf.Close()
	u.log = lf
	switch command {
	case "build":
		return u.build(rest[0])
	case "diff":
		return u.diff()
	case "extract":
		return u.extract()
	case "resolve":
		return u.resolve()
	case "status":
		return u.status()
	}
	return u.update()
}

func (u *etcupd) logf(format string, a ...any) {
	fmt.Fprintf(u.log, ">>> "+format+"\n", a...)
}

func etcupdIsDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// extractTree fills u.newtree from the tarball or by "building" from the
// source tree (see the file comment). ok=false after printing the error.
func (u *etcupd) extractTree(fallback, sub string) bool {
	e := u.e
	if u.tarball != "" {
		if err := etcupdUntar(u.tarball, u.newtree, u.preworld); err != nil {
			u.logf("extract failed: %v", err)
			fmt.Fprintln(e.Stdout, "Failed to extract new tree.")
			os.RemoveAll(u.newtree)
			return false
		}
		return true
	}
	u.logf("Building tree at %s with make -DNO_FILEMON", u.newtree)
	if !etcupdIsDir(u.srcdir) || e.Setting("ETCUPDATE_FAIL") == "build" {
		fmt.Fprintln(e.Stdout, "Failed to build new tree.")
		os.RemoveAll(u.newtree)
		return false
	}
	if fallback == "" {
		// build_tree(): `make distribution` of SRC installs the new stock
		// tree. Simulated as SRC/etc's files (without the Makefiles that
		// drive the install) copied to NEWTREE/etc, so that the tree comes
		// from the sources given and differs between releases. Ledger:
		// [etcupdate].
		if err := etcupdBuildFromSource(filepath.Join(u.srcdir, "etc"), u.newtree, u.preworld); err != nil {
			u.logf("build failed: %v", err)
			fmt.Fprintln(e.Stdout, "Failed to build new tree.")
			os.RemoveAll(u.newtree)
			return false
		}
		return true
	}
	if err := etcupdCopyTree(fallback, filepath.Join(u.newtree, sub), u.preworld); err != nil {
		fmt.Fprintln(e.Stdout, "Failed to build new tree.")
		os.RemoveAll(u.newtree)
		return false
	}
	return true
}

// etcupdBuildFromSource is the simulated `make distribution`: every file
// of srcEtc but the build's own (Makefile*, *.mk) lands under tree/etc;
// a pre-world build keeps only the pre-world files.
func etcupdBuildFromSource(srcEtc, tree string, preworld bool) error {
	if !etcupdIsDir(srcEtc) {
		return fmt.Errorf("%s: no such directory", srcEtc)
	}
	return filepath.WalkDir(srcEtc, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(srcEtc, p)
		name := d.Name()
		if d.IsDir() || strings.HasPrefix(name, "Makefile") || strings.HasSuffix(name, ".mk") {
			return nil
		}
		rel = "etc/" + filepath.ToSlash(rel)
		if preworld && !etcupdPreworld[rel] {
			return nil
		}
		return etcupdCopyFile(p, filepath.Join(tree, rel))
	})
}

// etcupdPreworld are the files a pre-world (-p) tree holds.
var etcupdPreworld = map[string]bool{"etc/master.passwd": true, "etc/group": true}

// etcupdCopyTree copies src to dst (dst is replaced); a missing src
// gives an empty tree.
func etcupdCopyTree(src, dst string, preworld bool) error {
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	if !etcupdIsDir(src) {
		return nil
	}
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if rel == "." {
			return nil
		}
		if preworld && !d.IsDir() && !etcupdPreworld[filepath.ToSlash(rel)] {
			return nil
		}
		t := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(t, 0o755)
		case d.Type()&fs.ModeSymlink != 0:
			l, err := os.Readlink(p)
			if err != nil {
				return err
			}
			os.Remove(t)
			return os.Symlink(l, t)
		case d.Type().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if err := os.MkdirAll(filepath.Dir(t), 0o755); err != nil {
				return err
			}
			info, _ := d.Info()
			return os.WriteFile(t, b, info.Mode().Perm())
		}
		return nil
	})
}

// etcupdUntar extracts a plain, gzip or bzip2 tar archive into dir.
func etcupdUntar(tarball, dir string, preworld bool) error {
	f, err := os.Open(tarball)
	if err != nil {
		return err
	}
	defer f.Close()
	br := bufio.NewReader(f)
	magic, _ := br.Peek(3)
	var r io.Reader = br
	switch {
	case bytes.HasPrefix(magic, []byte{0x1f, 0x8b}):
		gz, err := gzip.NewReader(br)
		if err != nil {
			return err
		}
		r = gz
	case bytes.HasPrefix(magic, []byte("BZh")):
		r = bzip2.NewReader(br)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(path.Clean("/"+h.Name), "/")
		if name == "" {
			continue
		}
		if preworld && h.Typeflag != tar.TypeDir && !etcupdPreworld[name] {
			continue
		}
		t := filepath.Join(dir, filepath.FromSlash(name))
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(t, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(t), 0o755); err != nil {
				return err
			}
			out, err := os.OpenFile(t, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, os.FileMode(h.Mode).Perm())
			if err != nil {
				return err
			}
			if _, err := io.Copy(out, tr); err != nil {
				out.Close()
				return err
			}
			if err := out.Close(); err != nil {
				return err
			}
		case tar.TypeSymlink:
			if err := os.MkdirAll(filepath.Dir(t), 0o755); err != nil {
				return err
			}
			os.Remove(t)
			if err := os.Symlink(h.Linkname, t); err != nil {
				return err
			}
		}
	}
}

// etcupdFiles lists the regular files and symlinks of a tree as
// "/etc/x" paths.
func etcupdFiles(root string) []string {
	var out []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		out = append(out, "/"+filepath.ToSlash(rel))
		return nil
	})
	sort.Strings(out)
	return out
}

var etcupdIDLine = regexp.MustCompile(`\$FreeBSD.*\$`)

// same compares two nodes; a missing node only equals a missing node.
func (u *etcupd) same(a, b string) bool {
	la, ea := os.Lstat(a)
	lb, eb := os.Lstat(b)
	if ea != nil || eb != nil {
		return ea != nil && eb != nil
	}
	if la.Mode().Type() != lb.Mode().Type() {
		return false
	}
	if la.Mode()&fs.ModeSymlink != 0 {
		x, _ := os.Readlink(a)
		y, _ := os.Readlink(b)
		return x == y
	}
	x, _ := os.ReadFile(a)
	y, _ := os.ReadFile(b)
	if u.freebsdID {
		x = etcupdIDLine.ReplaceAll(x, []byte("$FreeBSD$"))
		y = etcupdIDLine.ReplaceAll(y, []byte("$FreeBSD$"))
	}
	return bytes.Equal(x, y)
}

func etcupdMatch(patterns []string, p string) bool {
	for _, pat := range patterns {
		if ok, _ := path.Match(pat, p); ok {
			return true
		}
	}
	return false
}

// install copies a stock file into DESTDIR (unless -n).
func (u *etcupd) install(tree, p string) error {
	if u.dryrun {
		return nil
	}
	return etcupdCopyFile(tree+p, u.destdir+p)
}

func etcupdCopyFile(src, dst string) error {
	st, err := os.Lstat(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	if st.Mode()&fs.ModeSymlink != 0 {
		l, err := os.Readlink(src)
		if err != nil {
			return err
		}
		os.Remove(dst)
		return os.Symlink(l, dst)
	}
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	os.Remove(dst)
	return os.WriteFile(dst, b, st.Mode().Perm())
}

func (u *etcupd) conflict(p string, local, stock []byte) error {
	if u.dryrun {
		return nil
	}
	var buf bytes.Buffer
	buf.WriteString("<<<<<<< yours\n")
	buf.Write(local)
	if len(local) > 0 && local[len(local)-1] != '\n' {
		buf.WriteByte('\n')
	}
	buf.WriteString("=======\n")
	buf.Write(stock)
	if len(stock) > 0 && stock[len(stock)-1] != '\n' {
		buf.WriteByte('\n')
	}
	buf.WriteString(">>>>>>> new\n")
	t := u.conflicts + p
	if err := os.MkdirAll(filepath.Dir(t), 0o755); err != nil {
		return err
	}
	return os.WriteFile(t, buf.Bytes(), 0o644)
}

func (u *etcupd) warn(msg string) {
	f, err := os.OpenFile(u.warnfn, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return
	}
	fmt.Fprintf(f, "  %s\n", msg)
	f.Close()
}

func (u *etcupd) update() int {
	e := u.e
	u.logf("update command: rerun=%s tarball=%s preworld=%s", etcupdYes(u.rerun), u.tarball, etcupdYes(u.preworld))
	if ulEUID(e) != 0 {
		fmt.Fprintln(e.Stdout, "Must be root to update a tree.")
		return 1
	}
	if etcupdIsDir(u.conflicts) {
		etcupdPruneEmpty(u.conflicts)
	}
	if etcupdIsDir(u.conflicts) {
		fmt.Fprintln(e.Stdout, "Conflicts remain from previous update, aborting.")
		return 1
	}
	tmp := ""
	if !u.rerun {
		switch {
		case u.dryrun:
			d, err := os.MkdirTemp(u.workdir, "etcupdate-")
			if err != nil {
				fmt.Fprintln(e.Stdout, "Unable to create temporary directory.")
				return 1
			}
			tmp = d
			if !u.preworld {
				u.oldtree = u.newtree
			}
			u.newtree = d
		case u.preworld:
			if err := os.RemoveAll(u.newtree); err != nil {
				fmt.Fprintln(e.Stdout, "Unable to remove pre-world tree.")
				return 1
			}
		case etcupdIsDir(u.newtree):
			if err := os.RemoveAll(u.oldtree); err != nil {
				fmt.Fprintln(e.Stdout, "Unable to remove old tree.")
				return 1
			}
			if err := os.Rename(u.newtree, u.oldtree); err != nil {
				fmt.Fprintln(e.Stdout, "Unable to rename current stock tree.")
				return 1
			}
		}
		if !etcupdIsDir(u.oldtree) {
			fmt.Fprintln(e.Stdout, "No previous tree to compare against, a sane comparison is not possible.")
			u.logf("No previous tree to compare against.")
			if tmp != "" {
				os.RemoveAll(tmp)
			}
			return 1
		}
		if !u.extractTree("", "") {
			return 1
		}
	}
	defer func() {
		if tmp != "" {
			os.RemoveAll(tmp)
		}
	}()
	os.Remove(u.warnfn)
	if !u.dryrun {
		os.MkdirAll(u.conflicts, 0o755)
	}
	old, nw := etcupdFiles(u.oldtree), etcupdFiles(u.newtree)
	inOld, inNew := map[string]bool{}, map[string]bool{}
	for _, p := range old {
		inOld[p] = true
	}
	for _, p := range nw {
		inNew[p] = true
	}
	forced := map[string]bool{}
	for _, p := range ulList(e.Setting("ETCUPDATE_CONFLICTS")) {
		forced[path.Clean("/"+p)] = true
	}
	out := e.Stdout
	if !u.preworld {
		for _, p := range old {
			if inNew[p] || etcupdMatch(u.ignore, p) {
				continue
			}
			dest := u.destdir + p
			if _, err := os.Lstat(dest); err != nil {
				continue
			}
			if u.same(u.oldtree+p, dest) {
				if !u.dryrun {
					os.Remove(dest)
				}
				fmt.Fprintf(out, "  D %s\n", p)
			} else {
				u.warn("Modified regular file remains: " + p)
			}
		}
	}
	for _, p := range nw {
		if etcupdMatch(u.ignore, p) {
			continue
		}
		dest := u.destdir + p
		_, derr := os.Lstat(dest)
		switch {
		case forced[p]:
			local, _ := os.ReadFile(dest)
			stock, _ := os.ReadFile(u.newtree + p)
			u.conflict(p, local, stock)
			fmt.Fprintf(out, "  C %s\n", p)
		case !inOld[p]:
			if derr != nil {
				u.install(u.newtree, p)
				fmt.Fprintf(out, "  A %s\n", p)
			} else if !u.same(u.newtree+p, dest) {
				local, _ := os.ReadFile(dest)
				stock, _ := os.ReadFile(u.newtree + p)
				u.conflict(p, local, stock)
				fmt.Fprintf(out, "  C %s\n", p)
			}
		case u.same(u.oldtree+p, u.newtree+p):
			// Unchanged upstream: local edits stay.
		case derr != nil:
			u.warn("Removed file changed: " + p)
		case etcupdMatch(u.always, p) || u.same(u.oldtree+p, dest):
			u.install(u.newtree, p)
			fmt.Fprintf(out, "  U %s\n", p)
		case u.same(u.newtree+p, dest):
		default:
			local, _ := os.ReadFile(dest)
			stock, _ := os.ReadFile(u.newtree + p)
			u.conflict(p, local, stock)
			fmt.Fprintf(out, "  C %s\n", p)
		}
	}
	if b, err := os.ReadFile(u.warnfn); err == nil && len(b) > 0 {
		fmt.Fprintln(out, "Warnings:")
		out.Write(b)
	}
	return 0
}

func etcupdYes(b bool) string {
	if b {
		return "YES"
	}
	return ""
}

// etcupdPruneEmpty removes empty directories under and including dir.
func etcupdPruneEmpty(dir string) {
	var dirs []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			dirs = append(dirs, p)
		}
		return nil
	})
	for i := len(dirs) - 1; i >= 0; i-- {
		os.Remove(dirs[i]) // fails, as wanted, on non-empty directories
	}
}

func (u *etcupd) build(tarball string) int {
	e := u.e
	u.logf("build command: %s", tarball)
	dir, err := os.MkdirTemp(u.workdir, "etcupdate-")
	if err != nil {
		fmt.Fprintln(e.Stdout, "Unable to create temporary directory.")
		return 1
	}
	defer os.RemoveAll(dir)
	if !etcupdIsDir(u.srcdir) || e.Setting("ETCUPDATE_FAIL") == "build" {
		fmt.Fprintln(e.Stdout, "Failed to build tree.")
		return 1
	}
	if err := etcupdCopyTree(filepath.Join(u.srcdir, "etc"), filepath.Join(dir, "etc"), false); err != nil {
		fmt.Fprintln(e.Stdout, "Failed to build tree.")
		return 1
	}
	if err := etcupdTar(dir, tarball); err != nil {
		u.logf("tar: %v", err)
		fmt.Fprintln(e.Stdout, "Failed to create tarball.")
		return 1
	}
	return 0
}

// etcupdTar writes dir as an uncompressed tar (the real tool writes
// bzip2; the standard library cannot, and readers detect either).
func etcupdTar(dir, tarball string) error {
	f, err := os.Create(tarball)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(f)
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		info, err := d.Info()
		if err != nil {
			return err
		}
		link := ""
		if d.Type()&fs.ModeSymlink != 0 {
			link, _ = os.Readlink(p)
		}
		h, err := tar.FileInfoHeader(info, link)
		if err != nil {
			return err
		}
		h.Name = "./" + filepath.ToSlash(rel)
		if d.IsDir() && rel != "." {
			h.Name += "/"
		}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if d.Type().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			_, err = tw.Write(b)
			return err
		}
		return nil
	})
	if cerr := tw.Close(); err == nil {
		err = cerr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func (u *etcupd) extract() int {
	u.logf("extract command: tarball=%s", u.tarball)
	if etcupdIsDir(u.newtree) {
		if err := os.RemoveAll(u.newtree); err != nil {
			fmt.Fprintln(u.e.Stdout, "Unable to remove current tree.")
			return 1
		}
	}
	// Sources matching the installed system build DESTDIR's own /etc.
	if !u.extractTree(u.destdir+"/etc", "etc") {
		return 1
	}
	return 0
}

func (u *etcupd) diff() int {
	e := u.e
	if !etcupdIsDir(u.newtree) {
		fmt.Fprintln(e.Stdout, "Reference tree to diff against unavailable.")
		return 1
	}
	for _, p := range etcupdFiles(u.newtree) {
		if etcupdMatch(u.ignore, p) {
			continue
		}
		dest := u.destdir + p
		if _, err := os.Lstat(dest); err != nil {
			fmt.Fprintf(e.Stdout, "\nRemoved: %s\n\n", p)
			continue
		}
		if u.same(u.newtree+p, dest) {
			continue
		}
		a, _ := os.ReadFile(u.newtree + p)
		b, _ := os.ReadFile(dest)
		fmt.Fprintf(e.Stdout, "Index: %s\n%s\n", p, strings.Repeat("=", 67))
		fmt.Fprint(e.Stdout, etcupdUnified(p+" (stock)", p+" (local)", a, b))
	}
	return 0
}

// etcupdUnified renders a whole-file unified diff (one hunk).
func etcupdUnified(la, lb string, a, b []byte) string {
	split := func(x []byte) []string {
		s := strings.TrimSuffix(string(x), "\n")
		if s == "" {
			return nil
		}
		return strings.Split(s, "\n")
	}
	al, bl := split(a), split(b)
	var sb strings.Builder
	fmt.Fprintf(&sb, "--- %s\n+++ %s\n@@ -1,%d +1,%d @@\n", la, lb, len(al), len(bl))
	for _, l := range al {
		sb.WriteString("-" + l + "\n")
	}
	for _, l := range bl {
		sb.WriteString("+" + l + "\n")
	}
	return sb.String()
}

func (u *etcupd) conflictList() []string {
	return etcupdFiles(u.conflicts)
}

func (u *etcupd) resolve() int {
	e := u.e
	if !etcupdIsDir(u.conflicts) {
		return 0
	}
	if !etcupdIsDir(u.newtree) {
		fmt.Fprintln(e.Stdout, "The current tree is not present to resolve conflicts.")
		return 1
	}
	for _, p := range u.conflictList() {
		for {
			fmt.Fprintf(e.Stdout, "Resolving conflict in '%s':\n", p)
			fmt.Fprint(e.Stdout, "Select: (p) postpone, (df) diff-full, (e) edit,\n        (h) help for more options: ")
			resp, ok := ulReadLine(e.Stdin)
			if !ok {
				resp = "p"
			}
			switch strings.TrimSpace(resp) {
			case "p":
			case "tf":
				etcupdCopyFile(u.newtree+p, u.destdir+p)
				os.Remove(u.conflicts + p)
			case "mf":
				os.Remove(u.conflicts + p)
			case "r":
				b, _ := os.ReadFile(u.conflicts + p)
				if regexp.MustCompile(`(?m)^(<<<<<<<|=======|>>>>>>>)`).Match(b) {
					fmt.Fprintln(e.Stdout, "File has remaining conflict markers.")
					continue
				}
				os.WriteFile(u.destdir+p, b, 0o644)
				os.Remove(u.conflicts + p)
			default:
				fmt.Fprintln(e.Stdout, "Invalid command.")
				continue
			}
			break
		}
	}
	etcupdPruneEmpty(u.conflicts)
	return 0
}

func (u *etcupd) status() int {
	e := u.e
	if etcupdIsDir(u.conflicts) {
		for _, p := range u.conflictList() {
			fmt.Fprintf(e.Stdout, "  C %s\n", p)
		}
	}
	if b, err := os.ReadFile(u.warnfn); err == nil && len(b) > 0 {
		fmt.Fprintln(e.Stdout, "Warnings:")
		e.Stdout.Write(b)
	}
	return 0
}
