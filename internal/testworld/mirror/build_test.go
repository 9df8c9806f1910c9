package mirror

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The shared fixture: one mirror root with amd64 14.3-RELEASE compressed by
// the system xz, and cheaper stored builds beside it. Building it once keeps
// the package's tests quick.
var (
	fixtureOnce sync.Once
	fixtureRoot string
	fixtureErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if fixtureRoot != "" {
		os.RemoveAll(fixtureRoot)
	}
	os.Exit(code)
}

func fixture(t *testing.T) string {
	t.Helper()
	systemXZ(t)
	fixtureOnce.Do(func() {
		fixtureRoot, fixtureErr = os.MkdirTemp("", "mirror-test-")
		if fixtureErr != nil {
			return
		}
		specs := []ReleaseSpec{
			{Name: "14.3-RELEASE", Machine: "amd64"},
			{Name: "13.4-RELEASE", Machine: "amd64", XZ: NoXZ},
			{Name: "14.3-RELEASE", Machine: "arm64", XZ: NoXZ},
		}
		for _, s := range specs {
			dir, err := ReleaseDir(fixtureRoot, s.Machine, s.Name)
			if err != nil {
				fixtureErr = err
				return
			}
			if _, fixtureErr = Build(dir, s); fixtureErr != nil {
				return
			}
		}
	})
	if fixtureErr != nil {
		t.Fatalf("build fixture mirror: %v", fixtureErr)
	}
	return fixtureRoot
}

func fixtureDir(t *testing.T, machine, rel string) string {
	t.Helper()
	dir, err := ReleaseDir(fixture(t), machine, rel)
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

type tarMember struct {
	hdr  *tar.Header
	data []byte
}

func readSet(t *testing.T, file string) []tarMember {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(bytes.NewReader(xzDecode(t, raw)))
	var out []tarMember
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatalf("%s: %s: %v", file, h.Name, err)
		}
		out = append(out, tarMember{h, data})
	}
}

// byName indexes members by name; a hardlink gets its target's data.
func byName(ms []tarMember) map[string]tarMember {
	m := map[string]tarMember{}
	for _, x := range ms {
		if x.hdr.Typeflag == tar.TypeLink {
			x.data = m[x.hdr.Linkname].data
		}
		m[x.hdr.Name] = x
	}
	return m
}

