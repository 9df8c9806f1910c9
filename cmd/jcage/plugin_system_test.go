package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jcage/jcage/internal/fstab"
	"github.com/jcage/jcage/internal/host"
	"github.com/jcage/jcage/internal/plugin"
	"github.com/jcage/jcage/internal/testworld/fbsdsim"
	"github.com/jcage/jcage/internal/testworld/mirror"
	"github.com/jcage/jcage/internal/testworld/world"
)

// pluginWorld is an activated pool with 14.3-RELEASE laid out, a host
// on 14.3, and the loopback plugin server.
func pluginWorld(t *testing.T) (*world.World, *mirror.PluginRunning) {
	t.Helper()
	w := world.New(t)
	w.Setenv("JCAGE_RUN_DIR", t.TempDir())
	w.Setenv("JCAGE_SIM_HOST_RELEASE", "14.3-RELEASE")
	w.Must("activate", w.Pool.Name)
	root := w.LayRelease("14.3-RELEASE")
	simRelease(t, root, false)
	for _, d := range append([]string{"dev/fd", "root", "tmp", "usr/local"}, fstab.BasejailDirs("14.3-RELEASE")...) {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	srv, err := mirror.StartPlugins("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return w, srv
}

func readConfig(t *testing.T, dir string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func callsOf(calls []fbsdsim.Call, tool string) [][]string {
	var out [][]string
	for _, c := range calls {
		if c.Tool == tool {
			out = append(out, c.Argv)
		}
	}
	return out
}

func fileIs(t *testing.T, path, want string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != want {
		t.Fatalf("%s:\n%q\nwant\n%q", path, b, want)
	}
}

// fetch -P from the loopback index: a pluginv2 basejail with its
// manifest beside it, iocage's pkg repository and fingerprint files byte
// for byte, the packages installed from that repository by pkg, the
// overlay in place with its symlink, post_install.sh run inside the jail
// only; list -P shows it with its admin portal.
func TestSystemPluginFetch(t *testing.T) {
	w, srv := pluginWorld(t)
	out := w.Must("fetch", "-P", "hello", "-g", srv.Index, "vnet=0", "ip4_addr=em0|10.0.0.5/24")
	for _, frag := range []string{
		"Plugin: hello\n  Official Plugin: True\n  Using RELEASE: 14.3-RELEASE\n  Using Branch: 14.3-RELEASE\n",
		"  These pkgs will be installed:\n    - nginx\n    - hello-web\n",
		"\nRunning post_install.sh\n",
		"\nAdmin Portal:\nhttp://10.0.0.5/\n\nDoc URL:\nhttps://example.invalid/hello/docs\n",
	} {
		if !strings.Contains(out, frag) {
			t.Fatalf("output lacks %q:\n%s", frag, out)
		}
	}
	dir := filepath.Join(w.IOCRoot(), "jails", "hello")
	root := filepath.Join(dir, "root")
	cfg := readConfig(t, dir)
	for k, v := range map[string]any{"type": "pluginv2", "plugin_name": "hello", "plugin_repository": srv.Index,
		"basejail": float64(1), "boot": float64(1), "ip4_addr": "em0|10.0.0.5/24", "nat_forwards": "tcp(80:8080)", "release": "14.3-RELEASE-p1"} {
		if cfg[k] != v {
			t.Fatalf("config %s = %v, want %v", k, cfg[k], v)
		}
	}
	if b, err := os.ReadFile(filepath.Join(dir, "hello.json")); err != nil || !strings.HasPrefix(string(b), "{\n    \"artifact\": \""+srv.URL+"/git/hello-artifact.git\",") {
		t.Fatalf("manifest copy: %v\n%s", err, b)
	}
	if _, err := os.Stat(filepath.Join(w.IOCRoot(), ".plugins", strings.NewReplacer("/", "_", ".", "_").Replace(strings.TrimPrefix(srv.Index, "http://")), "INDEX")); err != nil {
		t.Fatalf("index clone: %v", err)
	}

	// The repository files, as iocage writes them and pkg reads them.
	fileIs(t, filepath.Join(root, "usr/local/etc/pkg/repos/FreeBSD.conf"), "FreeBSD: { enabled: no }\n")
	fileIs(t, filepath.Join(root, "usr/local/etc/pkg/repos/iocage-plugins.conf"), "iocage-plugins: {\n"+
		"            url: \""+srv.URL+"/pkg/${ABI}/latest\",\n"+
		"            signature_type: \"fingerprints\",\n"+
		"            fingerprints: \"/usr/local/etc/pkg/fingerprints/iocage-plugins\",\n"+
		"            enabled: true\n"+
		"            }\n")
	fileIs(t, filepath.Join(root, "usr/local/etc/pkg/fingerprints/iocage-plugins/trusted/iocage-plugins"),
		"function: sha256\nfingerprint: "+mirror.PkgFingerprint()+"\n")
	if st, err := os.Stat(filepath.Join(root, "usr/local/etc/pkg/fingerprints/iocage-plugins/revoked")); err != nil || !st.IsDir() {
		t.Fatalf("revoked: %v", err)
	}
	got, err := fbsdsim.PkgInstalled(w.State, root)
	if err != nil || !slices.Equal(got, []string{"hello-web", "nginx", "pkg"}) {
		t.Fatalf("packages %v %v", got, err)
	}
	if srv.Hits("/pkg/FreeBSD:14:amd64/latest/packagesite.txz") == 0 {
		t.Fatal("pkg did not read the plugin repository")
	}

	// The overlay, its symlink kept; the script placed and run in the jail.
	fileIs(t, filepath.Join(root, "usr/local/etc/hello.conf"), "greeting = Hello from the overlay\n")
	if l, err := os.Readlink(filepath.Join(root, "usr/local/www/hello/current.html")); err != nil || l != "index.html" {
		t.Fatalf("overlay symlink %q %v", l, err)
	}
	if st, err := os.Stat(filepath.Join(root, "root/post_install.sh")); err != nil || st.Mode().Perm() != 0o755 {
		t.Fatalf("post_install.sh: %v", err)
	}
	calls := w.Calls()
	jexecs := callsOf(calls, "jexec")
	if !slices.ContainsFunc(jexecs, func(a []string) bool { return slices.Equal(a, []string{"jexec", "ioc-hello", "/root/post_install.sh"}) }) {
		t.Fatalf("post_install.sh did not run inside the jail: %v", jexecs)
	}
	for _, c := range calls {
		if c.Tool == "jexec" && len(c.Argv) > 2 && c.Argv[2] == "/root/post_install.sh" && c.Env["IOCAGE_PLUGIN_IP"] != "10.0.0.5" {
			t.Fatalf("IOCAGE_PLUGIN_IP %q", c.Env["IOCAGE_PLUGIN_IP"])
		}
	}

	// list -P: the plugin with its portal; --json too.
	list := w.Must("list", "-P")
	if !strings.Contains(list, "| hello | on   | up    | pluginv2 | 14.3-RELEASE-p1 | em0|10.0.0.5/24 | -   | -        | http://10.0.0.5/ | https://example.invalid/hello/docs |") {
		t.Fatalf("list -P:\n%s", list)
	}
	var doc struct {
		Jails []map[string]any `json:"jails"`
	}
	if err := json.Unmarshal([]byte(w.Must("list", "-P", "--json")), &doc); err != nil || len(doc.Jails) != 1 || doc.Jails[0]["portal"] != "http://10.0.0.5/" {
		t.Fatalf("list -P --json: %v %v", doc.Jails, err)
	}

	// list -PR: the index, iocage's columns.
	idx := w.Must("list", "-PR", "-g", srv.Index)
	// 80 columns wide, wrapped as texttable wraps; -l does not wrap.
	if !strings.Contains(idx, "|  NAME   |         DESCRIPTION         |   PKG   |            ICON            |\n") ||
		!strings.Contains(idx, "| hello   | A small web greeter         | hello   | https://example.invalid/he |\n|         |                             |         | llo.png                    |\n") {
		t.Fatalf("list -PR:\n%s", idx)
	}
	if idx = w.Must("list", "-PR", "-l", "-g", srv.Index); !strings.Contains(idx, "| hello   | A small web greeter                      | hello   | https://example.invalid/hello.png |\n") {
		t.Fatalf("list -PR -l:\n%s", idx)
	}
	if got := w.Must("list", "-PR", "-g", srv.Index, "-h", "-O"); got != "hello\tA small web greeter\thello\thttps://example.invalid/hello.png\n" {
		t.Fatalf("list -PR -h -O: %q", got)
	}
	if got := w.Must("get", "-P", "options.greeting.type", "hello"); got != "string\n" {
		t.Fatalf("get -P options.greeting.type: %q", got)
	}
	if r := w.Jcage("set", "-P", "version=2", "hello"); r.Code != 1 || r.Stderr != "version is readonly!\n" {
		t.Fatalf("set -P of a readonly option: %+v", r)
	}
	n := len(w.Calls())
	w.Must("set", "-P", "greeting=hi", "hello")
	if got := callsOf(w.Calls()[n:], "jexec"); len(got) != 2 || !slices.Equal(got[0], []string{"jexec", "ioc-hello", "/usr/local/bin/hello-set", "greeting", "hi"}) ||
		!slices.Equal(got[1], []string{"jexec", "ioc-hello", "service", "nginx", "restart"}) {
		t.Fatalf("set -P ran %v", got)
	}

	// Refusals change nothing: a license not accepted, no network.
	datasets := w.Datasets()
	r := w.JcageIn("n\n", "fetch", "-P", "notes", "-g", srv.Index, "vnet=0", "ip4_addr=em0|10.0.0.7/24")
	if r.Code != 1 || r.Stderr != "You must accept the license to continue!\n" || !strings.Contains(r.Stdout, "The notes license: use it kindly.\nDo you agree? (y/N) ") {
		t.Fatalf("license refused: %+v", r)
	}
	if r = w.Jcage("fetch", "-P", "hello", "-g", srv.Index, "nat=0"); r.Code != 1 ||
		r.Stderr != "Network connectivity is required to fetch a plugin. Please enable dhcp/nat or supply a valid ip address.\n" {
		t.Fatalf("no network: %+v", r)
	}
	if got := w.Datasets(); got != datasets {
		t.Fatalf("a refused fetch changed the pool:\n%s\nwas\n%s", got, datasets)
	}

	// A second fetch of the same plugin is named hello_1.
	out = w.Must("fetch", "-P", "hello", "-g", srv.Index, "vnet=0", "ip4_addr=em0|10.0.0.6/24")
	if _, err := os.Stat(filepath.Join(w.IOCRoot(), "jails", "hello_1", "hello.json")); err != nil {
		t.Fatalf("hello_1: %v\n%s", err, out)
	}
}

// update of a plugin jail: a package that cannot be reinstalled rolls
// the jail back to its ioc_plugin_update snapshot (what the update wrote
// after it, pre_update.sh in /tmp, is gone); then an update that works
// reinstalls the packages and drops its snapshot. upgrade with a failing
// etcupdate rolls back to ioc_plugin_upgrade.
func TestSystemPluginUpdateUpgrade(t *testing.T) {
	w, srv := pluginWorld(t)
	w.Must("fetch", "-P", "hello", "-g", srv.Index, "vnet=0", "ip4_addr=em0|10.0.0.5/24")
	dir := filepath.Join(w.IOCRoot(), "jails", "hello")
	root := filepath.Join(dir, "root")
	jails := w.Pool.Name + "/iocage/jails/"

	w.Setenv("JCAGE_SIM_PKG_UNAVAILABLE", "hello-web")
	r := w.Jcage("update", "hello")
	if r.Code != 1 || !strings.Contains(r.Stderr, "install packages: PKG error, update failed!") ||
		!strings.Contains(r.Stderr, "; rolled back to "+jails+"hello@ioc_plugin_update_") {
		t.Fatalf("failing update: %+v", r)
	}
	if !strings.Contains(r.Stdout, "Running pre_update.sh... ") {
		t.Fatalf("pre_update.sh did not run: %s", r.Stdout)
	}
	if _, err := os.Stat(filepath.Join(root, "tmp/pre_update.sh")); !os.IsNotExist(err) {
		t.Fatalf("the rollback left the update's files: %v", err)
	}
	var ran bool
	for _, a := range callsOf(w.Calls(), "jexec") {
		ran = ran || slices.Equal(a, []string{"jexec", "ioc-hello", "sh", "/tmp/pre_update.sh"})
	}
	if !ran {
		t.Fatal("pre_update.sh did not run inside the jail")
	}
	if !strings.Contains(w.ZFS("list", "-H", "-t", "snapshot", "-o", "name", "-r", jails+"hello"), "@ioc_plugin_update_") {
		t.Fatal("the update snapshot is missing after the rollback")
	}

	w.Setenv("JCAGE_SIM_PKG_UNAVAILABLE", "")
	w.Must("start", "hello")
	out := w.Must("update", "hello")
	if !strings.Contains(out, "Removing old pkgs... \nInstalling new pkgs... \n") {
		t.Fatalf("update output:\n%s", out)
	}
	if strings.Contains(w.ZFS("list", "-H", "-t", "snapshot", "-o", "name", "-r", jails+"hello"), "@ioc_plugin_update_") {
		t.Fatal("the update snapshot stayed after a good update")
	}
	if got, _ := fbsdsim.PkgInstalled(w.State, root); !slices.Equal(got, []string{"hello-web", "nginx", "pkg"}) {
		t.Fatalf("packages after update: %v", got)
	}

	// upgrade: on a 15.0 host the index falls back to master, whose
	// manifest is 15.0-RELEASE; etcupdate fails: rolled back to the
	// upgrade snapshot, release and manifest copy as before.
	simRelease(t, w.LayRelease("15.0-RELEASE"), true)
	before := readConfig(t, dir)["release"]
	w.Setenv("JCAGE_SIM_HOST_RELEASE", "15.0-RELEASE")
	w.Setenv("JCAGE_SIM_ETCUPDATE_FAIL", "build")
	r = w.Jcage("upgrade", "hello")
	if r.Code != 1 || !strings.Contains(r.Stderr, "upgrade the base jail: ") || !strings.Contains(r.Stderr, "; rolled back to "+jails+"hello@ioc_plugin_upgrade_") {
		t.Fatalf("failing upgrade: %+v", r)
	}
	if cfg := readConfig(t, dir); cfg["release"] != before || !strings.HasPrefix(before.(string), "14.3-RELEASE") {
		t.Fatalf("release after the rollback: %v", cfg["release"])
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "hello.json")); !strings.Contains(string(b), `"release": "14.3-RELEASE"`) {
		t.Fatalf("the manifest copy was not rolled back:\n%s", b)
	}
}

// A hostile artifact: links out of the jail are copied as links and never
// followed, and its post_install.sh runs only inside the jail; the host
// is untouched.
func TestSystemPluginHostileArtifact(t *testing.T) {
	w, srv := pluginWorld(t)
	os.Remove(mirror.HostileMarker)
	etc, err := os.ReadDir("/etc")
	if err != nil {
		t.Fatal(err)
	}
	w.Must("fetch", "-P", "hostile", "-g", srv.Index, "vnet=0", "ip4_addr=em0|10.0.0.7/24")
	root := filepath.Join(w.IOCRoot(), "jails", "hostile", "root")
	if l, err := os.Readlink(filepath.Join(root, "hostetc")); err != nil || l != "/etc" {
		t.Fatalf("hostetc %q %v", l, err)
	}
	if l, err := os.Readlink(filepath.Join(root, "usr/local/etc/escape")); err != nil || l != "../../../../../../../../etc/passwd" {
		t.Fatalf("escape %q %v", l, err)
	}
	if _, err := os.Stat(mirror.HostileMarker); !os.IsNotExist(err) {
		t.Fatal("post_install.sh ran on the host")
	}
	if _, err := os.Stat("/etc/jcage-hostile"); !os.IsNotExist(err) {
		t.Fatal("the artifact wrote to the host's /etc")
	}
	after, _ := os.ReadDir("/etc")
	if len(after) != len(etc) {
		t.Fatalf("/etc changed: %d entries, was %d", len(after), len(etc))
	}
	var ran bool
	for _, a := range callsOf(w.Calls(), "jexec") {
		ran = ran || slices.Equal(a, []string{"jexec", "ioc-hostile", "/root/post_install.sh"})
	}
	if !ran {
		t.Fatal("post_install.sh did not run inside the jail")
	}

	// The jail plants a link where the next install writes a script: the
	// write is refused, nothing lands outside, the jail is removed.
	rel := filepath.Join(w.IOCRoot(), "releases", "14.3-RELEASE", "root")
	os.RemoveAll(filepath.Join(rel, "root"))
	outside := t.TempDir()
	if err := os.Symlink(outside, filepath.Join(rel, "root")); err != nil {
		t.Fatal(err)
	}
	r := w.Jcage("fetch", "-P", "hello", "-g", srv.Index, "-n", "trap", "vnet=0", "ip4_addr=em0|10.0.0.8/24")
	if r.Code != 1 || !strings.Contains(r.Stderr, "trap had a failure: copy post_install.sh: ") || !strings.Contains(r.Stderr, "partial plugin destroyed") {
		t.Fatalf("fetch through a planted link: %+v", r)
	}
	if ents, _ := os.ReadDir(outside); len(ents) != 0 {
		t.Fatalf("a write left the jail: %v", ents)
	}
	if strings.Contains(w.Datasets(), "/iocage/jails/trap") {
		t.Fatal("the failed plugin jail was kept")
	}
}

// A pluginv2 jail as iocage leaves it (config.json and the manifest
// beside it, from iocage's tests' manifest with a devfs_ruleset) starts
// with the manifest's devfs rules and kernel modules.
func TestSystemPluginStartDevfs(t *testing.T) {
	w, _ := pluginWorld(t)
	dir := layStartable(t, w, "plex", map[string]any{
		"type": "pluginv2", "plugin_name": "plexmediaserver", "plugin_repository": "https://github.com/freenas/iocage-ix-plugins.git",
		"ip4_addr": "em0|10.0.0.9/24", "boot": 1, "bpf": 0,
	})
	manifest := `{
    "artifact": "https://github.com/freenas/iocage-plugin-plexmediaserver.git",
    "devfs_ruleset": {
        "includes": [
            "$devfsrules_unhide_basic",
            "$devfsrules_jail"
        ],
        "paths": {
            "bpf*": null,
            "dri*": null,
            "usb/*": "mode 0660"
        }
    },
    "fingerprints": {
        "iocage-plugins": [
            {
                "fingerprint": "b0170035af3acc5f3f3ae1859dc717101b4e6c1d0a794ad554928ca0cbb2f438",
                "function": "sha256"
            }
        ]
    },
    "kmods": [
        "linux"
    ],
    "name": "plexmediaserver",
    "packagesite": "http://pkg.FreeBSD.org/${ABI}/latest",
    "pkgs": [
        "multimedia/plexmediaserver"
    ],
    "release": "14.3-RELEASE"
}`
	if err := os.WriteFile(filepath.Join(dir, "plexmediaserver.json"), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	n := len(w.Calls())
	w.Must("start", "plex")
	calls := w.Calls()[n:]
	if !slices.ContainsFunc(callsOf(calls, "kldload"), func(a []string) bool { return slices.Equal(a, []string{"kldload", "-n", "linux"}) }) {
		t.Fatalf("kldload: %v", callsOf(calls, "kldload"))
	}
	show := w.Tool("devfs", "rule", "-s", "1000", "show")
	for _, rule := range []string{"include 4", "hide", "path zfs unhide", "path bpf* unhide", "path dri* unhide", "path usb/* mode 660"} {
		if !strings.Contains(show, " "+rule+"\n") {
			t.Fatalf("ruleset lacks %q:\n%s", rule, show)
		}
	}
	if strings.Contains(show, "include 2") {
		t.Fatalf("a default include was added again:\n%s", show)
	}
	if i, j := strings.Index(show, "include 4"), strings.Index(show, " hide\n"); i < 0 || j < i {
		t.Fatalf("includes come first:\n%s", show)
	}
}

// A host without git(1): fetch -P, list -PR, and the update and upgrade
// of a plugin jail fail with one line naming what to install, before
// anything changes: no dataset or snapshot, no file under the tree, no
// journal, no FreeBSD tool run but a read of the jails' state.
func TestSystemPluginNoGit(t *testing.T) {
	w, srv := pluginWorld(t)
	w.Must("fetch", "-P", "hello", "-g", srv.Index, "vnet=0", "ip4_addr=em0|10.0.0.5/24")

	// The test world's PATH without its git, and without the system's.
	noGit := t.TempDir()
	ents, err := os.ReadDir(w.Bin.Path)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if e.Name() == "git" {
			continue
		}
		target, err := os.Readlink(filepath.Join(w.Bin.Path, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(w.Bin.Path, target)
		}
		if err := os.Symlink(target, filepath.Join(noGit, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
	w.Setenv(host.TestPathEnv, noGit)
	runDir := t.TempDir()
	w.Setenv("JCAGE_RUN_DIR", runDir)

	datasets, tree, calls := w.Datasets(), treeState(t, w.IOCRoot()), len(w.Calls())
	for _, args := range [][]string{
		{"fetch", "-P", "notes", "-g", srv.Index, "--accept", "vnet=0", "ip4_addr=em0|10.0.0.6/24"},
		{"list", "-PR", "-g", srv.Index},
		{"update", "hello"},
		{"upgrade", "hello"},
	} {
		r := w.Jcage(args...)
		if r.Code != 1 || r.Stderr != plugin.ErrNoGit.Error()+"\n" || !strings.Contains(r.Stderr, "pkg install git") {
			t.Fatalf("jcage %s without git: %+v", strings.Join(args, " "), r)
		}
		if got := w.Datasets(); got != datasets {
			t.Fatalf("jcage %s changed the datasets:\n%s\nwere\n%s", strings.Join(args, " "), got, datasets)
		}
		if got := treeState(t, w.IOCRoot()); got != tree {
			t.Fatalf("jcage %s changed the tree", strings.Join(args, " "))
		}
		// update and upgrade read the jails' state first (jls); nothing
		// else runs.
		for _, c := range w.Calls()[calls:] {
			if c.Tool != "jls" {
				t.Fatalf("jcage %s ran %v", strings.Join(args, " "), c.Argv)
			}
		}
		calls = len(w.Calls())
		if ents, _ := os.ReadDir(runDir); len(ents) != 0 {
			t.Fatalf("jcage %s left %v in its run directory", strings.Join(args, " "), ents)
		}
	}
}
