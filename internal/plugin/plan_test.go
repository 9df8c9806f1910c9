package plugin

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jcage/jcage/internal/testworld/mirror"
)

func TestParseIndex(t *testing.T) {
	ix, err := ParseIndex([]byte(mirror.PluginIndexFiles("14.3-RELEASE")["INDEX"].Body))
	if err != nil {
		t.Fatal(err)
	}
	if len(ix) != 3 || ix[0].ID != "hello" || ix[1].ID != "hostile" || ix[2].ID != "notes" {
		t.Fatalf("%+v", ix)
	}
	n := ix[2]
	if n.Manifest != "notes.json" || n.Name != "notes" || n.Official || n.PrimaryPkg != "notesd" || n.Category != "productivity" ||
		n.License != mirror.MirrorToken+"/licenses/notes.txt" || n.Icon != "https://example.invalid/notes.png" {
		t.Fatalf("%+v", n)
	}
	if e, ok := ix.Lookup("notes"); !ok || e.ID != "notes" {
		t.Fatal("lookup by id")
	}
	if _, err := ParseIndex([]byte(`{"x": {"MANIFEST": "../../etc/passwd"}}`)); err == nil {
		t.Fatal("a MANIFEST outside the index was accepted")
	}
	if _, err := ParseIndex([]byte(`[]`)); err == nil {
		t.Fatal("a list was accepted")
	}
}

func TestCloneDirAndBranch(t *testing.T) {
	if got := CloneDir("/iocage", DefaultRepository); got != "/iocage/.plugins/github_com_freenas_iocage-ix-plugins_git" {
		t.Fatal(got)
	}
	for in, want := range map[string]string{"14.3-RELEASE-p2": "14.3-RELEASE", "13.2-RELEASE": "13.2-RELEASE", "15-CURRENT": "15.0-RELEASE"} {
		if got := DefaultBranch(in); got != want {
			t.Fatalf("%s: %s", in, got)
		}
	}
	if got := ExpandABI("http://pkg.FreeBSD.org/${ABI}/latest", "13.2-RELEASE"); got != "http://pkg.FreeBSD.org/FreeBSD:13:amd64/latest" {
		t.Fatal(got)
	}
}

func TestPackagesiteVersions(t *testing.T) {
	yaml := `{"name":"plexmediaserver","version":"1.32.5.7349,1","path":"All/plexmediaserver-1.32.5.7349,1.txz"}
{"name":"nginx","version":"1.26.2_1,3","path":"All/nginx-1.26.2_1,3.txz"}
{"name":"newer","version":"2.0","path":"All/newer-2.0.pkg"}
`
	got, err := ParsePackagesite(strings.NewReader(yaml))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Version{
		"plexmediaserver": {"1.32.5.7349", "0", "1"},
		"nginx":           {"1.26.2", "1", "3"},
	}
	if len(got) != len(want) {
		t.Fatalf("%v", got)
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("%s: %+v, want %+v", k, got[k], v)
		}
	}
	txz, err := mirror.Packagesite("14")
	if err != nil {
		t.Fatal(err)
	}
	if len(txz) == 0 {
		t.Fatal("empty packagesite")
	}
}

func fixtureManifest(t *testing.T, id string) *Manifest {
	t.Helper()
	m, err := ParseManifest([]byte(mirror.PluginIndexFiles("14.3-RELEASE")[id+".json"].Body))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func renderPlan(p *Plan) string {
	var b strings.Builder
	fmt.Fprintf(&b, "name: %s\nplugin: %s\nrelease: %s\nmanifest copy: %s\nsecure: %v\nartifact: %s\n", p.Name, p.Plugin, p.Release, p.ManifestFile, p.Secure, p.Artifact)
	for _, s := range p.Props {
		fmt.Fprintf(&b, "prop: %s\n", s)
	}
	for _, k := range p.Kmods {
		fmt.Fprintf(&b, "kldload -n %s\n", k)
	}
	for _, d := range p.Dirs {
		fmt.Fprintf(&b, "mkdir: %s\n", d)
	}
	for _, f := range p.Files {
		fmt.Fprintf(&b, "file: %s\n%s---\n", f.Path, f.Body)
	}
	fmt.Fprintf(&b, "packages: %s\n", strings.Join(p.Packages, " "))
	return b.String()
}

// The install plan of each fixture plugin, golden.
func TestPlanInstallGolden(t *testing.T) {
	taken := map[string]bool{"hello": true, "hello_1": true}
	cases := []struct {
		id   string
		req  InstallRequest
		file string
	}{
		{"hello", InstallRequest{Plugin: "hello", Repository: "http://127.0.0.1:1/git/iocage-ix-plugins.git", Userland: "14.3-RELEASE-p1",
			Taken: func(n string) bool { return taken[n] }}, "plan-hello.golden"},
		{"notes", InstallRequest{Plugin: "notes", Repository: DefaultRepository, Name: "mynotes", Userland: "14.3-RELEASE-p1",
			Props: []string{"ip4_addr=vnet0|192.168.0.50/24", "boot=0", "notes=a=b"}}, "plan-notes.golden"},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			p, err := PlanInstall(fixtureManifest(t, c.id), c.req)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, c.file, renderPlan(p))
		})
	}
}

