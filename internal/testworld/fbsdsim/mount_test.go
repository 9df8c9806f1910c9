package fbsdsim

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

func TestMountNullfsAndUmount(t *testing.T) {
	s := newKSim(t)
	src := s.dir("src")
	dst := s.dir("jail", "usr", "src")
	wantEq(t, "mount", s.ok("mount", "-t", "nullfs", "-o", "ro", src, dst), "")
	s.assertLogged("mount", "-t", "nullfs", "-o", "ro", src, dst)
	wantEq(t, "list", s.ok("mount"), fmt.Sprintf("%s on %s (nullfs, local, read-only)\n", src, dst))
	wantEq(t, "-p", s.ok("mount", "-p"), fmt.Sprintf("%s%snullfs\tro\t\t0 0\n", fstabPad(src), fstabPad(dst)))
	wantEq(t, "-t devfs filter", s.ok("mount", "-t", "devfs"), "")

	wantEq(t, "umount", s.ok("umount", dst), "")
	wantEq(t, "list after", s.ok("mount"), "")
	s.fails(1, "umount: "+dst+": not a file system root directory\n", "umount", dst)
	missing := filepath.Join(s.state, "gone")
	r := s.fails(1, "", "umount", missing)
	wantEq(t, "missing path", r.stderr, "umount: "+missing+": statfs: No such file or directory\numount: "+missing+": unknown file system\n")

	wantEq(t, "mount_nullfs", s.ok("mount_nullfs", src, dst), "")
	s.ok("umount", "-f", dst)
	s.fails(1, "usage: mount_nullfs [-o options] target mount-point", "mount_nullfs", src)
	s.fails(1, "mount_nullfs: /nonexistent/src: No such file or directory", "mount_nullfs", "/nonexistent/src", dst)
	s.fails(1, "mount_nullfs: "+src+" ("+src+") and "+src+" are not distinct paths", "mount_nullfs", src, src)
	s.fails(1, "mount: /nonexistent/dst: No such file or directory", "mount", "-t", "devfs", "devfs", "/nonexistent/dst")
	s.fails(1, "mount_nullfs: "+dst+": mount option <defaults> is unknown: Invalid argument", "mount", "-t", "nullfs", "-o", "defaults", src, dst)
	s.fails(1, "mount: exec mount_ext4 not found in /sbin:/usr/sbin: No such file or directory", "mount", "-t", "ext4", src, dst)
	s.fails(1, "usage: mount [-adflpruvw]", "mount", "a", "b", "c")
	s.fails(1, "usage: umount [-fNnv]", "umount")
	s.fails(1, "usage: umount", "umount", "-f", "-n", dst)
	s.fails(1, "umount: illegal option -- z", "umount", "-z", dst)
}

func TestMountStackingAndBusy(t *testing.T) {
	s := newKSim(t)
	src := s.dir("src")
	root := s.dir("root")
	dev := s.dir("root", "dev")
	s.ok("mount", "-t", "nullfs", src, root)
	s.ok("mount", "-t", "devfs", "-o", "ruleset=4", "devfs", dev)
	s.fails(1, "umount: unmount of "+root+" failed: Device busy", "umount", "-f", root)
	wantEq(t, "list", s.ok("mount"), fmt.Sprintf("%s on %s (nullfs, local)\ndevfs on %s (devfs)\n", src, root, dev))
	wantEq(t, "-v", s.ok("umount", "-v", dev), "devfs: unmount from "+dev+"\n")
	s.ok("umount", root)
	// umount -A leaves nothing but / and /dev.
	s.ok("mount", "-t", "tmpfs", "tmpfs", root)
	s.ok("mount", "-t", "procfs", "proc", dev)
	s.ok("umount", "-A")
	wantEq(t, "after -A", s.ok("mount"), "")
	// mount -u changes options in place.
	s.ok("mount", "-t", "nullfs", src, root)
	s.ok("mount", "-u", "-o", "ro,noatime", root)
	wantEq(t, "after -u", s.ok("mount"), fmt.Sprintf("%s on %s (nullfs, local, noatime, read-only)\n", src, root))
	s.fails(1, "mount: not currently mounted "+dev, "mount", "-u", "-o", "ro", dev)
}

