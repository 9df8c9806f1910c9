// Package freebsdport checks the FreeBSD port skeleton in
// sysutils/jcage: the Makefile's variables as the Porter's Handbook and
// portlint want them, and a pkg-plist that lists exactly what
// `make install` installs. `make port-check` runs it, and so does
// `make test`.
package freebsdport

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

const portDir = "sysutils/jcage"

func read(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(portDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// portVars reads NAME=<tab>value assignments in order.
func portVars(t *testing.T, mk string) (map[string]string, []string) {
	t.Helper()
	vars := map[string]string{}
	var order []string
	assign := regexp.MustCompile(`^([A-Z_][A-Z0-9_]*)([+?:]?=)(.*)$`)
	for i, line := range strings.Split(mk, "\n") {
		if strings.TrimRight(line, " \t") != line {
			t.Errorf("Makefile:%d: trailing whitespace", i+1)
		}
		m := assign.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		if !strings.HasPrefix(m[3], "\t") || strings.HasPrefix(strings.TrimLeft(m[3], "\t"), " ") {
			t.Errorf("Makefile:%d: %s: the value follows the = after tabs only", i+1, m[1])
		}
		if _, dup := vars[m[1]]; dup {
			t.Errorf("Makefile:%d: %s set twice", i+1, m[1])
		}
		vars[m[1]] = strings.TrimSpace(m[3])
		order = append(order, m[1])
	}
	return vars, order
}

func modulepath(t *testing.T) string {
	t.Helper()
	f, err := os.Open("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m, ok := strings.CutPrefix(sc.Text(), "module "); ok {
			return strings.TrimSpace(m)
		}
	}
	t.Fatal("go.mod has no module line")
	return ""
}

// The Makefile's variables: present, in the Porter's Handbook order
// (section 15.1 of the Handbook, "Order of Variables in Port
// Makefiles"), and consistent with the tree they describe.
func TestPortMakefile(t *testing.T) {
	mk := read(t, "Makefile")
	vars, order := portVars(t, mk)
	for _, v := range []string{"PORTNAME", "DISTVERSION", "CATEGORIES", "MAINTAINER", "COMMENT", "WWW", "LICENSE", "LICENSE_FILE", "USES", "GO_MODULE", "GO_TARGET"} {
		if vars[v] == "" {
			t.Errorf("Makefile lacks %s", v)
		}
	}
	canonical := []string{"PORTNAME", "DISTVERSIONPREFIX", "DISTVERSION", "CATEGORIES", "MAINTAINER", "COMMENT", "WWW",
		"LICENSE", "LICENSE_FILE", "ONLY_FOR_ARCHS", "ONLY_FOR_ARCHS_REASON", "USES", "GO_MODULE", "GO_TARGET", "GO_BUILDFLAGS",
		"CONFLICTS_INSTALL", "OPTIONS_DEFINE", "OPTIONS_DEFAULT", "OPTIONS_RADIO", "OPTIONS_RADIO_GIT_PACKAGE", "GIT_DESC", "GIT_LITE_DESC",
		"GIT_RUN_DEPENDS", "GIT_LITE_RUN_DEPENDS"}
	last := -1
	for _, v := range order {
		i := slices.Index(canonical, v)
		if i < 0 {
			t.Errorf("Makefile sets %s, which this check does not know the place of", v)
			continue
		}
		if i < last {
			t.Errorf("Makefile: %s is out of the Handbook's order", v)
		}
		last = i
	}
	if vars["PORTNAME"] != filepath.Base(portDir) {
		t.Errorf("PORTNAME %q is not the directory's name", vars["PORTNAME"])
	}
	if cat := strings.Fields(vars["CATEGORIES"]); len(cat) == 0 || cat[0] != filepath.Dir(portDir) {
		t.Errorf("CATEGORIES %q does not start with the directory's category", vars["CATEGORIES"])
	}
	if !regexp.MustCompile(`^\d+\.\d+\.\d+$`).MatchString(vars["DISTVERSION"]) {
		t.Errorf("DISTVERSION %q", vars["DISTVERSION"])
	}
	c := vars["COMMENT"]
	if len(c) > 70 || strings.HasSuffix(c, ".") || c == "" || strings.ToUpper(c[:1]) != c[:1] ||
		regexp.MustCompile(`^(A|An|The) `).MatchString(c) || strings.HasPrefix(strings.ToLower(c), vars["PORTNAME"]) {
		t.Errorf("COMMENT %q: under 70 characters, capitalised, no article, no final period, not the port's name", c)
	}
	if !slices.Contains(strings.Fields(vars["USES"]), "go:modules") {
		t.Errorf("USES %q lacks go:modules", vars["USES"])
	}
	if got, want := vars["GO_MODULE"], modulepath(t); got != want {
		t.Errorf("GO_MODULE %q, go.mod says %q", got, want)
	}
	if _, err := os.Stat(filepath.Join("../..", strings.TrimPrefix(vars["GO_TARGET"], "./"))); err != nil {
		t.Errorf("GO_TARGET %q: %v", vars["GO_TARGET"], err)
	}
	if _, err := os.Stat(filepath.Join("../..", strings.TrimPrefix(vars["LICENSE_FILE"], "${WRKSRC}/"))); err != nil {
		t.Errorf("LICENSE_FILE %q: %v", vars["LICENSE_FILE"], err)
	}
	if lic, _ := os.ReadFile("../../LICENSE"); vars["LICENSE"] == "BSD2CLAUSE" && !strings.Contains(string(lic), "BSD 2-Clause") {
		t.Error("LICENSE BSD2CLAUSE, but LICENSE is not the BSD 2-Clause license")
	}
	if !strings.HasSuffix(strings.TrimSpace(mk), ".include <bsd.port.mk>") {
		t.Error("Makefile does not end with .include <bsd.port.mk>")
	}
	// Every file the post-install targets install is one the tree has.
	for _, m := range regexp.MustCompile(`\$\{WRKSRC\}/(\S+)`).FindAllStringSubmatch(mk, -1) {
		if _, err := os.Stat(filepath.Join("../..", m[1])); err != nil {
			t.Errorf("Makefile installs %s: %v", m[1], err)
		}
	}
	for _, f := range []string{"pkg-descr", "pkg-plist", "pkg-message"} {
		if strings.TrimSpace(read(t, f)) == "" {
			t.Errorf("%s is empty", f)
		}
	}
	for i, line := range strings.Split(read(t, "pkg-descr"), "\n") {
		if len(line) > 80 || strings.HasPrefix(line, "WWW:") {
			t.Errorf("pkg-descr:%d: %q (80 columns, no WWW: line; WWW is in the Makefile)", i+1, line)
		}
	}
	msg := strings.TrimSpace(read(t, "pkg-message"))
	if !strings.HasPrefix(msg, "[") || !strings.HasSuffix(msg, "]") || !strings.Contains(msg, "type: install") ||
		!strings.Contains(msg, "message: <<EOM") || !strings.Contains(msg, "\nEOM\n") {
		t.Errorf("pkg-message is not the UCL list pkg(8) reads:\n%s", msg)
	}
}

// plistFiles is pkg-plist with the port's substitutions made, and man
// pages named as make install names them (the port compresses them).
func plistFiles(t *testing.T) []string {
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(read(t, "pkg-plist")), "\n") {
		line = strings.ReplaceAll(line, "%%PORTDOCS%%", "")
		line = strings.ReplaceAll(line, "%%DOCSDIR%%", "share/doc/jcage")
		if strings.HasPrefix(line, "@") || strings.Contains(line, "%%") {
			t.Errorf("pkg-plist: %q is not a plain file entry", line)
			continue
		}
		if strings.HasPrefix(line, "share/man/") {
			line = strings.TrimSuffix(line, ".gz")
		}
		out = append(out, line)
	}
	sort.Strings(out)
	return out
}