func TestBaseSkeleton(t *testing.T) {
	ms := readSet(t, filepath.Join(fixtureDir(t, "amd64", "14.3-RELEASE"), "base.txz"))
	if len(ms) == 0 || ms[0].hdr.Name != "./" || ms[0].hdr.Typeflag != tar.TypeDir {
		t.Fatalf("first member %q, want the ./ directory", ms[0].hdr.Name)
	}
	m := byName(ms)

	for _, d := range []string{"bin", "boot", "dev", "etc", "lib", "libexec", "rescue", "sbin", "tmp", "root", "var",
		"usr/bin", "usr/include", "usr/lib", "usr/libexec", "usr/sbin", "usr/share", "usr/libdata", "usr/lib32", "usr/src"} {
		x, ok := m["./"+d+"/"]
		if !ok || x.hdr.Typeflag != tar.TypeDir {
			t.Errorf("directory %s missing", d)
		}
	}
	if m["./tmp/"].hdr.Mode != 0o1777 {
		t.Errorf("tmp mode %o, want 1777", m["./tmp/"].hdr.Mode)
	}
	for _, f := range []string{"etc/hosts", "etc/freebsd-update.conf", "etc/passwd", "etc/group", "etc/master.passwd",
		"etc/defaults/rc.conf", "usr/share/zoneinfo/UTC", "bin/freebsd-version", "usr/sbin/freebsd-update", "COPYRIGHT"} {
		if x, ok := m["./"+f]; !ok || (x.hdr.Typeflag != tar.TypeReg && x.hdr.Typeflag != tar.TypeLink) || len(x.data) == 0 {
			t.Errorf("file %s missing", f)
		}
	}
	if _, ok := m["./etc/rc.conf"]; ok {
		t.Error("etc/rc.conf is present; a release does not ship one")
	}

	// Every member belongs to root, and its directory comes before it.
	clean := func(name string) string { return strings.TrimPrefix(strings.TrimSuffix(name, "/"), "./") }
	seen := map[string]bool{}
	for _, x := range ms {
		h := x.hdr
		if h.Uid != 0 || h.Uname != "root" {
			t.Errorf("%s owned by %d/%s", h.Name, h.Uid, h.Uname)
		}
		if h.Gname != groupNames[h.Gid] {
			t.Errorf("%s: group %d named %q", h.Name, h.Gid, h.Gname)
		}
		if !strings.HasPrefix(h.Name, "./") {
			t.Errorf("%s: base members start with ./", h.Name)
		}
		name := clean(h.Name)
		if parent := path.Dir(name); h.Name != "./" && !seen[parent] {
			t.Errorf("%s comes before its directory %s", h.Name, parent)
		}
		if h.Typeflag == tar.TypeLink && !seen[clean(h.Linkname)] {
			t.Errorf("hardlink %s -> %s: target not archived before it", h.Name, h.Linkname)
		}
		seen[name] = true
	}

	su := m["./usr/bin/su"].hdr
	if su.Mode != 0o4555 || su.Uid != 0 || su.Gid != 0 || su.Uname != "root" || su.Gname != "wheel" {
		t.Errorf("usr/bin/su: mode %o owner %d:%d %s:%s, want 4555 0:0 root:wheel", su.Mode, su.Uid, su.Gid, su.Uname, su.Gname)
	}
	if su.PAXRecords["SCHILY.fflags"] != "schg" {
		t.Errorf("usr/bin/su: fflags %q, want schg", su.PAXRecords["SCHILY.fflags"])
	}
	if w := m["./usr/bin/wall"].hdr; w.Mode != 0o2555 || w.Gname != "tty" || w.Gid != gidTTY {
		t.Errorf("usr/bin/wall: mode %o group %d %s, want setgid tty", w.Mode, w.Gid, w.Gname)
	}

	// bin/[ and bin/test are one file: the first name in order holds the
	// data, the second is a hardlink to it.
	if h := m["./bin/test"].hdr; h.Typeflag != tar.TypeLink || h.Linkname != "./bin/[" {
		t.Errorf("bin/test: type %c link %q, want hardlink to ./bin/[", h.Typeflag, h.Linkname)
	}
	if x := m["./bin/["]; x.hdr.Typeflag != tar.TypeReg || len(x.data) == 0 {
		t.Errorf("bin/[ is not a regular file with data")
	}
	if h := m["./rescue/sh"].hdr; h.Typeflag != tar.TypeLink || !strings.HasPrefix(h.Linkname, "./rescue/") {
		t.Errorf("rescue/sh: type %c link %q, want a hardlink inside rescue", h.Typeflag, h.Linkname)
	}
	for name, target := range map[string]string{
		"./usr/lib/libfetch.so":        "libfetch.so.6",
		"./usr/lib/libz.so":            "../../lib/libz.so.6",
		"./usr/libexec/ld-elf.so.1":    "/libexec/ld-elf.so.1",
		"./sys":                        "usr/src/sys",
		"./etc/os-release":             "../var/run/os-release",
		"./usr/share/zoneinfo/Etc/UTC": "",
	} {
		h := m[name].hdr
		if target == "" {
			if h == nil || h.Typeflag != tar.TypeReg {
				t.Errorf("%s missing", name)
			}
			continue
		}
		if h == nil || h.Typeflag != tar.TypeSymlink || h.Linkname != target {
			t.Errorf("%s: want symlink to %s, got %+v", name, target, h)
		}
	}

	fv := m["./bin/freebsd-version"]
	if fv.hdr.Mode != 0o555 || !bytes.HasPrefix(fv.data, []byte("#!/bin/sh\n")) {
		t.Errorf("bin/freebsd-version: mode %o, want an executable sh script", fv.hdr.Mode)
	}
	if got := userlandLine(fv.data); got != "14.3-RELEASE" {
		t.Errorf("USERLAND_VERSION line gives %q", got)
	}
	fu := m["./usr/sbin/freebsd-update"]
	if fu.hdr.Mode != 0o555 || !bytes.HasPrefix(fu.data, []byte("#!/bin/sh\n")) {
		t.Errorf("usr/sbin/freebsd-update: mode %o, want an executable sh script", fu.hdr.Mode)
	}
	conf := string(m["./etc/freebsd-update.conf"].data)
	for _, line := range []string{"ServerName update.FreeBSD.org", "Components src world kernel", "KeyPrint ", "UpdateIfUnmodified /etc/ /var/ /root/ /.cshrc /.profile", "MergeChanges /etc/ /boot/device.hints"} {
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(line)).MatchString(conf) {
			t.Errorf("freebsd-update.conf lacks %q", line)
		}
	}
	if !strings.Contains(string(m["./etc/hosts"].data), "127.0.0.1\t\tlocalhost localhost.my.domain") {
		t.Error("etc/hosts lacks the localhost line")
	}
	if _, err := time.LoadLocationFromTZData("UTC", m["./usr/share/zoneinfo/UTC"].data); err != nil {
		t.Errorf("usr/share/zoneinfo/UTC is not TZif: %v", err)
	}
	if got := elfMachineOf(m["./bin/ls"].data); got != emX86_64 {
		t.Errorf("bin/ls ELF machine %d, want x86-64", got)
	}
	if !strings.Contains(string(m["./usr/include/osreldate.h"].data), "#define __FreeBSD_version 1403000") {
		t.Error("osreldate.h does not say 1403000")
	}
}

