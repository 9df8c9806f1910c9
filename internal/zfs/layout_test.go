package zfs

import (
	"testing"
	"time"
)

func TestLayoutNames(t *testing.T) {
	l := Layout{Pool: "tank"}
	for got, want := range map[string]string{
		l.Root():                      "tank/iocage",
		l.Jail("web"):                 "tank/iocage/jails/web",
		l.JailRoot("web"):             "tank/iocage/jails/web/root",
		l.JailData("web"):             "tank/iocage/jails/web/data",
		l.Template("t"):               "tank/iocage/templates/t",
		l.TemplateRoot("t"):           "tank/iocage/templates/t/root",
		l.Release("14.3-RELEASE"):     "tank/iocage/releases/14.3-RELEASE",
		l.ReleaseRoot("14.3-RELEASE"): "tank/iocage/releases/14.3-RELEASE/root",
		l.Download("14.3-RELEASE"):    "tank/iocage/download/14.3-RELEASE",
		l.Images():                    "tank/iocage/images",
		l.Log():                       "tank/iocage/log",
	} {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
	tree := l.Tree()
	if len(tree) != 7 || tree[0] != "tank/iocage" || tree[6] != "tank/iocage/templates" {
		t.Fatalf("tree = %q", tree)
	}
}

func TestChildBoundary(t *testing.T) {
	for _, tc := range []struct {
		parent, name string
		want         bool
	}{
		{"p/jails/foo", "p/jails/foo", true},
		{"p/jails/foo", "p/jails/foo/root", true},
		{"p/jails/foo", "p/jails/foo@snap", true},
		{"p/jails/foo", "p/jails/foo/root@snap", true},
		{"p/jails/foo", "p/jails/foobar", false},
		{"p/jails/foo", "p/jails/foo-bar/root", false},
		{"p/jails/foo", "p/jails/foobar@foo", false},
	} {
		if got := Child(tc.parent, tc.name); got != tc.want {
			t.Errorf("Child(%q, %q) = %v", tc.parent, tc.name, got)
		}
	}
}

func TestNameHelpers(t *testing.T) {
	if Base("p/a/b") != "b" || Base("p/a@s") != "s" || Parent("p/a/b") != "p/a" || Parent("p/a@s") != "p/a" || Parent("p") != "" || PoolOf("p/a@s") != "p" {
		t.Fatal("name helpers")
	}
	ts := time.Date(2023, 11, 23, 11, 45, 10, 0, time.UTC)
	if got := UserSnapName(ts); got != "2023-11-23_11:45:10" {
		t.Errorf("UserSnapName = %q", got)
	}
	if got := UpdateSnapName("13.2-RELEASE-p4", ts.Local()); got != "ioc_update_13.2-RELEASE-p4_"+ts.Local().Format("2006-01-02_15-04-05") {
		t.Errorf("UpdateSnapName = %q", got)
	}
	if got := ExportSnapName(ts); got != "ioc-export-2023-11-23" {
		t.Errorf("ExportSnapName = %q", got)
	}
	if got := UpgradeSnapName(ts); got != "ioc_upgrade_2023-11-23" {
		t.Errorf("UpgradeSnapName = %q", got)
	}
}

func TestListArgsAndParse(t *testing.T) {
	args := ListArgs("tank/iocage/jails", ListOptions{Depth: 1, Props: []string{"org.freebsd.ioc:active"}})
	want := "list -H -p -o name,type,origin,used,available,referenced,mountpoint,mounted,creation,org.freebsd.ioc:active -d 1 -t filesystem tank/iocage/jails"
	if got := join(args); got != want {
		t.Fatalf("args = %q", got)
	}
	if got := join(ListArgs("", ListOptions{})); got != "list -H -p -o name,type,origin,used,available,referenced,mountpoint,mounted,creation -d 0 -t filesystem" {
		t.Fatalf("pool roots args = %q", got)
	}
	out := "tank/iocage/jails\tfilesystem\t-\t98304\t1000\t98304\t/tank/iocage/jails\tyes\t1700000000\t-\n" +
		"tank/iocage/jails/a@s\tsnapshot\t-\t0\t-\t512\t-\t-\t1700000001\tyes\n"
	ds, err := ParseList([]byte(out), []string{"org.freebsd.ioc:active"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 2 || ds[0].Used != 98304 || !ds[0].Mounted || ds[0].Mountpoint != "/tank/iocage/jails" || ds[0].Origin != "" ||
		ds[1].Type != Snapshot || ds[1].Mountpoint != "" || ds[1].Prop("org.freebsd.ioc:active") != "yes" || ds[1].Creation.Unix() != 1700000001 {
		t.Fatalf("parsed %+v", ds)
	}
	if _, err := ParseList([]byte("a\tb\n"), nil); err == nil {
		t.Fatal("short line accepted")
	}
}

func join(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out
}
