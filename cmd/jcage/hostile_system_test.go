package main

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"testing"

	"github.com/jcage/jcage/internal/testworld/mirror"
	"github.com/jcage/jcage/internal/testworld/world"
)

// minHostile is the least number of hostile inputs the suite drives
// through the binary.
const minHostile = 150

// hostileCase is one refused input and the command line that gives it.
// A noisy case is a fetch that reports along the way, as iocage does,
// before its one error line: a retried attempt ("...; retrying in D
// (attempt N of M)"), a set that failed verification and is fetched
// again, a set MANIFEST does not list. Only those lines may come first.
// Noisy cases are not counted toward minHostile.
type hostileCase struct {
	name  string
	args  []string
	noisy bool
}

// TestSystemHostileInputs drives hostile names, property values, fstab
// lines, archives, MANIFESTs and mirrors through the real binary on one
// pool. Each must be refused with a non-zero exit and exactly one line on
// stderr (no panic, no stack, no dump), and leave the iocage tree byte for
// byte as it was: every file's path, mode, owner, content and link target,
// and every dataset and snapshot with its origin, mountpoint and readonly.
func TestSystemHostileInputs(t *testing.T) {
	m := testMirror(t)
	w := world.New(t)
	w.Must("activate", w.Pool.Name)
	w.Setenv(retryDelayEnv, "1ms")
	const rel = "14.3-RELEASE"
	w.LayRelease(rel)
	w.Must("create", "-r", rel, "-n", "web")
	w.Must("create", "-r", rel, "-n", "tpl")
	w.Must("set", "template=yes", "tpl")
	ioc := w.IOCRoot()
	webRoot := filepath.Join(ioc, "jails/web/root")
	for _, d := range []string{"media", "srv/data"} {
		if err := os.MkdirAll(filepath.Join(webRoot, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// What root in the jail prepared: links out of the root.
	for link, target := range map[string]string{"mnt": "/etc", "srv/up": "../../../..", "media/abs": "/"} {
		if err := os.Symlink(target, filepath.Join(webRoot, link)); err != nil {
			t.Fatal(err)
		}
	}
	// Jails an iocage host may already hold under names jcage no longer
	// gives out: they work, but do not become templates.
	long := strings.Repeat("l", 64)
	for _, n := range []string{".dot", long} {
		w.LayJail(n, nil)
	}
	src := t.TempDir()

	cases := hostileNames(rel)
	cases = append(cases, hostileProps(rel)...)
	cases = append(cases, hostileFstab(src)...)
	cases = append(cases, hostileImports(t, w, rel)...)
	cases = append(cases, hostileFetches(t, w, m.URL)...)
	cases = append(cases, hostileMirror(t, w)...)
	cases = append(cases,
		hostileCase{name: "template from .dot", args: []string{"set", "template=yes", ".dot"}},
		hostileCase{name: "template from a 64-byte name", args: []string{"set", "template=yes", long}},
	)

	base := poolState(t, w)
	seen := map[string]bool{}
	strict := 0
	for _, c := range cases {
		if seen[c.name] {
			t.Fatalf("case %q twice", c.name)
		}
		seen[c.name] = true
		if !c.noisy {
			strict++
		}
		t.Run(c.name, func(t *testing.T) {
			r := w.Jcage(c.args...)
			t.Logf("exit %d: %q", r.Code, r.Stderr)
			if why := badRefusal(r, c.noisy); why != "" {
				t.Errorf("jcage %q: %s\ncode %d\nstdout %q\nstderr %q", c.args, why, r.Code, r.Stdout, r.Stderr)
			}
			if now := poolState(t, w); now != base {
				t.Errorf("jcage %q changed the tree:\n%s", c.args, lineDiff(base, now))
				base = now
			}
		})
	}
	t.Logf("%d hostile inputs refused in one line, %d noisy fetch faults", strict, len(cases)-strict)
	if strict < minHostile {
		t.Fatalf("%d hostile inputs, want at least %d", strict, minHostile)
	}
}

// progressLine is what fetch may report before its error line.
var progressLine = regexp.MustCompile(`(?m)^(.*; retrying in [0-9.]+[mµn]?s \(attempt [0-9]+ of [0-9]+\)|[a-z0-9]+\.txz (failed verification, will redownload|missing from MANIFEST, refusing to extract)!)\n`)

// badRefusal says what is wrong with a refusal, or "".
func badRefusal(r world.Result, noisy bool) string {
	if noisy {
		last := strings.LastIndexByte(strings.TrimSuffix(r.Stderr, "\n"), '\n') + 1
		if rest := progressLine.ReplaceAllString(r.Stderr[:last], ""); rest != "" {
			return fmt.Sprintf("lines before the error that are not progress: %q", rest)
		}
		r.Stderr = r.Stderr[last:]
	}
	switch {
	case r.Code == 0:
		return "accepted"
	case r.Code != 1:
		return fmt.Sprintf("exit %d, want 1", r.Code)
	case strings.Contains(r.Stderr, "panic") || strings.Contains(r.Stderr, "goroutine "):
		return "a panic"
	case strings.Count(r.Stderr, "\n") != 1 || !strings.HasSuffix(r.Stderr, "\n"):
		return "not exactly one line on stderr"
	case strings.TrimSpace(r.Stderr) == "":
		return "an empty error line"
	case strings.Contains(r.Stdout, "panic") || strings.Contains(r.Stdout, "goroutine "):
		return "a panic on stdout"
	}
	return ""
}

// poolState describes the iocage tree and the pool: each file's path,
// mode, owner, sha256 and link target, then each dataset and snapshot.
func poolState(t *testing.T, w *world.World) string {
	t.Helper()
	var lines []string
	root := w.IOCRoot()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		st := fi.Sys().(*syscall.Stat_t)
		desc := fmt.Sprintf("%s %v %d:%d", rel, fi.Mode(), st.Uid, st.Gid)
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			l, err := os.Readlink(p)
			if err != nil {
				return err
			}
			desc += " -> " + l
		case fi.Mode().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(b)
			desc += " " + hex.EncodeToString(sum[:])
		}
		lines = append(lines, desc)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(lines)
	// Not the pool's active mark: other tests' activate sets it to no.
	return strings.Join(lines, "\n") + "\n" +
		w.ZFS("list", "-H", "-o", "name,origin,mountpoint,readonly", "-t", "filesystem,snapshot", "-r", w.Pool.Name)
}

// label names a case by its input: quoted, and cut with its length when
// long.
func label(s string) string {
	if len(s) <= 32 {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("%.32q.../%d", s, len(s))
}

// lineDiff lists the lines only one of a and b holds.
func lineDiff(a, b string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	ma, mb := in(a), in(b)
	var out []string
	for l := range ma {
		if !mb[l] {
			out = append(out, "- "+l)
		}
	}
	for l := range mb {
		if !ma[l] {
			out = append(out, "+ "+l)
		}
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}

// badNames are names no new jail or template may take.
var badNames = []string{
	// reserved
	"ALL", "default", "help", "none", "iocage", "download", "images", "jails", "log", "releases", "templates",
	// flags and hidden names
	"-", "--", "-n", "-r", "--help", "-rf", ".", "..", "...", ".hidden", ".git",
	// climbing out
	"a..b", "x..", "../x", "../../etc", "a/b", "/etc", "a/../b", "..%2f",
	// the kernel's limit (host.hostuuid < 64 bytes) and far beyond
	strings.Repeat("n", 64), strings.Repeat("a", 251), strings.Repeat("b", 4096),
	// characters a name cannot hold
	"", "a b", "a\tb", "a\nb", "a\rb", "a\x1b[31mred", "wä", "日本", "a;b", "$(id)", "`id`", "a|b", "a&b",
	"a>b", "a<b", "a*", "a?", "a[1]", "a:b", "a@b", "a%b", "a,b", "a=b", `a\b`, "a'b", `a"b`, "a#b", "a~",
	"a{b}", "a!b", "\u00a0", "a\u200bb",
}

func hostileNames(rel string) []hostileCase {
	var out []hostileCase
	for _, n := range badNames {
		out = append(out, hostileCase{name: "create -n " + label(n), args: []string{"create", "-r", rel, "--name=" + n}})
	}
	for _, n := range []string{"ALL", "templates", "-n", ".hidden", "a..b", strings.Repeat("n", 64), "a\nb", "../x"} {
		out = append(out,
			hostileCase{name: "clone -n " + label(n), args: []string{"clone", "web", "--name=" + n}},
			hostileCase{name: "rename to " + label(n), args: []string{"rename", "web", "--", n}},
		)
	}
	for _, n := range []string{"default", "-x", ".hidden", "a..b", strings.Repeat("t", 64)} {
		out = append(out, hostileCase{name: "create template=yes -n " + label(n), args: []string{"create", "-r", rel, "--name=" + n, "template=yes"}})
	}
	for _, n := range []string{"ALL", "-x", "a..b", ".p", strings.Repeat("p", 64)} {
		out = append(out, hostileCase{name: "fetch -P -n " + label(n), args: []string{"fetch", "-P", "plex", "--name=" + n}})
	}
	out = append(out,
		hostileCase{name: "create -c 2 past the limit", args: []string{"create", "-r", rel, "-c", "2", "--name=" + strings.Repeat("c", 62)}},
		hostileCase{name: "create -c 3 reserved stem", args: []string{"create", "-r", rel, "-c", "3", "--name=-c"}},
		hostileCase{name: "create -t missing template", args: []string{"create", "-t", "ALL", "--name=fromall"}},
		hostileCase{name: "create -t climbing template", args: []string{"create", "-t", "../jails/web", "--name=climb"}},
	)
	return out
}

func hostileProps(rel string) []hostileCase {
	sets := []string{
		// the property name
		"=value", "=", "==x", "=a\nb", "notes", "nonsense=1", "no\ntes=x", "notes\x1b=x", "../notes=x",
		// read-only and default-only properties
		"host_hostuuid=evil", "release=15.0-RELEASE", "cloned_release=x", "type=template", "jid=1", "state=up",
		"CONFIG_VERSION=1", "origin=tank/x", "mountpoint=/", "basejail=1", "nat_prefix=10.0", "last_started=x",
		// resolver: only none, the host's file, /dev/null or resolv.conf lines
		"resolver=/etc/shadow", "resolver=/etc/master.passwd", "resolver=/dev/zero", "resolver=../../etc/shadow",
		"resolver=/etc/resolv.conf/../shadow", "resolver=NONE", "resolver=nameserver 1.1.1.1\nnameserver 6.6.6.6",
		"resolver=nameserver 1.1.1.1\r", "resolver=include /etc/shadow", "resolver=nameserver evil.example",
		"resolver=search", "resolver=search " + strings.Repeat("s", 2000), "resolver=options \x1b[2J", "resolver=;;;",
		// jail_zfs_dataset: below the pool, and only the jail's own in the tree
		"jail_zfs_dataset=../../other", "jail_zfs_dataset=/otherpool/x", "jail_zfs_dataset=iocage",
		"jail_zfs_dataset=iocage/jails", "jail_zfs_dataset=iocage/jails/tpl/data", "jail_zfs_dataset=iocage/jails/web/root",
		"jail_zfs_dataset=iocage/jails/web", "jail_zfs_dataset=iocage/releases/" + rel + "/root",
		"jail_zfs_dataset=a//b", "jail_zfs_dataset=a/./b", "jail_zfs_dataset=tank/a@snap", "jail_zfs_dataset=tank/a#b",
		"jail_zfs_dataset=ok iocage/download",
		// free text: one line, capped
		"notes=a\nb", "notes=\x1b]0;owned\x07", "notes=a\rb", "notes=a\tb", "notes=" + strings.Repeat("n", 1025),
		"notes=" + strings.Repeat("n", 100<<10), "notes=caf\xe9", "comment=x\ny", "owner=root\n", "login_flags=-f\nroot",
		"exec_jail_user=root\r", "exec_system_user=\x7f", "plugin_name=p\x1b", "plugin_repository=" + strings.Repeat("r", 2000),
		// one-line refusals iocage words
		"ip4_addr=em0|10.0.0.256/24", "ip4_addr=|10.0.0.5", "ip6_addr=10.0.0.1", "devfs_ruleset=abc", "devfs_ruleset=-1",
		"nat_forwards=tcp(0)", "nat_forwards=tcp(80\n)", "quota=10", "reservation=lots", "vnet0_mac=0ec47a8d2b01",
		"mac_prefix=01ff60", "memoryuse=8G:deny", "pcpu=deny=50m", "cputime=deny=10", "memoryuse=throttle=1",
		"localhost_ip=::1", "vnet_default_interface=em0\nem1",
	}
	var out []hostileCase
	for _, a := range sets {
		out = append(out, hostileCase{name: "set " + label(a), args: []string{"set", a, "web"}})
	}
	for _, a := range []string{"resolver=/etc/shadow", "jail_zfs_dataset=x", "template=1", "notes=a\nb", "=x", "host_hostuuid=x"} {
		out = append(out, hostileCase{name: "set " + label(a) + " default", args: []string{"set", a, "default"}})
	}
	for _, a := range []string{"resolver=/etc/shadow", "jail_zfs_dataset=../../x", "jail_zfs_dataset=iocage", "notes=a\nb", "=x",
		"host_hostuuid=x", "release=x", "notes=" + strings.Repeat("n", 2048)} {
		out = append(out, hostileCase{name: "create with " + label(a), args: []string{"create", "-r", rel, "--name=newjail", a}})
	}
	return out
}

func hostileFstab(src string) []hostileCase {
	lines := [][]string{
		{src, "/mnt"}, {src, "/mnt/ssh"}, {src, "/srv/up"}, {src, "/srv/up/etc"}, {src, "/media/abs/etc"},
		{src, "/../../etc"}, {src, "/media/../../../etc"}, {src, "relative/dir"}, {src, ""},
		{src, "/mnt", "nullfs", "rw", "0", "0"}, {src, "/srv/up/tmp", "nullfs", "ro", "0", "0"},
		{"relative/src", "/media"}, {src, "/media\n/etc"}, {src, "/media", "nullfs\n", "ro", "0", "0"},
	}
	var out []hostileCase
	for _, l := range lines {
		out = append(out, hostileCase{name: "fstab -a " + label(strings.Join(l[1:], " ")), args: append([]string{"fstab", "-a", "web"}, l...)})
	}
	return out
}

// hostileImports lays crafted archives in images/ and returns the imports
// that must refuse them.
func hostileImports(t *testing.T, w *world.World, rel string) []hostileCase {
	t.Helper()
	images := filepath.Join(w.IOCRoot(), "images")
	const date = "2026-01-02"
	lay := func(name string, members map[string][]byte, order []string, sum string) {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for _, n := range order {
			fw, err := zw.CreateHeader(&zip.FileHeader{Name: n, Method: zip.Store})
			if err != nil {
				t.Fatal(err)
			}
			fw.Write(members[n])
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		writeArchive(t, filepath.Join(images, name+"_"+date+".zip"), buf.Bytes(), sum)
	}
	stream := []byte("not a zfs stream")
	var out []hostileCase
	memberSets := map[string][]string{
		"slip":      {"iocage/images/hza_" + date, "../../../../etc/hza_" + date + "_root"},
		"absolute":  {"/iocage/images/hzb_" + date},
		"dotdot":    {"iocage/images/hzc_" + date, "iocage/images/hzc_" + date + "_.."},
		"foreign":   {"iocage/images/hzd_" + date, "iocage/images/other_" + date + "_root"},
		"twice":     {"iocage/images/hze_" + date, "x/hze_" + date},
		"noparent":  {"iocage/images/hzf_" + date + "_root"},
		"backslash": {"iocage/images/hzg_" + date, `iocage\images\hzg_` + date + "_root"},
		"empty":     {"iocage/images/hzh_" + date, ""},
		"nul":       {"iocage/images/hzi_" + date, "iocage/images/hzi_" + date + "_ro\x00ot"},
		"dotslash":  {"iocage/images/hzj_" + date, "iocage/images/hzj_" + date + "_./root"},
		"garbage":   {"iocage/images/hzk_" + date},
	}
	jails := map[string]string{"slip": "hza", "absolute": "hzb", "dotdot": "hzc", "foreign": "hzd", "twice": "hze",
		"noparent": "hzf", "backslash": "hzg", "empty": "hzh", "nul": "hzi", "dotslash": "hzj", "garbage": "hzk"}
	for kind, names := range memberSets {
		members := map[string][]byte{}
		for _, n := range names {
			members[n] = stream
		}
		lay(jails[kind], members, names, "")
		out = append(out, hostileCase{name: "import members " + kind, args: []string{"import", jails[kind]}})
	}
	// The archive itself: tampered, unverified, not a zip.
	lay("hzl", map[string][]byte{"iocage/images/hzl_" + date: stream}, []string{"iocage/images/hzl_" + date}, strings.Repeat("0", 64))
	lay("hzm", map[string][]byte{"iocage/images/hzm_" + date: stream}, []string{"iocage/images/hzm_" + date}, "not a sum")
	lay("hzn", map[string][]byte{"iocage/images/hzn_" + date: stream}, []string{"iocage/images/hzn_" + date}, "")
	os.Remove(filepath.Join(images, "hzn_"+date+".sha256"))
	writeArchive(t, filepath.Join(images, "hzo_"+date+".zip"), []byte("PK\x03\x04 this is not a zip"), "")
	writeArchive(t, filepath.Join(images, "hzp_"+date+".zip"), nil, "")
	writeArchive(t, filepath.Join(images, "hzq_not-a-date.zip"), []byte("PK"), "")
	out = append(out,
		hostileCase{name: "import tampered", args: []string{"import", "hzl"}},
		hostileCase{name: "import bad sha256 file", args: []string{"import", "hzm"}},
		hostileCase{name: "import without sha256 file", args: []string{"import", "hzn"}},
		hostileCase{name: "import not a zip", args: []string{"import", "hzo"}},
		hostileCase{name: "import empty file", args: []string{"import", "hzp"}},
		hostileCase{name: "import not NAME_DATE", args: []string{"import", "hzq"}},
		hostileCase{name: "import missing", args: []string{"import", "hzz"}},
		hostileCase{name: "import a directory path", args: []string{"import", "-p", "/etc", "hza"}},
	)
	// Names iocage would have imported.
	for _, n := range []string{"default", ".hidden", "a..b", strings.Repeat("i", 64), "templates"} {
		root := "iocage/images/" + n + "_" + date
		lay(n, map[string][]byte{root: stream}, []string{root}, "")
		out = append(out, hostileCase{name: "import named " + label(n), args: []string{"import", n}})
	}
	// A real jail whose config hands the iocage tree to the jail.
	w.LayJail("hzr", map[string]any{"jail_zfs_dataset": "iocage"})
	w.Must("export", "hzr")
	w.Must("destroy", "-f", "hzr")
	w.LayJail("hzs", map[string]any{"jail_zfs_dataset": "iocage/jails/web/root ../../x"})
	w.Must("export", "hzs")
	w.Must("destroy", "-f", "hzs")
	out = append(out,
		hostileCase{name: "import config jail_zfs_dataset=iocage", args: []string{"import", "hzr"}},
		hostileCase{name: "import config jail_zfs_dataset of another jail", args: []string{"import", "hzs"}},
	)
	return out
}

// downloadDataset makes POOL/iocage/download/REL as an earlier fetch
// leaves it. A refused fetch must leave it as it was (no MANIFEST, no
// set); and a fetch that finds it there makes and destroys no dataset,
// which spares zfs-fuse a create and destroy per case.
func downloadDataset(w *world.World, rel string) {
	w.ZFS("create", w.Pool.Name+"/iocage/download/"+rel)
}

// hostileFetches points fetch at bad release names, misbehaving mirrors
// and local releases with hostile MANIFESTs.
func hostileFetches(t *testing.T, w *world.World, url string) []hostileCase {
	t.Helper()
	for _, r := range []string{"14.2-RELEASE", "14.0-RELEASE"} {
		downloadDataset(w, r)
	}
	var out []hostileCase
	for _, r := range []string{"ALL", "..", "../../etc", "-", "14.3-RELEASE/../x", "14.3-RELEASE\n", "x", "14", "/14.3-RELEASE", ".14.3"} {
		out = append(out, hostileCase{name: fmt.Sprintf("fetch -r %q", r), args: []string{"fetch", "-s", url, "-NU", "--release=" + r}})
	}
	// The mirror's sets are missing: the MANIFEST is good, so the fetch
	// gets as far as the download dataset, which it makes and must take
	// away again (14.1-RELEASE has none; an existing one keeps the
	// mirror's new MANIFEST, as a download cache may).
	out = append(out, hostileCase{name: "fetch from mirror " + mirror.Corrupt404,
		args: []string{"fetch", "-s", url + mirror.CorruptPrefix(mirror.Corrupt404), "-NU", "-r", "14.1-RELEASE"}})
	out = append(out, hostileCase{name: "fetch from mirror " + mirror.CorruptNoManifest,
		args: []string{"fetch", "-s", url + mirror.CorruptPrefix(mirror.CorruptNoManifest), "-NU", "-r", "14.2-RELEASE"}})
	out = append(out,
		hostileCase{name: "fetch missing release", args: []string{"fetch", "-s", url, "-NU", "-r", "14.0-RELEASE"}},
		hostileCase{name: "fetch from a closed port", args: []string{"fetch", "-s", "http://127.0.0.1:1", "-NU", "-r", "14.2-RELEASE"}, noisy: true},
		hostileCase{name: "fetch from file:", args: []string{"fetch", "-s", "file:///etc", "-NU", "-r", "14.2-RELEASE"}, noisy: false},
		hostileCase{name: "fetch from ftp:", args: []string{"fetch", "-s", "ftp://127.0.0.1", "-NU", "-r", "14.2-RELEASE"}, noisy: false},
		hostileCase{name: "fetch from gopher: with a newline", args: []string{"fetch", "-s", "gopher://x\n", "-NU", "-r", "14.2-RELEASE"}, noisy: false},
	)
	dir := t.TempDir()
	manifests := map[string]string{
		"empty":    "",
		"no tab":   "base.txz 0123\n",
		"bad sum":  "base.txz\tnot-a-sum\t1\tbase\tBase\ton\n",
		"climbing": "../../etc/passwd\t" + strings.Repeat("a", 64) + "\t1\tbase\tBase\ton\n",
		"absolute": "/etc/passwd\t" + strings.Repeat("a", 64) + "\t1\tbase\tBase\ton\n",
		"dotdot":   "..\t" + strings.Repeat("a", 64) + "\t1\tbase\tBase\ton\n",
		"html":     "<html><body>404 Not Found</body></html>\n",
		"huge":     strings.Repeat("x", 2<<20),
	}
	i := 0
	for kind, body := range manifests {
		i++
		r := fmt.Sprintf("14.%d-RELEASE", 10+i)
		d := filepath.Join(dir, r)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "MANIFEST"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "base.txz"), []byte("not xz"), 0o644); err != nil {
			t.Fatal(err)
		}
		downloadDataset(w, r)
		out = append(out, hostileCase{name: "fetch local MANIFEST " + kind, args: []string{"fetch", "-f", "-d", dir, "-r", r}})
	}
	downloadDataset(w, "14.99-RELEASE")
	out = append(out, hostileCase{name: "fetch local without MANIFEST", args: []string{"fetch", "-f", "-d", dir, "-r", "14.99-RELEASE"}})
	if err := os.MkdirAll(filepath.Join(dir, "14.99-RELEASE"), 0o755); err != nil {
		t.Fatal(err)
	}
	return out
}

// hostileMirror serves releases whose MANIFEST or sets are hostile, and
// HTTP answers a mirror should not give, under /h/REL/FILE.
func hostileMirror(t *testing.T, w *world.World) []hostileCase {
	t.Helper()
	sum := strings.Repeat("a", 64)
	manifests := map[string]string{
		"html":      "<html><body>It works!</body></html>\n",
		"climbing":  "../../../etc/passwd\t" + sum + "\t1\tbase\tBase\ton\n",
		"backslash": `..\..\base.txz` + "\t" + sum + "\t1\tbase\tBase\ton\n",
		"bad sum":   "base.txz\t" + strings.Repeat("z", 64) + "\t1\tbase\tBase\ton\n",
		"short sum": "base.txz\t" + sum[:63] + "\t1\tbase\tBase\ton\n",
		"empty":     "",
		"blank":     "\n\n\t\n",
		"nul":       "base.txz\x00\t" + sum + "\n",
		"huge":      strings.Repeat("#", 2<<20),
	}
	status := map[string]int{"403": 403, "410": 410, "401": 401, "418": 418}
	var rels []string
	kinds := map[string]string{}
	i := 0
	add := func(kind string) string {
		i++
		r := fmt.Sprintf("14.%d-RELEASE", 40+i)
		downloadDataset(w, r)
		rels = append(rels, r)
		kinds[r] = kind
		return r
	}
	var out []hostileCase
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
		if len(parts) == 1 && parts[0] == "h" {
			for _, rel := range rels {
				fmt.Fprintf(w, "<a href=\"%s/\">%s/</a>\n", rel, rel)
			}
			return
		}
		if len(parts) != 3 || parts[0] != "h" {
			http.NotFound(w, r)
			return
		}
		kind, file := kinds[parts[1]], parts[2]
		switch {
		case status[kind] != 0:
			w.WriteHeader(status[kind])
		case kind == "redirect to file:":
			http.Redirect(w, r, "file:///etc/master.passwd", http.StatusFound)
		case kind == "redirect loop":
			http.Redirect(w, r, r.URL.Path, http.StatusFound)
		case kind == "redirect to another host":
			http.Redirect(w, r, "http://127.0.0.1:1/x", http.StatusFound)
		case kind == "500":
			w.WriteHeader(500)
		case file == "MANIFEST":
			body, ok := manifests[kind]
			if !ok {
				body = "base.txz\t" + sum + "\t1\tbase\tBase\ton\n"
			}
			io.WriteString(w, body)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	for kind := range manifests {
		out = append(out, hostileCase{name: "fetch MANIFEST " + kind, args: []string{"fetch", "-s", srv.URL, "-d", "h", "-NU", "-r", add(kind)}})
	}
	for kind := range status {
		out = append(out, hostileCase{name: "fetch answered " + kind, args: []string{"fetch", "-s", srv.URL, "-d", "h", "-NU", "-r", add(kind)}, noisy: false})
	}
	for _, kind := range []string{"redirect to file:", "redirect loop", "redirect to another host", "500"} {
		out = append(out, hostileCase{name: "fetch answered " + kind, args: []string{"fetch", "-s", srv.URL, "-d", "h", "-NU", "-r", add(kind)}, noisy: true})
	}
	return out
}
