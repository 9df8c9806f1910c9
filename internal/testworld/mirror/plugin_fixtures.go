package mirror

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// MirrorToken stands for the plugin server's base URL in fixture files;
// it is replaced when the server starts and its port is known.
const MirrorToken = "@MIRROR@"

// FixtureFile is one file of a fixture git repository.
type FixtureFile struct {
	Body    string
	Mode    uint32 // 0644, 0755, or 0 for a symlink whose target is Body
	Symlink bool
}

// PkgPubKey is the public key the fixture package repository is signed
// with; its sha256 is the fingerprint the manifests trust.
const PkgPubKey = "-----BEGIN PUBLIC KEY-----\n" +
	"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAjcagetestworldpluginrepo\n" +
	"keyforthesimulatedpkgrepositoryonly0000000000000000000000000000000\n" +
	"-----END PUBLIC KEY-----\n"

// PkgFingerprint is sha256(PkgPubKey) in hex, as pkg(8) compares it.
func PkgFingerprint() string {
	s := sha256.Sum256([]byte(PkgPubKey))
	return hex.EncodeToString(s[:])
}

// PkgRepoName is the repository name the fixture manifests use.
const PkgRepoName = "iocage-plugins"

// PkgPackages are the packages of the fixture repository: name → version.
var PkgPackages = map[string]string{
	"hello-web": "2.4.1_2",
	"nginx":     "1.26.2_1,3",
	"notesd":    "0.9.0",
	"pkg":       "1.21.3",
	"sqlite3":   "3.46.1,1",
}

func manifest(name, release, pkgs, artifact, extra string) string {
	return `{
    "name": "` + name + `",
    "release": "` + release + `",
    "artifact": "` + artifact + `",
    "official": true,
    "properties": {
        "nat": 1,
        "nat_forwards": "tcp(80:8080)"
    },
    "pkgs": [` + pkgs + `],
    "packagesite": "` + MirrorToken + `/pkg/${ABI}/latest",
    "fingerprints": {
        "` + PkgRepoName + `": [
            {
                "function": "sha256",
                "fingerprint": "0000000000000000000000000000000000000000000000000000000000000000"
            },
            {
                "function": "sha256",
                "fingerprint": "` + PkgFingerprint() + `"
            }
        ]
    },
    "revision": "0"` + extra + `
}
`
}

// PluginIndexFiles is the fixture plugin index: an INDEX and one
// manifest per plugin, in the shape of freenas/iocage-ix-plugins.
// Branch 14.3-RELEASE holds these; master holds them with release
// 15.0-RELEASE, for upgrades.
func PluginIndexFiles(release string) map[string]FixtureFile {
	return map[string]FixtureFile{
		"INDEX": {Mode: 0o644, Body: `{
    "hello": {
        "MANIFEST": "hello.json",
        "name": "hello",
        "description": "A small web greeter",
        "official": true,
        "icon": "https://example.invalid/hello.png",
        "license": "",
        "category": "web",
        "primary_pkg": "hello-web"
    },
    "notes": {
        "MANIFEST": "notes.json",
        "name": "notes",
        "description": "Shared notes with devices",
        "official": false,
        "icon": "https://example.invalid/notes.png",
        "license": "` + MirrorToken + `/licenses/notes.txt",
        "category": "productivity",
        "primary_pkg": "notesd"
    },
    "hostile": {
        "MANIFEST": "hostile.json",
        "name": "hostile",
        "description": "An artifact that tries to leave its jail",
        "official": false,
        "icon": "",
        "license": "",
        "category": "test",
        "primary_pkg": "hello-web"
    }
}
`},
		"hello.json": {Mode: 0o644, Body: manifest("hello", release, `"nginx", "hello-web"`,
			MirrorToken+"/git/hello-artifact.git", "")},
		"notes.json": {Mode: 0o644, Body: manifest("notes", release, `"sqlite3", "notesd"`,
			MirrorToken+"/git/notes-artifact.git", `,
    "kmods": ["fusefs"],
    "devfs_ruleset": {
        "paths": {
            "fuse": null,
            "usb/*": "mode 0660 group operator"
        },
        "includes": ["$devfsrules_unhide_basic"]
    }`)},
		"hostile.json": {Mode: 0o644, Body: manifest("hostile", release, `"hello-web"`,
			MirrorToken+"/git/hostile-artifact.git", "")},
		"README.md": {Mode: 0o644, Body: "Plugin index of the jcage test world.\n"},
	}
}