// userlandLine reads the version the way iocage does: the line starting
// with USERLAND_VERSION=, quotes stripped.
func userlandLine(script []byte) string {
	for _, l := range strings.Split(string(script), "\n") {
		if v, ok := strings.CutPrefix(l, "USERLAND_VERSION="); ok {
			return strings.Trim(v, `"`)
		}
	}
	return ""
}

func elfMachineOf(b []byte) uint16 {
	if len(b) < 20 || string(b[:4]) != "\x7fELF" || b[7] != 9 {
		return 0
	}
	return binary.LittleEndian.Uint16(b[18:])
}

func TestFreebsdVersionRuns(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Fatalf("need sh to run the script: %v", err)
	}
	script := filepath.Join(t.TempDir(), "freebsd-version")
	if err := os.WriteFile(script, []byte(freebsdVersionScript("13.4-RELEASE-p2")), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{nil, {"-u"}} {
		out, err := exec.Command(sh, append([]string{script}, args...)...).CombinedOutput()
		if err != nil || string(out) != "13.4-RELEASE-p2\n" {
			t.Errorf("freebsd-version %v: %q, %v", args, out, err)
		}
	}
	out, err := exec.Command(sh, script, "-x").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "usage: freebsd-version [-kru] [-j jail]") {
		t.Errorf("freebsd-version -x: %q, %v; want usage and failure", out, err)
	}
}

