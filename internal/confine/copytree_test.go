//go:build unix

package confine

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// CopyTree merges the source over the destination without following a
// symlink in either: links are copied as links, a link in the
// destination where the source has a directory gives way to the
// directory, and the host directories those links name stay untouched.
func TestCopyTree(t *testing.T) {
	dir := t.TempDir()
	src, dst, host := filepath.Join(dir, "src"), filepath.Join(dir, "dst"), filepath.Join(dir, "host")
	for _, d := range []string{src + "/etc", src + "/home/u/.ssh", src + "/usr/local", dst + "/etc", dst + "/bin", host} {
		must(t, os.MkdirAll(d, 0o755))
	}
	write := func(p, data string, mode os.FileMode) {
		t.Helper()
		must(t, os.WriteFile(p, []byte(data), mode))
	}
	write(host+"/passwd", "host's\n", 0o644)
	write(src+"/etc/rc.conf", "hostname=\"old\"\n", 0o644)
	write(src+"/home/u/.ssh/authorized_keys", "key\n", 0o600)
	write(src+"/usr/local/tool", "#!/bin/sh\n", 0o755)
	must(t, os.Chmod(src+"/usr/local/tool", 0o755|os.ModeSetuid))
	must(t, os.Symlink(host, src+"/escape"))           // copied as a link, never followed
	must(t, os.Symlink(host+"/passwd", src+"/etc/pw")) // the same for a file
	must(t, os.Symlink("usr/local", src+"/local"))     // a relative link
	must(t, os.Symlink(host, dst+"/usr"))              // the jail's link where the source has a directory
	write(dst+"/etc/rc.conf", "stock\n", 0o644)        // replaced
	write(dst+"/bin/sh", "sh\n", 0o555)                // kept: the source has nothing there
	old := time.Date(2017, 3, 1, 12, 0, 0, 0, time.UTC)
	must(t, os.Chtimes(src+"/etc/rc.conf", old, old))
	must(t, os.Chmod(src+"/home/u", 0o750))

	must(t, CopyTree(src, dst))

	for p, want := range map[string]string{
		"etc/rc.conf": "hostname=\"old\"\n", "home/u/.ssh/authorized_keys": "key\n",
		"usr/local/tool": "#!/bin/sh\n", "bin/sh": "sh\n",
	} {
		if b, err := os.ReadFile(filepath.Join(dst, p)); err != nil || string(b) != want {
			t.Errorf("%s: %q %v, want %q", p, b, err, want)
		}
	}
	for p, want := range map[string]string{"escape": host, "etc/pw": host + "/passwd", "local": "usr/local"} {
		if got, err := os.Readlink(filepath.Join(dst, p)); err != nil || got != want {
			t.Errorf("%s -> %q %v, want %q", p, got, err, want)
		}
	}
	if fi, err := os.Lstat(dst + "/usr"); err != nil || !fi.IsDir() {
		t.Fatalf("usr in the destination: %v %v", fi, err)
	}
	if ents, _ := os.ReadDir(host); len(ents) != 1 {
		t.Errorf("the host directory the destination's usr named holds %d entries", len(ents))
	}
	if b, _ := os.ReadFile(host + "/passwd"); string(b) != "host's\n" {
		t.Errorf("host file changed: %q", b)
	}
	if fi, _ := os.Stat(dst + "/usr/local/tool"); fi.Mode()&os.ModeSetuid == 0 || fi.Mode().Perm() != 0o755 {
		t.Errorf("tool mode %v", fi.Mode())
	}
	if fi, _ := os.Stat(dst + "/home/u"); fi.Mode().Perm() != 0o750 {
		t.Errorf("a new directory's mode %v", fi.Mode())
	}
	if fi, _ := os.Stat(dst + "/home/u/.ssh/authorized_keys"); fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v", fi.Mode())
	}
	if fi, _ := os.Stat(dst + "/etc/rc.conf"); !fi.ModTime().Equal(old) {
		t.Errorf("mtime %v, want %v", fi.ModTime(), old)
	}
	if fi, _ := os.Stat(dst + "/etc"); fi.Mode().Perm() != 0o755 {
		t.Errorf("an existing directory's mode changed: %v", fi.Mode())
	}
	// Nothing of the copy's own is left behind.
	matches, _ := filepath.Glob(dst + "/*/.jcage-*")
	if len(matches) > 0 {
		t.Errorf("temporary files left: %v", matches)
	}
}