func TestMergeProps(t *testing.T) {
	manifest := []Prop{{"nat", "1"}, {"nat_forwards", "tcp(80:8080)"}, {"allow_raw_sockets", "1"}}
	cases := []struct {
		user []string
		want string
	}{
		{nil, "vnet=1 boot=1 nat=1 nat_forwards=tcp(80:8080) allow_raw_sockets=1"},
		// dhcp from the user: the manifest's nat is not added too.
		{[]string{"dhcp=1"}, "vnet=1 boot=1 dhcp=1 nat_forwards=tcp(80:8080) allow_raw_sockets=1"},
		// A disabled network option from the user does not count.
		{[]string{"dhcp=0"}, "vnet=1 boot=1 dhcp=0 nat=1 nat_forwards=tcp(80:8080) allow_raw_sockets=1"},
		{[]string{"nat=0", "ip4_addr=em0|10.0.0.9/24", "vnet=0"}, "vnet=0 boot=1 nat=0 ip4_addr=em0|10.0.0.9/24 nat_forwards=tcp(80:8080) allow_raw_sockets=1"},
	}
	for _, c := range cases {
		got, err := MergeProps(manifest, c.user)
		if err != nil {
			t.Fatal(err)
		}
		var s []string
		for _, p := range got {
			s = append(s, p.Key+"="+p.Value)
		}
		if strings.Join(s, " ") != c.want {
			t.Fatalf("%v: %s, want %s", c.user, strings.Join(s, " "), c.want)
		}
	}
	if _, err := MergeProps(nil, []string{"novalue"}); err == nil {
		t.Fatal("a property without = was accepted")
	}
}

func TestPlanRefusals(t *testing.T) {
	m := fixtureManifest(t, "hello")
	m.Properties = nil
	if _, err := PlanInstall(m, InstallRequest{Plugin: "hello"}); !errors.Is(err, ErrNoNetwork) {
		t.Fatalf("no network: %v", err)
	}
	if _, err := PlanInstall(m, InstallRequest{Plugin: "hello", Props: []string{"nat=1", "ip4_addr=none"}}); err != nil {
		t.Fatalf("nat is a network: %v", err)
	}
	bad := fixtureManifest(t, "hello")
	bad.Repos[0].Name = "../../../etc"
	if _, err := PlanInstall(bad, InstallRequest{Plugin: "hello"}); err == nil {
		t.Fatal("a repository name with slashes was accepted")
	}
	bad = fixtureManifest(t, "hello")
	bad.Packagesite = "http://x\"\nevil: yes"
	if _, err := PlanInstall(bad, InstallRequest{Plugin: "hello"}); err == nil {
		t.Fatal("a packagesite that breaks the repo file was accepted")
	}
	bad = fixtureManifest(t, "hello")
	bad.Kmods = []string{"-v"}
	if _, err := PlanInstall(bad, InstallRequest{Plugin: "hello"}); err == nil {
		t.Fatal("a kmod that is an option was accepted")
	}
}

func TestAdminPortals(t *testing.T) {
	if got := AdminPortals("http://%%IP%%/", PortalAddrs("vnet0|192.168.0.50/24,vnet1|10.0.0.2/8"), false, ""); got != "http://192.168.0.50/,http://10.0.0.2/" {
		t.Fatal(got)
	}
	if got := AdminPortals("http://%%IP%%/web,https://%%IP%%:8443/", []string{"172.16.0.1"}, true, "tcp(80:8080),8443"); got != "http://172.16.0.1:8080/web,https://172.16.0.1:8443/" {
		t.Fatal(got)
	}
	if got := AdminPortals("http://%%IP%%/", PortalAddrs("DHCP"), false, ""); got != "http://DHCP/" {
		t.Fatal(got)
	}
}

