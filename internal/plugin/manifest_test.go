package plugin

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jcage/jcage/internal/testworld/goldenfile"
)

const goodManifest = `{
    "name": "plexmediaserver",
    "release": "13.2-RELEASE",
    "artifact": "https://github.com/freenas/iocage-plugin-plex.git",
    "official": true,
    "properties": {"nat": 1, "nat_forwards": "tcp(32400:32400)", "allow_raw_sockets": true},
    "devfs_ruleset": {"paths": {"bpf*": null, "dri*": "unhide"}, "includes": ["$devfsrules_unhide_basic"]},
    "kmods": ["linux"],
    "pkgs": ["multimedia/plexmediaserver"],
    "packagesite": "http://pkg.FreeBSD.org/${ABI}/latest",
    "fingerprints": {
        "iocage-plugins": [{"function": "sha256", "fingerprint": "b0170035af3acc5f3f3ae1859dc717101b4e6c1d0a794ad554928ca0cbb2f438"}]
    },
    "revision": "3"
}`

func TestParseManifestGood(t *testing.T) {
	m, err := ParseManifest([]byte(goodManifest))
	if err != nil {
		t.Fatal(err)
	}
	if m.Name != "plexmediaserver" || m.Release != "13.2-RELEASE" || !m.Official || m.Revision != "3" {
		t.Fatalf("%+v", m)
	}
	wantProps := []Prop{{"nat", "1"}, {"nat_forwards", "tcp(32400:32400)"}, {"allow_raw_sockets", "1"}}
	if len(m.Properties) != 3 {
		t.Fatalf("props %v", m.Properties)
	}
	for i, p := range wantProps {
		if m.Properties[i] != p {
			t.Fatalf("prop %d: %v, want %v", i, m.Properties[i], p)
		}
	}
	if m.Devfs == nil || len(m.Devfs.Paths) != 2 || m.Devfs.Paths[0] != (DevfsPath{"bpf*", ""}) ||
		m.Devfs.Paths[1] != (DevfsPath{"dri*", "unhide"}) || m.Devfs.Includes[0] != "$devfsrules_unhide_basic" {
		t.Fatalf("devfs %+v", m.Devfs)
	}
	if len(m.Kmods) != 1 || m.Kmods[0] != "linux" {
		t.Fatalf("kmods %v", m.Kmods)
	}
	if len(m.Repos) != 1 || m.Repos[0].Name != "iocage-plugins" || m.Repos[0].Fingerprints[0].Function != "sha256" {
		t.Fatalf("repos %+v", m.Repos)
	}
}

// Each bad manifest is refused with the JSON path of what is wrong.
func TestParseManifestBad(t *testing.T) {
	edit := func(old, new string) string {
		if !strings.Contains(goodManifest, old) {
			t.Fatalf("fixture lacks %q", old)
		}
		return strings.Replace(goodManifest, old, new, 1)
	}
	cases := []struct {
		name, doc string
		paths     []string
		message   string
	}{
		{"missing required", edit(`"release": "13.2-RELEASE",`, ""), []string{"/"}, "release"},
		{"name not a string", edit(`"name": "plexmediaserver"`, `"name": 7`), []string{"/name"}, "string"},
		{"pkgs item", edit(`["multimedia/plexmediaserver"]`, `["ok", 3]`), []string{"/pkgs/1"}, "string"},
		{"fingerprint missing function", edit(`{"function": "sha256", "fingerprint"`, `{"fingerprint"`), []string{"/fingerprints/iocage-plugins/0"}, "function"},
		{"fingerprint list", edit(`"iocage-plugins": [`, `"iocage-plugins": {"x": [`) + "", nil, ""},
		{"devfs without paths", edit(`"devfs_ruleset": {"paths": {"bpf*": null, "dri*": "unhide"}, `, `"devfs_ruleset": {`), []string{"/devfs_ruleset"}, "paths"},
		{"official not boolean", edit(`"official": true`, `"official": "yes"`), []string{"/official"}, "boolean"},
		{"revision is a string in iocage's schema", edit(`"revision": "3"`, `"revision": 3`), []string{"/revision"}, "string"},
		{"two problems", edit(`"artifact": "https://github.com/freenas/iocage-plugin-plex.git"`, `"artifact": false`), []string{"/artifact"}, "string"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseManifest([]byte(c.doc))
			if c.paths == nil {
				if !errors.Is(err, ErrInvalidJSON) {
					t.Fatalf("broken JSON: %v", err)
				}
				return
			}
			var me *ManifestError
			if !errors.As(err, &me) {
				t.Fatalf("err %v", err)
			}
			var got []string
			for _, p := range me.Problems {
				got = append(got, p.Path)
			}
			text := err.Error()
			for _, p := range c.paths {
				if !strings.Contains(text, p+": ") {
					t.Fatalf("%q does not name %s (paths %v)", text, p, got)
				}
			}
			if !strings.Contains(text, c.message) {
				t.Fatalf("%q does not say %q", text, c.message)
			}
		})
	}
	if _, err := ParseManifest([]byte("{")); !errors.Is(err, ErrInvalidJSON) {
		t.Fatalf("not JSON: %v", err)
	}
}

