package release

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestValidName(t *testing.T) {
	for name, want := range map[string]bool{
		"14.3-RELEASE": true, "13.4-RELEASE-p2": true, "15.0-BETA3": true, "12.0": true,
		"14.3-release": true, "11.2-STABLE": true,
		"": false, "latest": false, "RELEASE": false, "14-RELEASE": false, "14.3-": false,
		"14.3-RELEASE/x": false, "../14.3-RELEASE": false, "14.3-RELEASE ": false, "14.3-@": false,
		"14.3--x": false,
	} {
		if got := ValidName(name); got != want {
			t.Errorf("ValidName(%q) = %v", name, got)
		}
	}
	if Major("14.3-RELEASE") != 14 || Major("9.3-RELEASE") != 9 || Major("x") != 0 {
		t.Error("Major")
	}
	if !IsRelease("13.4-RELEASE-p2") || IsRelease("15.0-CURRENT") || IsRelease("x-RELEASE") {
		t.Error("IsRelease")
	}
}

func TestNormalizeServer(t *testing.T) {
	for _, c := range []struct{ server, auth, want string }{
		{"", "", "http://download.freebsd.org"},
		{"download.freebsd.org", "", "http://download.freebsd.org"},
		{"download.freebsd.org", "basic", "https://download.freebsd.org"},
		{"http://127.0.0.1:8080/", "", "http://127.0.0.1:8080"},
		{"http://mirror.example", "digest", "http://mirror.example"},
		{"HTTPS://mirror.example", "", "HTTPS://mirror.example"},
		{"ftp.example.org", "", "http://ftp.example.org"},
	} {
		if got := NormalizeServer(c.server, c.auth); got != c.want {
			t.Errorf("NormalizeServer(%q, %q) = %q, want %q", c.server, c.auth, got, c.want)
		}
	}
}

func TestMirrorPaths(t *testing.T) {
	for _, c := range []struct {
		machine, rootDir string
		files            []string
	}{
		{"amd64", "ftp/releases/amd64", []string{"MANIFEST", "base.txz", "lib32.txz", "src.txz"}},
		{"arm64", "ftp/releases/arm64/aarch64", []string{"MANIFEST", "base.txz", "src.txz"}},
		{"i386", "ftp/releases/i386", []string{"MANIFEST", "base.txz", "src.txz"}},
		{"riscv", "ftp/releases/riscv/riscv64", []string{"MANIFEST", "base.txz", "lib32.txz", "src.txz"}},
	} {
		a := ArchOf(c.machine)
		if got := DefaultRootDir(a); got != c.rootDir {
			t.Errorf("%s: root dir %q, want %q", c.machine, got, c.rootDir)
		}
		if got := DefaultFiles(a, "14.3-RELEASE"); !slices.Equal(got, c.files) {
			t.Errorf("%s: files %v, want %v", c.machine, got, c.files)
		}
	}
	if got := DefaultFiles(ArchOf("amd64"), "11.4-RELEASE"); got[len(got)-1] != "doc.txz" {
		t.Errorf("11.4 files %v", got)
	}
	if got := FileURL("http://m", "/ftp/releases/amd64/", "14.3-RELEASE", "base.txz"); got != "http://m/ftp/releases/amd64/14.3-RELEASE/base.txz" {
		t.Errorf("FileURL %q", got)
	}
	if got := DirURL("http://m", ""); got != "http://m/" {
		t.Errorf("DirURL %q", got)
	}
	if GoArch().Machine == "" {
		t.Error("GoArch")
	}
}

// The listing the mirror serves is what download.freebsd.org serves.
func TestParseListing(t *testing.T) {
	c, err := NewClient(ClientOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for dir, want := range map[string][]string{
		"ftp/releases/amd64":         {"13.4-RELEASE", "14.3-RELEASE", evilRelease},
		"ftp/releases/arm64/aarch64": {"14.3-RELEASE"},
		"ftp/releases/arm64":         nil,
	} {
		page, err := c.Get(context.Background(), DirURL(mirrorSrv.URL, dir), 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		got := ParseListing(string(page))
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", dir, got, want)
		}
	}
	page := `<a href="../">..</a> <a href="12.0-RELEASE/">12.0-RELEASE/</a> <a href="./13.0-RELEASE">x</a>
<a href="14.0-BETA1/">b</a> <a href="12.0-RELEASE/">again</a> <a href="ISO-IMAGES/">iso</a>`
	if got := ParseListing(page); !slices.Equal(got, []string{"12.0-RELEASE", "13.0-RELEASE"}) {
		t.Errorf("ParseListing %v", got)
	}
}

func TestParseManifest(t *testing.T) {
	dir := filepath.Join(mirrorRoot, "ftp/releases/amd64/amd64/14.3-RELEASE")
	data, err := os.ReadFile(filepath.Join(dir, "MANIFEST"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := ParseManifest(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(m) != 3 || sha256File(t, filepath.Join(dir, "base.txz")) != m["base.txz"] {
		t.Fatalf("%v", m)
	}
	sum := strings.Repeat("ab", 32)
	for _, bad := range []string{
		"", "\n\n", "<html>Not Found</html>\n", "base.txz\n", "base.txz\t1234\n",
		"base.txz\t" + strings.Repeat("zz", 32) + "\n", "../x\t" + sum + "\n", "a/b\t" + sum + "\n",
		"base.txz\x00\t" + sum + "\n", "base\x1b[2J.txz\t" + sum + "\n", "base.txz\r\t" + sum + "\n",
	} {
		if _, err := ParseManifest([]byte(bad)); err == nil {
			t.Errorf("ParseManifest(%q) accepted", bad)
		}
	}
	m, err = ParseManifest([]byte("base.txz\t" + strings.ToUpper(sum) + "\r\n"))
	if err != nil || m["base.txz"] != sum {
		t.Errorf("two-field CRLF line: %v %v", m, err)
	}
}
