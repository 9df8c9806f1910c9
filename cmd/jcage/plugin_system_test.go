package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jcage/jcage/internal/fstab"
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
	var rows []map[string]any
	if err := json.Unmarshal([]byte(w.Must("list", "-P", "--json")), &rows); err != nil || len(rows) != 1 || rows[0]["portal"] != "http://10.0.0.5/" {
		t.Fatalf("list -P --json: %v %v", rows, err)
	}

	// A second fetch of the same plugin is named hello_1.
	out = w.Must("fetch", "-P", "hello", "-g", srv.Index, "vnet=0", "ip4_addr=em0|10.0.0.6/24")
	if _, err := os.Stat(filepath.Join(w.IOCRoot(), "jails", "hello_1", "hello.json")); err != nil {
		t.Fatalf("hello_1: %v\n%s", err, out)
	}
}
