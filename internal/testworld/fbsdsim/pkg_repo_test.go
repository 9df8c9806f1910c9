package fbsdsim

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/jcage/jcage/internal/testworld/mirror"
)

// layRepo writes a repository file and a trusted fingerprint under root,
// as a plugin install leaves them.
func layRepo(t *testing.T, root, url, fingerprint string) {
	t.Helper()
	for p, body := range map[string]string{
		"usr/local/etc/pkg/repos/FreeBSD.conf":                                 "FreeBSD: { enabled: no }\n",
		"usr/local/etc/pkg/repos/iocage-plugins.conf":                          "iocage-plugins: {\n            url: \"" + url + "\",\n            signature_type: \"fingerprints\",\n            fingerprints: \"/usr/local/etc/pkg/fingerprints/iocage-plugins\",\n            enabled: true\n            }\n",
		"usr/local/etc/pkg/fingerprints/iocage-plugins/trusted/iocage-plugins": "function: sha256\nfingerprint: " + fingerprint + "\n",
		"bin/freebsd-version":                                                  "#!/bin/sh\nUSERLAND_VERSION=\"14.3-RELEASE-p1\"\n",
	} {
		os.MkdirAll(filepath.Join(root, filepath.Dir(p)), 0o755)
		if err := os.WriteFile(filepath.Join(root, p), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.MkdirAll(filepath.Join(root, "usr/local/etc/pkg/fingerprints/iocage-plugins/revoked"), 0o755)
}

// A jail whose repository files name a remote repository installs from
// that repository's catalogue, once its signing key's fingerprint is
// trusted; ${ABI} is the jail's.
func TestPkgRemoteRepository(t *testing.T) {
	srv, err := mirror.StartPlugins("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	h := ulNewHarness(t)
	root := t.TempDir()
	h.addJail("web", 3, root)
	layRepo(t, root, srv.URL+"/pkg/${ABI}/latest", mirror.PkgFingerprint())
	r := h.run("pkg", "", "-j", "web", "install", "-y", "hello-web", "nginx")
	if r.code != 0 || !strings.Contains(r.stdout, "\thello-web: 2.4.1_2\n") {
		t.Fatalf("%+v", r)
	}
	if got, _ := PkgInstalled(h.state, root); !reflect.DeepEqual(got, []string{"hello-web", "nginx"}) {
		t.Fatal(got)
	}
	if srv.Hits("/pkg/FreeBSD:14:amd64/latest/packagesite.txz") != 1 || srv.Hits("/pkg/FreeBSD:14:amd64/latest/meta.conf") != 1 {
		t.Fatal("the catalogue was not fetched from the jail's ABI")
	}
	// Not in that repository: the built-in catalogue does not stand in.
	h.run("pkg", "", "-j", "web", "install", "-y", "bash").want(t, 1, "", "No packages available to install matching 'bash'")

	// A fingerprint that is not the signing key's: refused.
	layRepo(t, root, srv.URL+"/pkg/${ABI}/latest", strings.Repeat("0", 64))
	h.run("pkg", "", "-j", "web", "install", "-y", "notesd").want(t, 1, "", "pkg: No trusted public keys found\nUnable to update repository iocage-plugins\n")
	// The same key revoked: refused.
	layRepo(t, root, srv.URL+"/pkg/${ABI}/latest", mirror.PkgFingerprint())
	os.WriteFile(filepath.Join(root, "usr/local/etc/pkg/fingerprints/iocage-plugins/revoked/k"), []byte("function: \"sha256\"\nfingerprint: \""+mirror.PkgFingerprint()+"\"\n"), 0o644)
	h.run("pkg", "", "-j", "web", "install", "-y", "notesd").want(t, 1, "", "revoked")
	if got, _ := PkgInstalled(h.state, root); !reflect.DeepEqual(got, []string{"hello-web", "nginx"}) {
		t.Fatal(got)
	}
}