func TestMountAllFromFstab(t *testing.T) {
	s := newKSim(t)
	a := s.dir("a")
	b := s.dir("b")
	root := s.dir("root")
	ma := s.dir("root", "a dir")
	mb := s.dir("root", "b")
	fstab := s.file(filepath.Join(s.state, "fstab"), "# iocage fstab\n"+
		a+"\t"+strings.ReplaceAll(ma, " ", "\\040")+"\tnullfs\tro\t0\t0 # comment\n"+
		b+"\t"+mb+"\tnullfs\trw,noauto\t0\t0\n"+
		b+"\t"+mb+"\tnullfs\tnoatime\t0\t0\n"+
		"tmpfs\t"+root+"/tmp\ttmpfs\trw,late\t0\t0\n")
	r := s.run("mount", "-a", "-F", fstab)
	if r.code != 0 || r.stderr != fmt.Sprintf("fstab: %s:4: Inappropriate file type or format\n", fstab) {
		t.Fatalf("mount -a: %+v", r)
	}
	wantEq(t, "mounted", s.ok("mount"), fmt.Sprintf("%s on %s (nullfs, local, read-only)\n", a, ma))
	// Already mounted entries are skipped.
	s.run("mount", "-a", "-F", fstab)
	if n := len(s.world().mounts().Mounts); n != 1 {
		t.Fatalf("%d mounts after second mount -a", n)
	}
	// umount -a -F walks the file backwards and reports entries that are
	// not mounted (iocage ignores this in its best-effort cleanup).
	r = s.run("umount", "-a", "-F", fstab)
	if r.code != 1 || len(s.world().mounts().Mounts) != 0 ||
		!strings.Contains(r.stderr, "umount: "+mb+": not a file system root directory\n") ||
		!strings.Contains(r.stderr, "umount: "+root+"/tmp: unknown file system\n") {
		t.Fatalf("umount -a: %+v, mounts %v", r, s.world().mounts().Mounts)
	}
	s.fails(1, "nope: No such file or directory", "mount", "-a", "-F", filepath.Join(s.state, "nope"))
}

func TestMountFstabFormat(t *testing.T) {
	s := newKSim(t)
	e := &Env{State: s.state}
	w, _ := e.loadWorld()
	w.mounts().Mounts = []simMount{
		{Special: "/usr/src", Node: "/jails/foo/usr/src", FSType: "nullfs"},
		{Special: "devfs", Node: "/jails/foo/dev", FSType: "devfs", Opts: []string{"nosuid", "noexec"}, Ruleset: 4},
		{Special: "/a/very/long/source/directory/path", Node: "/x", FSType: "nullfs", Opts: []string{"ro"}},
	}
	if err := e.saveWorld(w); err != nil {
		t.Fatal(err)
	}
	wantEq(t, "mount -p", s.ok("mount", "-p"), "/usr/src\t\t/jails/foo/usr/src\tnullfs\trw\t\t0 0\n"+
		"devfs\t\t\t/jails/foo/dev\t\tdevfs\trw,noexec,nosuid \t0 0\n"+
		"/a/very/long/source/directory/path /x\t\t\tnullfs\tro\t\t0 0\n")
	wantEq(t, "mount", s.ok("mount"), "/usr/src on /jails/foo/usr/src (nullfs, local)\n"+
		"devfs on /jails/foo/dev (devfs, noexec, nosuid)\n"+
		"/a/very/long/source/directory/path on /x (nullfs, local, read-only)\n")
	// The mount point is gone from disk, yet umount still finds it.
	s.ok("umount", "/jails/foo/dev")
}

func TestMountLibxoJSON(t *testing.T) {
	s := newKSim(t)
	src := s.dir("src")
	dst := s.dir("dst")
	s.ok("mount", "-t", "nullfs", "-o", "ro,nosuid", src, dst)
	out := s.ok("mount", "--libxo", "json")
	var doc struct {
		Mount struct {
			Mounted []struct {
				Special, Node, Fstype string
				Opts                  []string
			} `json:"mounted"`
		} `json:"mount"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	m := doc.Mount.Mounted[0]
	if m.Special != src || m.Node != dst || m.Fstype != "nullfs" || strings.Join(m.Opts, ",") != "local,nosuid,read-only" {
		t.Fatalf("json %+v", m)
	}
}