func TestFreebsdUpdatePlaceholder(t *testing.T) {
	sbin := filepath.Join(t.TempDir(), "usr", "sbin")
	sim := t.TempDir()
	if err := os.MkdirAll(sbin, 0o755); err != nil {
		t.Fatal(err)
	}
	placeholder := filepath.Join(sbin, "freebsd-update")
	if err := os.WriteFile(placeholder, []byte(freebsdUpdatePlaceholder), 0o555); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(sim, "freebsd-update"), []byte("#!/bin/sh\necho \"simulated $*\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	run := func(path string) (string, error) {
		cmd := exec.Command(placeholder, "-b", "/x", "fetch")
		cmd.Env = []string{"PATH=" + path}
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	// Its own directory first in PATH: it must skip itself.
	if out, err := run(sbin + ":" + sim + ":/usr/bin:/bin"); err != nil || out != "simulated -b /x fetch\n" {
		t.Errorf("with a simulator in PATH: %q, %v", out, err)
	}
	if out, err := run(sbin + ":/usr/bin:/bin"); err == nil || !strings.Contains(out, "no freebsd-update simulator in PATH") {
		t.Errorf("without a simulator: %q, %v", out, err)
	}
}

func TestLib32AndSrc(t *testing.T) {
	dir := fixtureDir(t, "amd64", "14.3-RELEASE")
	lib32 := byName(readSet(t, filepath.Join(dir, "lib32.txz")))
	if _, ok := lib32["./"]; !ok {
		t.Error("lib32.txz has no ./ member")
	}
	for _, f := range []string{"./usr/lib32/libc.so.7", "./libexec/ld-elf32.so.1"} {
		if x, ok := lib32[f]; !ok || elfMachineOf(x.data) != emI386 {
			t.Errorf("%s missing or not i386", f)
		}
	}
	if h := lib32["./usr/lib32/libz.so"].hdr; h == nil || h.Typeflag != tar.TypeSymlink || h.Linkname != "libz.so.6" {
		t.Errorf("usr/lib32/libz.so is not a symlink to libz.so.6")
	}
	for name := range lib32 {
		if name != "./" && !strings.HasPrefix(name, "./usr/") && !strings.HasPrefix(name, "./libexec/") {
			t.Errorf("lib32 member outside usr and libexec: %s", name)
		}
	}

	src := readSet(t, filepath.Join(dir, "src.txz"))
	if src[0].hdr.Name != "usr/src/" {
		t.Errorf("src.txz starts with %q, want usr/src/", src[0].hdr.Name)
	}
	for _, x := range src {
		if !strings.HasPrefix(x.hdr.Name, "usr/src/") {
			t.Errorf("src member outside usr/src: %s", x.hdr.Name)
		}
	}
	sm := byName(src)
	for _, f := range []string{"usr/src/Makefile", "usr/src/COPYRIGHT", "usr/src/etc/Makefile", "usr/src/sys/conf/newvers.sh", "usr/src/bin/freebsd-version/freebsd-version.sh.in"} {
		if _, ok := sm[f]; !ok {
			t.Errorf("%s missing from src.txz", f)
		}
	}
	if !strings.Contains(string(sm["usr/src/sys/conf/newvers.sh"].data), "REVISION=\"14.3\"\nBRANCH=\"RELEASE\"") {
		t.Error("newvers.sh does not name 14.3 RELEASE")
	}
}

func TestManifestMatchesSets(t *testing.T) {
	for _, c := range []struct{ machine, rel string }{{"amd64", "14.3-RELEASE"}, {"amd64", "13.4-RELEASE"}, {"arm64", "14.3-RELEASE"}} {
		dir := fixtureDir(t, c.machine, c.rel)
		raw, err := os.ReadFile(filepath.Join(dir, "MANIFEST"))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
		for _, l := range lines {
			if n := len(strings.Split(l, "\t")); n != 6 {
				t.Errorf("%s: %d tab-separated fields in %q", c.rel, n, l)
			}
		}
		entries, err := ParseManifest(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		var files []string
		for _, e := range entries {
			files = append(files, e.File)
			data, err := os.ReadFile(filepath.Join(dir, e.File))
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(data)
			if hex.EncodeToString(sum[:]) != e.SHA256 {
				t.Errorf("%s %s: sha256 does not match MANIFEST", c.rel, e.File)
			}
			if n := len(readSet(t, filepath.Join(dir, e.File))); n != e.Entries {
				t.Errorf("%s %s: %d members, MANIFEST says %d", c.rel, e.File, n, e.Entries)
			}
			want := map[string]string{
				"base.txz":  "base\tBase system (MANDATORY)\ttrue",
				"lib32.txz": "lib32\t32-bit compatibility libraries\ttrue",
				"src.txz":   "src\tSystem source tree\tfalse",
			}[e.File]
			if got := strings.Join([]string{e.Dist, e.Description, map[bool]string{true: "true", false: "false"}[e.Default]}, "\t"); got != want {
				t.Errorf("%s: fields %q, want %q", e.File, got, want)
			}
		}
		if !slices.Equal(files, []string{"base.txz", "lib32.txz", "src.txz"}) {
			t.Errorf("%s/%s MANIFEST lists %v", c.machine, c.rel, files)
		}
	}
	line := regexp.MustCompile("^base\\.txz\t[0-9a-f]{64}\t[0-9]+\tbase\t\"Base system \\(MANDATORY\\)\"\ton$")
	raw, _ := os.ReadFile(filepath.Join(fixtureDir(t, "amd64", "14.3-RELEASE"), "MANIFEST"))
	if !line.MatchString(strings.Split(string(raw), "\n")[0]) {
		t.Errorf("first MANIFEST line not in the release format: %q", strings.Split(string(raw), "\n")[0])
	}
}

func TestParseManifestRejects(t *testing.T) {
	good := "base.txz\t" + strings.Repeat("a", 64) + "\t12\tbase\t\"Base system (MANDATORY)\"\ton\n"
	if e, err := ParseManifest(strings.NewReader(good)); err != nil || len(e) != 1 || e[0].String()+"\n" != good {
		t.Fatalf("good line: %v %v", e, err)
	}
	for _, bad := range []string{
		"base.txz " + strings.Repeat("a", 64) + " 12 base \"x\" on",
		"base.txz\t" + strings.Repeat("a", 63) + "\t12\tbase\t\"x\"\ton",
		"base.txz\t" + strings.Repeat("A", 64) + "\t12\tbase\t\"x\"\ton",
		"base.txz\t" + strings.Repeat("a", 64) + "\tmany\tbase\t\"x\"\ton",
		"base.txz\t" + strings.Repeat("a", 64) + "\t12\tbase\tx\ton",
		"base.txz\t" + strings.Repeat("a", 64) + "\t12\tbase\t\"x\"\tyes",
		"base.txz\t" + strings.Repeat("a", 64) + "\t12\tbase\t\"x\"\ton\textra",
	} {
		if _, err := ParseManifest(strings.NewReader(bad)); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

func TestArm64AndOverrides(t *testing.T) {
	if got := DefaultSets("arm64", "13.4-RELEASE"); !slices.Equal(got, []string{"base", "src"}) {
		t.Errorf("arm64 13.4 sets %v", got)
	}
	if got := DefaultSets("arm64", "14.3-RELEASE"); !slices.Equal(got, []string{"base", "lib32", "src"}) {
		t.Errorf("arm64 14.3 sets %v", got)
	}
	if got := DefaultSets("i386", "14.3-RELEASE"); !slices.Equal(got, []string{"base", "src"}) {
		t.Errorf("i386 sets %v", got)
	}

	dir := filepath.Join(t.TempDir(), "rel")
	r, err := Build(dir, ReleaseSpec{Name: "13.4-RELEASE", Machine: "arm64", Userland: "13.4-RELEASE-p2", XZ: NoXZ, Sets: []string{"base", "kernel"}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Compressor != "stored" {
		t.Errorf("compressor %q, want stored", r.Compressor)
	}
	xz := systemXZ(t)
	for _, f := range []string{"base.txz", "kernel.txz"} {
		if out, err := exec.Command(xz, "-t", filepath.Join(dir, f)).CombinedOutput(); err != nil {
			t.Errorf("xz -t %s: %v %s", f, err, out)
		}
	}
	base := byName(readSet(t, filepath.Join(dir, "base.txz")))
	if got := userlandLine(base["./bin/freebsd-version"].data); got != "13.4-RELEASE-p2" {
		t.Errorf("USERLAND_VERSION %q", got)
	}
	if got := elfMachineOf(base["./bin/ls"].data); got != emAARCH64 {
		t.Errorf("arm64 bin/ls ELF machine %d", got)
	}
	kernel := byName(readSet(t, filepath.Join(dir, "kernel.txz")))
	if !bytes.Contains(kernel["./boot/kernel/kernel"].data, []byte("@(#)FreeBSD 13.4-RELEASE-p2 GENERIC")) {
		t.Error("kernel lacks its what(1) string")
	}
	entries, _ := ParseManifest(bytes.NewReader(must(os.ReadFile(filepath.Join(dir, "MANIFEST")))))
	if len(entries) != 2 || entries[1].String() != entries[1].File+"\t"+entries[1].SHA256+"\t"+strconv.Itoa(entries[1].Entries)+"\tkernel\t\"Kernel (MANDATORY)\"\ton" {
		t.Errorf("kernel MANIFEST entry: %+v", entries)
	}

	// A rebuild with fewer sets leaves no stale set behind.
	if _, err := Build(dir, ReleaseSpec{Name: "13.4-RELEASE", Machine: "arm64", XZ: NoXZ, Sets: []string{"base"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "kernel.txz")); !os.IsNotExist(err) {
		t.Errorf("kernel.txz left behind: %v", err)
	}

	for _, bad := range []ReleaseSpec{
		{Name: "../x"},
		{Name: "14.3-RELEASE", Machine: "vax"},
		{Name: "14.3-RELEASE", Sets: []string{"doc"}},
		{Name: "14.3-RELEASE", Sets: []string{"src"}, PadBytes: 10},
		{Name: "14.3-RELEASE", Userland: `x"; rm -rf /`},
		{Name: "14.3-RELEASE", Preset: 10},
	} {
		if _, err := Build(filepath.Join(t.TempDir(), "bad"), bad); err == nil {
			t.Errorf("accepted %+v", bad)
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestPadding(t *testing.T) {
	unpadded := must(os.Stat(filepath.Join(fixtureDir(t, "amd64", "14.3-RELEASE"), "base.txz"))).Size()
	for _, compressed := range []bool{false, true} {
		// Compressed filler costs real xz time; keep it small.
		pad := int64(3 << 20)
		if compressed {
			pad = 1 << 20
		}
		dir := filepath.Join(t.TempDir(), "rel")
		r, err := Build(dir, ReleaseSpec{Name: "14.3-RELEASE", Sets: []string{"base"}, PadBytes: pad, PadCompressed: compressed})
		if err != nil {
			t.Fatal(err)
		}
		size := r.Sizes["base.txz"]
		if !compressed && size < pad {
			t.Errorf("stored padding: base.txz is %d bytes, want at least %d", size, pad)
		}
		if grown := size - unpadded; compressed && (grown > pad*3/4 || grown < pad/4) {
			t.Errorf("compressed padding: base.txz grew by %d bytes for %d of filler, want about half", grown, pad)
		}
		ms := readSet(t, filepath.Join(dir, "base.txz"))
		var filler int64
		var files int
		for _, x := range ms {
			if strings.HasPrefix(x.hdr.Name, "./"+fillerDir+"/") && x.hdr.Typeflag == tar.TypeReg {
				filler += int64(len(x.data))
				files++
				if x.hdr.Size > 1<<20 {
					t.Errorf("%s: %d bytes, more than 1 MiB", x.hdr.Name, x.hdr.Size)
				}
			}
		}
		if filler != pad || files < 5 {
			t.Errorf("filler: %d bytes in %d files, want %d bytes in several files", filler, files, pad)
		}
		if r.Manifest[0].Entries != len(ms) {
			t.Errorf("MANIFEST counts %d members, archive has %d", r.Manifest[0].Entries, len(ms))
		}
	}
}

func TestBuildMirrorMissing(t *testing.T) {
	root := t.TempDir()
	spec := MirrorSpec{Releases: []string{"14.3-RELEASE"}, Machines: []string{"amd64", "arm64"}, XZ: NoXZ, Missing: true}
	rels, err := BuildMirror(root, spec)
	if err != nil || len(rels) != 2 {
		t.Fatalf("first build: %d releases, %v", len(rels), err)
	}
	for _, p := range []string{"ftp/releases/amd64/amd64/14.3-RELEASE/MANIFEST", "ftp/releases/arm64/aarch64/14.3-RELEASE/MANIFEST"} {
		if _, err := os.Stat(filepath.Join(root, p)); err != nil {
			t.Error(err)
		}
	}
	if rels, err = BuildMirror(root, spec); err != nil || len(rels) != 0 {
		t.Fatalf("second build rebuilt %d releases, %v", len(rels), err)
	}
	spec.PadBytes = 4096
	if rels, err = BuildMirror(root, spec); err != nil || len(rels) != 2 {
		t.Fatalf("build with new padding rebuilt %d releases, %v", len(rels), err)
	}
	if err := os.Remove(filepath.Join(root, "ftp/releases/arm64/aarch64/14.3-RELEASE/src.txz")); err != nil {
		t.Fatal(err)
	}
	if rels, err = BuildMirror(root, spec); err != nil || len(rels) != 1 || rels[0].Spec.Machine != "arm64" {
		t.Fatalf("build after losing a set rebuilt %d releases, %v", len(rels), err)
	}
}
