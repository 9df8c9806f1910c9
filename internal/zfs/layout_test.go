package zfs

import (
	"testing"
	"time"

	"github.com/jcage/jcage/internal/layout"
)

func TestLayoutNames(t *testing.T) {
	l := layout.Layout{Pool: "tank"}
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
	d := layout.Dirs("/tank/iocage")
	rel := layout.Layout{}
	for got, want := range map[string]string{
		l.Staging("14.3-RELEASE"):              "tank/iocage/download/14.3-RELEASE/.staging",
		rel.JailData("web"):                    "iocage/jails/web/data",
		layout.RootOf("tank/iocage/jails/web"): "tank/iocage/jails/web/root",
		d.Jails():                              "/tank/iocage/jails",
		d.Jail("web"):                          "/tank/iocage/jails/web",
		d.Templates():                          "/tank/iocage/templates",
		d.Template("t"):                        "/tank/iocage/templates/t",
		d.Release("14.3-RELEASE"):              "/tank/iocage/releases/14.3-RELEASE",
		d.ReleaseRoot("14.3-RELEASE"):          "/tank/iocage/releases/14.3-RELEASE/root",
		d.Download("14.3-RELEASE"):             "/tank/iocage/download/14.3-RELEASE",
		d.Images():                             "/tank/iocage/images",
		d.Log():                                "/tank/iocage/log",
	} {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
	if ds, ok := layout.RootOwner("tank/iocage/jails/web/root"); !ok || ds != "tank/iocage/jails/web" {
		t.Errorf("RootOwner = %q %v", ds, ok)
	}
	if _, ok := layout.RootOwner("tank/iocage/jails/web/rootx"); ok {
		t.Error("RootOwner took rootx")
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
		if got := layout.Child(tc.parent, tc.name); got != tc.want {
			t.Errorf("Child(%q, %q) = %v", tc.parent, tc.name, got)
		}
	}
}

func TestNameHelpers(t *testing.T) {
	if layout.Base("p/a/b") != "b" || layout.Base("p/a@s") != "s" || layout.Parent("p/a/b") != "p/a" || layout.Parent("p/a@s") != "p/a" || layout.Parent("p") != "" || layout.PoolOf("p/a@s") != "p" {
		t.Fatal("name helpers")
	}
	ts := time.Date(2023, 11, 23, 11, 45, 10, 0, time.UTC)
	if got := layout.UserSnapName(ts); got != "2023-11-23_11:45:10" {
		t.Errorf("UserSnapName = %q", got)
	}
	if got := layout.UpdateSnapName("13.2-RELEASE-p4", ts.Local()); got != "ioc_update_13.2-RELEASE-p4_"+ts.Local().Format("2006-01-02_15-04-05") {
		t.Errorf("UpdateSnapName = %q", got)
	}
	if got := layout.ExportSnapName(ts); got != "ioc-export-2023-11-23" {
		t.Errorf("ExportSnapName = %q", got)
	}
	if got := layout.UpgradeSnapName(ts); got != "ioc_upgrade_2023-11-23" {
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
