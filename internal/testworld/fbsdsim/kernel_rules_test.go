package fbsdsim

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Each case is worked by hand through contrib/libc-vis/unvis.c.
func TestStrunvisFollowsUnvisC(t *testing.T) {
	cases := []struct {
		in, out string
		ok      bool
	}{
		{`plain`, "plain", true},
		{`a\040b`, "a b", true},
		{`a\11b`, "a\tb", true},      // two octal digits, then push back
		{`a\1`, "a\x01", true},       // pending octal flushed at the end
		{`\M-a`, "\xe1", true},       // meta
		{`\M^A`, "\x81", true},       // meta control
		{`\^?`, "\x7f", true},        // delete
		{`\x41z`, "Az", true},        // hex
		{`\s\t\\`, " \t\\", true},    // C escapes
		{`a\$b`, "ab", true},         // hidden marker
		{`x\`, "x", true},            // ends inside an escape: not an error
		{`a\000b`, "a", true},        // NUL ends the C string
		{`\q`, "", false},            // unknown escape
		{`\Mx`, "", false},           // meta without - or ^
		{`\xg`, "", false},           // \x without a hex digit
		{`\M-\101`, "\xdc101", true}, // meta takes the next byte whole
	}
	for _, c := range cases {
		got, ok := strunvis(c.in)
		if ok != c.ok || (ok && got != c.out) {
			t.Errorf("strunvis(%q) = %q, %v; want %q, %v", c.in, got, ok, c.out, c.ok)
		}
	}
}

func TestJailFstabFieldsAreStrunvised(t *testing.T) {
	s := newKSim(t)
	root := s.dir("r")
	s.dir("r", "mnt", "a b")
	src := s.dir("src dir")
	esc := strings.ReplaceAll(src, " ", `\040`)
	fstab := s.file(filepath.Join(s.state, "fstab"), esc+" "+root+`/mnt/a\040b nullfs ro 0 0`+"\n")
	s.ok("jail", "-c", "name=f", "path="+root, "persist", "mount.fstab="+fstab)
	if m := s.world().mounts().Mounts; len(m) != 1 || m[0].Node != root+"/mnt/a b" || m[0].Special != src {
		t.Fatalf("mounts %+v", m)
	}
	s.ok("jail", "-r", "f")
	bad := s.file(filepath.Join(s.state, "fstab.bad"), esc+" "+root+`/mnt/a\qb nullfs ro 0 0`+"\n")
	s.fails(1, "jail: g: mount.fstab: "+root+`/mnt/a\qb: Invalid argument`, "jail", "-c", "name=g", "path="+root, "persist", "mount.fstab="+bad)
}

func TestJailRemoveWithMissingMountExits1AndFinishes(t *testing.T) {
	s := newKSim(t)
	root := s.dir("r")
	s.dir("r", "mnt")
	s.dir("r", "dev")
	src := s.dir("src")
	fstab := s.file(filepath.Join(s.state, "fstab"), src+" "+root+"/mnt nullfs ro 0 0\n")
	params := []string{"name=m", "path=" + root, "persist", "mount.devfs", "mount.fstab=" + fstab}
	s.ok("jail", append([]string{"-c"}, params...)...)
	// The fstab entry is unmounted behind jail(8)'s back.
	s.ok("umount", root+"/mnt")
	conf := s.file(filepath.Join(s.state, "jail.conf"), "m {\n\tpath = \""+root+"\";\n\tmount.devfs;\n\tmount.fstab = \""+fstab+"\";\n\tpersist;\n}\n")
	r := s.fails(1, "jail: m: mount.fstab: "+root+"/mnt: not a mount point", "jail", "-f", conf, "-r", "m")
	if !strings.Contains(r.stdout, "m: removed") {
		t.Fatalf("stdout %q", r.stdout)
	}
	w := s.world()
	if len(w.jails().sorted()) != 0 || len(w.mounts().Mounts) != 0 {
		t.Fatalf("jail or devfs left: %+v %+v", w.jails().sorted(), w.mounts().Mounts)
	}
}

func TestJailKernelStringLimits(t *testing.T) {
	s := newKSim(t)
	root := s.dir("r")
	s.ok("jail", "-c", "name=ok", "path="+root, "persist", "host.hostuuid="+strings.Repeat("u", 63), "host.hostname="+strings.Repeat("h", 255))
	s.fails(1, "jail: u: jail_set: File name too long", "jail", "-c", "name=u", "path="+root, "persist", "host.hostuuid="+strings.Repeat("u", 64))
	s.fails(1, "jail: h: jail_set: File name too long", "jail", "-c", "name=h", "path="+root, "persist", "host.hostname="+strings.Repeat("h", 256))
	s.fails(1, "jail: ok: jail_set: File name too long", "jail", "-m", "name=ok", "host.domainname="+strings.Repeat("d", 256))
}

func TestJailModuleParams(t *testing.T) {
	s := newKSim(t)
	root := s.dir("r")
	s.fails(1, "jail: v: unknown parameter: allow.vmm", "jail", "-c", "name=v", "path="+root, "persist", "allow.vmm")
	s.ok("kldload", "vmm")
	s.ok("jail", "-c", "name=v", "path="+root, "persist", "allow.vmm")
	// allow.mount.<fs> loads the file system's module, as libjail does.
	s.ok("jail", "-c", "name=n", "path="+root, "persist", "allow.mount.nullfs")
	s.ok("kldstat", "-q", "-m", "nullfs")
	s.fails(1, "", "kldstat", "-q", "-m", "fdescfs")
	s.fails(1, "jail: x: unknown parameter: allow.mount.nosuchfs", "jail", "-c", "name=x", "path="+root, "persist", "allow.mount.nosuchfs")
}

func TestJailCheckPathRefusesSymlinkInAnyComponent(t *testing.T) {
	s := newKSim(t)
	root := s.dir("r")
	s.dir("r", "real", "mnt")
	if err := os.Symlink("real", filepath.Join(root, "link")); err != nil {
		t.Fatal(err)
	}
	src := s.dir("src")
	s.fails(1, "jail: s: mount: "+root+"/link is a symbolic link", "jail", "-c", "name=s", "path="+root, "persist",
		"mount="+src+" "+root+"/link/mnt nullfs ro 0 0")
	if len(s.world().mounts().Mounts) != 0 {
		t.Fatal("mounted through a symlink")
	}
}