// HostileMarker is where the hostile artifact's post_install.sh tries to
// write on the host; it must never appear.
const HostileMarker = "/tmp/jcage-hostile-plugin-ran-on-host"

// PluginArtifacts are the fixture artifact repositories by name.
func PluginArtifacts() map[string]map[string]FixtureFile {
	return map[string]map[string]FixtureFile{
		"hello-artifact": {
			"post_install.sh": {Mode: 0o755, Body: "#!/bin/sh\nsysrc -f /etc/rc.conf nginx_enable=YES\nservice nginx start\necho \"hello installed on ${IOCAGE_PLUGIN_IP}\"\n"},
			"pre_update.sh":   {Mode: 0o755, Body: "#!/bin/sh\nservice nginx stop\n"},
			"post_update.sh":  {Mode: 0o755, Body: "#!/bin/sh\nservice nginx start\n"},
			"settings.json": {Mode: 0o644, Body: `{
    "servicerestart": "service nginx restart",
    "serviceget": "/usr/local/bin/hello-get",
    "serviceset": "/usr/local/bin/hello-set",
    "options": {
        "greeting": {"type": "string", "name": "Greeting", "description": "What the page says", "requirerestart": true},
        "version": {"type": "string", "name": "Version", "description": "Installed version", "readonly": true}
    }
}
`},
			"ui.json": {Mode: 0o644, Body: `{
    "adminportal": "http://%%IP%%/",
    "docurl": "https://example.invalid/hello/docs"
}
`},
			"overlay/usr/local/etc/hello.conf":         {Mode: 0o644, Body: "greeting = Hello from the overlay\n"},
			"overlay/usr/local/www/hello/index.html":   {Mode: 0o644, Body: "<h1>hello</h1>\n"},
			"overlay/usr/local/bin/hello-get":          {Mode: 0o755, Body: "#!/bin/sh\ngrep \"^$1 \" /usr/local/etc/hello.conf | cut -d= -f2-\n"},
			"overlay/usr/local/bin/hello-set":          {Mode: 0o755, Body: "#!/bin/sh\necho \"$1 = $2\" > /usr/local/etc/hello.conf\n"},
			"overlay/usr/local/www/hello/current.html": {Symlink: true, Body: "index.html"},
			// What the nginx package installs; the simulated packages carry no files.
			"overlay/usr/local/etc/rc.d/nginx": {Mode: 0o755, Body: "#!/bin/sh\n# PROVIDE: nginx\n"},
		},
		"notes-artifact": {
			"post_install.sh": {Mode: 0o755, Body: "#!/bin/sh\nsysrc notesd_enable=YES\n"},
			"settings.json": {Mode: 0o644, Body: `{
    "servicerestart": "service notesd restart",
    "serviceget": "/usr/local/bin/notes-get",
    "serviceset": "/usr/local/bin/notes-set",
    "options": {}
}
`},
			"ui.json": {Mode: 0o644, Body: `{
    "adminportal": "http://%%IP%%:8080/notes"
}
`},
			"overlay/usr/local/etc/notesd.conf": {Mode: 0o600, Body: "listen = 0.0.0.0:8080\n"},
		},
		"hostile-artifact": {
			"post_install.sh": {Mode: 0o755, Body: "#!/bin/sh\necho owned > " + HostileMarker + "\necho owned > /etc/jcage-hostile\n"},
			"ui.json":         {Mode: 0o644, Body: `{"adminportal": "http://%%IP%%/"}` + "\n"},
			// Links out of the jail: copied as links, never followed.
			"overlay/hostetc":                  {Symlink: true, Body: "/etc"},
			"overlay/usr/local/etc/escape":     {Symlink: true, Body: "../../../../../../../../etc/passwd"},
			"overlay/usr/local/etc/plain.conf": {Mode: 0o644, Body: "plain = yes\n"},
		},
	}
}

// expand replaces MirrorToken in a fixture body.
func expand(body, base string) string { return strings.ReplaceAll(body, MirrorToken, base) }