func TestJailCopy(t *testing.T) {
	m, err := ParseManifest([]byte(`{"name":"café","release":"13.2-RELEASE","pkgs":[],"packagesite":"a<b","fingerprints":{},"artifact":"","revision":"1.0","z":1.50}`))
	if err != nil {
		t.Fatal(err)
	}
	b, err := m.JailCopy()
	if err != nil {
		t.Fatal(err)
	}
	want := "{\n    \"artifact\": \"\",\n    \"fingerprints\": {},\n    \"name\": \"caf\\u00e9\",\n    \"packagesite\": \"a<b\",\n" +
		"    \"pkgs\": [],\n    \"release\": \"13.2-RELEASE\",\n    \"revision\": \"1.0\",\n    \"z\": 1.50\n}"
	if string(b) != want {
		t.Fatalf("got\n%s\nwant\n%s", b, want)
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if goldenfile.Update() {
		if err := os.WriteFile(p, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Fatalf("%s differs:\n%s\nwant\n%s", name, got, want)
	}
}

// iocage's own tests of validate_plugin_manifest
// (tests/unit_tests/1004_lib_plugin_manifest_test.py), each refusal with
// the JSON path it concerns.
func TestIocageManifestCases(t *testing.T) {
	valid := func(extra string) string {
		return `{"name": "test_plugin", "release": "12.2-RELEASE", "pkgs": [],
			"packagesite": "http://pkg.FreeBSD.org/${ABI}/latest",
			"fingerprints": {"iocage-plugins": [{"function": "sha256", "fingerprint": "b0170035af3acc5f3f3ae1859dc717101b4e6c1d0a794ad554928ca0cbb2f438"}]},
			"artifact": "TEST_ARTIFACT"` + extra + `}`
	}
	for _, extra := range []string{"", `, "devfs_ruleset": {"paths": {}, "includes": []}`} {
		if _, err := ParseManifest([]byte(valid(extra))); err != nil {
			t.Fatalf("%s: %v", extra, err)
		}
	}
	for _, field := range []string{"name", "release", "pkgs", "packagesite", "fingerprints", "artifact"} {
		var doc map[string]any
		if err := json.Unmarshal([]byte(valid("")), &doc); err != nil {
			t.Fatal(err)
		}
		delete(doc, field)
		b, _ := json.Marshal(doc)
		_, err := ParseManifest(b)
		if err == nil || !strings.Contains(err.Error(), "/: ") || !strings.Contains(err.Error(), field) {
			t.Fatalf("without %s: %v", field, err)
		}
	}
	for extra, path := range map[string]string{
		`, "devfs_ruleset": "INVALID_TYPE"`:                       "/devfs_ruleset: ",
		`, "devfs_ruleset": {}`:                                   "/devfs_ruleset: ",
		`, "devfs_ruleset": {"paths": "INVALID_TYPE"}`:            "/devfs_ruleset/paths: ",
		`, "devfs_ruleset": {"paths": {}, "includes": "INVALID"}`: "/devfs_ruleset/includes: ",
	} {
		if _, err := ParseManifest([]byte(valid(extra))); err == nil || !strings.Contains(err.Error(), path) {
			t.Fatalf("%s: %v", extra, err)
		}
	}
}
