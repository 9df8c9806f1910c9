package fbsdsim

import (
	"strings"
	"testing"
)

func TestDevfsRulesets(t *testing.T) {
	s := newKSim(t)
	wantEq(t, "showsets", s.ok("devfs", "rule", "showsets"), "1\n2\n3\n4\n5\n")
	wantEq(t, "show 4", s.ok("devfs", "rule", "-s", "4", "show"),
		"100 include 1\n200 include 2\n300 include 3\n400 path fuse unhide\n500 path zfs unhide\n")
	s.assertLogged("devfs", "rule", "-s", "4", "show")

	// iocage's generated ruleset: hide everything, then unhide.
	s.ok("devfs", "rule", "-s", "1000", "add", "hide")
	s.ok("devfs", "rule", "-s", "1000", "add", "path", "null", "unhide")
	s.ok("devfs", "rule", "-s", "1000", "add", "path", "bpf*", "unhide")
	s.ok("devfs", "rule", "-s", "1000", "add", "450", "type", "tty", "path", "tty*", "mode", "0660", "group", "tty", "user", "root")
	wantEq(t, "show 1000", s.ok("devfs", "rule", "-s", "1000", "show"),
		"100 hide\n200 path null unhide\n300 path bpf* unhide\n450 type tty path tty* user root group tty mode 660\n")
	wantEq(t, "show one", s.ok("devfs", "rule", "-s", "1000", "show", "200"), "200 path null unhide\n")
	wantEq(t, "showsets", s.ok("devfs", "rule", "showsets"), "1\n2\n3\n4\n5\n1000\n")
	s.fails(1, "devfs rule: ioctl DEVFSIO_RADD: File exists\n", "devfs", "rule", "-s", "1000", "add", "200", "hide")
	s.fails(1, "devfs rule: unknown argument: sideways\n", "devfs", "rule", "-s", "1000", "add", "sideways")
	s.fails(1, "devfs rule: invalid mode: rwx\n", "devfs", "rule", "-s", "1000", "add", "mode", "rwx")
	s.fails(1, "devfs rule: unknown command: frob\n", "devfs", "rule", "-s", "1000", "frob")
	s.fails(1, "devfs: unknown command: rules\n", "devfs", "rules")
	s.fails(1, "usage: devfs rule|ruleset arguments\n", "devfs")
	s.fails(1, "devfs rule: error converting to number: x\n", "devfs", "rule", "-s", "x", "show")
	s.ok("devfs", "rule", "-s", "1000", "del", "300")
	s.fails(1, "devfs rule: ioctl DEVFSIO_RDEL: No such file or directory\n", "devfs", "rule", "-s", "1000", "del", "300")

	// Rules from stdin.
	s.stdin = "path pf unhide\npath zfs unhide\n"
	s.ok("devfs", "rule", "-s", "1001", "add", "-")
	wantEq(t, "stdin rules", s.ok("devfs", "rule", "-s", "1001", "show"), "100 path pf unhide\n200 path zfs unhide\n")

	// A devfs mount applies and references a ruleset.
	dev := s.dir("root", "dev")
	s.ok("mount", "-t", "devfs", "-oruleset=1000", ".", dev)
	s.ok("devfs", "-m", dev, "rule", "-s", "1000", "applyset")
	s.ok("devfs", "-m", dev, "ruleset", "1001")
	s.fails(1, "devfs rule: ioctl DEVFSIO_SAPPLY: Inappropriate ioctl for device", "devfs", "-m", s.dir("root"), "rule", "-s", "4", "applyset")
	s.fails(1, "devfs: open: /nonexistent/dev: No such file or directory", "devfs", "-m", "/nonexistent/dev", "rule", "-s", "4", "applyset")
	s.fails(1, "devfs rule: ioctl DEVFSIO_SAPPLY: No such process", "devfs", "-m", dev, "rule", "-s", "2000", "applyset")

	// delset empties a ruleset; it vanishes once nothing refers to it.
	s.ok("devfs", "rule", "-s", "1000", "delset")
	s.ok("devfs", "rule", "-s", "1001", "delset")
	if !strings.Contains(s.ok("devfs", "rule", "showsets"), "1001") {
		t.Fatal("1001 is still the mount's ruleset and must exist")
	}
	s.ok("umount", dev)
	wantEq(t, "showsets after", s.ok("devfs", "rule", "showsets"), "1\n2\n3\n4\n5\n")
}