// The overlay lands in the jail root; its symlinks stay symlinks; a
// symlink the jail holds never carries a write out of the root.
func TestCopyOverlayConfined(t *testing.T) {
	tmp := t.TempDir()
	host := filepath.Join(tmp, "hostetc")
	os.MkdirAll(host, 0o755)
	os.WriteFile(filepath.Join(host, "passwd"), []byte("root:host\n"), 0o644)
	overlay := filepath.Join(tmp, "overlay")
	for p, body := range map[string]string{"usr/local/etc/app.conf": "a=1\n", "etc/motd": "hi\n", "var/evil/x": "x\n", "replaced/passwd": "jail\n"} {
		os.MkdirAll(filepath.Join(overlay, filepath.Dir(p)), 0o755)
		os.WriteFile(filepath.Join(overlay, p), []byte(body), 0o640)
	}
	os.Symlink(host, filepath.Join(overlay, "hostlink"))
	os.Symlink("../../../../..", filepath.Join(overlay, "etc/up"))

	root := filepath.Join(tmp, "root")
	os.MkdirAll(filepath.Join(root, "etc"), 0o755)
	os.MkdirAll(filepath.Join(root, "replaced"), 0o755)
	// The jail's own symlink at a file the overlay writes: replaced.
	os.Symlink(filepath.Join(host, "passwd"), filepath.Join(root, "replaced/passwd"))
	if err := CopyOverlay(overlay, root); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(root, "usr/local/etc/app.conf")); string(b) != "a=1\n" {
		t.Fatalf("app.conf %q", b)
	}
	if st, _ := os.Stat(filepath.Join(root, "usr/local/etc/app.conf")); st.Mode().Perm() != 0o640 {
		t.Fatalf("mode %v", st.Mode())
	}
	if l, err := os.Readlink(filepath.Join(root, "hostlink")); err != nil || l != host {
		t.Fatalf("hostlink %q %v", l, err)
	}
	if l, err := os.Readlink(filepath.Join(root, "etc/up")); err != nil || l != "../../../../.." {
		t.Fatalf("etc/up %q %v", l, err)
	}
	if st, err := os.Lstat(filepath.Join(root, "replaced/passwd")); err != nil || st.Mode()&os.ModeSymlink != 0 {
		t.Fatalf("the jail's symlink was written through: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(host, "passwd")); string(b) != "root:host\n" {
		t.Fatalf("host file changed: %q", b)
	}

	// A jail whose var is a symlink to the host: the overlay's var/evil
	// must not land there.
	root2 := filepath.Join(tmp, "root2")
	os.MkdirAll(root2, 0o755)
	os.Symlink(host, filepath.Join(root2, "var"))
	if err := CopyOverlay(overlay, root2); err == nil {
		t.Fatal("an overlay was written through the jail's symlink to the host")
	}
	if _, err := os.Stat(filepath.Join(host, "evil")); !os.IsNotExist(err) {
		t.Fatal("the overlay escaped the jail root")
	}
}

// The repository files and the post-install script are written through
// the jail root's own view: a link the jail planted at /root or under
// /usr/local/etc/pkg carries no write out of it.
func TestWritesStayInTheJail(t *testing.T) {
	tmp := t.TempDir()
	outside := filepath.Join(tmp, "outside")
	os.MkdirAll(outside, 0o755)
	root := filepath.Join(tmp, "root")
	os.MkdirAll(filepath.Join(root, "usr/local/etc"), 0o755)
	os.Symlink(outside, filepath.Join(root, "usr/local/etc/pkg"))
	os.Symlink(outside, filepath.Join(root, "root"))
	p, err := PlanInstall(fixtureManifest(t, "hello"), InstallRequest{Plugin: "hello"})
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteRepoFiles(root, p); err == nil {
		t.Fatal("repository files were written through the jail's link")
	}
	script := filepath.Join(tmp, "post_install.sh")
	os.WriteFile(script, []byte("#!/bin/sh\n"), 0o755)
	if err := PlaceScript(script, root, "/root/post_install.sh"); err == nil {
		t.Fatal("post_install.sh was written through the jail's link")
	}
	if ents, _ := os.ReadDir(outside); len(ents) != 0 {
		t.Fatalf("writes left the jail: %v", ents)
	}
	// A link as the script itself is refused too.
	os.Symlink("/etc/passwd", filepath.Join(tmp, "link.sh"))
	if err := PlaceScript(filepath.Join(tmp, "link.sh"), filepath.Join(tmp, "root2"), "/root/x"); err == nil {
		t.Fatal("a symlinked script was accepted")
	}
	// A clean root gets every file, byte for byte.
	clean := filepath.Join(tmp, "clean")
	os.MkdirAll(clean, 0o755)
	if err := WriteRepoFiles(clean, p); err != nil {
		t.Fatal(err)
	}
	for _, f := range p.Files {
		if b, err := os.ReadFile(filepath.Join(clean, f.Path)); err != nil || string(b) != f.Body {
			t.Fatalf("%s: %q %v", f.Path, b, err)
		}
	}
}