// pkg-plist lists exactly what make install DESTDIR=... installs under
// PREFIX.
func TestPortPlistMatchesInstall(t *testing.T) {
	dest := t.TempDir()
	cmd := exec.Command("make", "-C", "../..", "install", "DESTDIR="+dest, "PREFIX=/usr/local")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make install: %v\n%s", err, out)
	}
	prefix := filepath.Join(dest, "usr/local")
	var installed []string
	err := filepath.WalkDir(dest, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(prefix, path)
		if err != nil || strings.HasPrefix(rel, "..") {
			t.Errorf("make install wrote %s, outside PREFIX", path)
			return nil
		}
		installed = append(installed, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(installed)
	plist := plistFiles(t)
	for _, f := range installed {
		if !slices.Contains(plist, f) {
			t.Errorf("make install installs %s, which pkg-plist lacks", f)
		}
	}
	for _, f := range plist {
		if !slices.Contains(installed, f) {
			t.Errorf("pkg-plist lists %s, which make install does not install", f)
		}
	}
	for _, f := range []string{"etc/rc.d/jcage", "share/zsh/site-functions/_jcage"} {
		b, err := os.ReadFile(filepath.Join(prefix, f))
		if err != nil || len(b) == 0 {
			t.Errorf("%s: empty or missing (%v)", f, err)
		}
	}
}

// The port builds jcage with the build tags the top-level Makefile uses,
// so that a packaged jcage starts as fast as `make build`'s.
func TestPortBuildTags(t *testing.T) {
	b, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^TAGS\s*:=\s*(\S+)\s*$`).FindSubmatch(b)
	if m == nil {
		t.Fatal("the top-level Makefile sets no TAGS")
	}
	vars, _ := portVars(t, read(t, "Makefile"))
	if want := "-tags " + string(m[1]) + " "; !strings.Contains(vars["GO_BUILDFLAGS"], want) {
		t.Errorf("GO_BUILDFLAGS = %q, want it to carry %q", vars["GO_BUILDFLAGS"], strings.TrimSpace(want))
	}
}
