package inventory

import (
	"reflect"
	"strings"
	"testing"
)

func TestFoldSpellings(t *testing.T) {
	if got := FoldSpellings("web"); !reflect.DeepEqual(got, []string{"web"}) {
		t.Fatalf("web: %v", got)
	}
	got := FoldSpellings("a.b_c")
	want := []string{"a.b.c", "a_b.c", "a.b_c", "a_b_c"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("a.b_c: %v", got)
	}
	if got := FoldSpellings("a.b.c.d.e.f"); got != nil {
		t.Fatalf("too many folds: %d spellings", len(got))
	}
}

func TestParseProcMounts(t *testing.T) {
	in := `sysfs /sys sysfs rw,nosuid 0 0
tank /var/tmp/p/tank fuse.zfs rw,relatime,user_id=0 0 0
tank/iocage /var/tmp/p/tank/iocage fuse.zfs rw 0 0
tank/iocage/jails/with\040space /var/tmp/p/tank/iocage/jails/with\040space fuse.zfs rw 0 0
zroot/ROOT/default / zfs rw,xattr 0 0
/dev/sda1 /boot ext4 rw 0 0
`
	got, err := ParseProcMounts(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := MountTable{
		"tank":                         "/var/tmp/p/tank",
		"tank/iocage":                  "/var/tmp/p/tank/iocage",
		"tank/iocage/jails/with space": "/var/tmp/p/tank/iocage/jails/with space",
		"zroot/ROOT/default":           "/",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v", got)
	}
}
