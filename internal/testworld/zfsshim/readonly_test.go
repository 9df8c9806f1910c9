package zfsshim

import (
	"testing"
	"time"
)

const treeOfT = "zfs list -H -o name,mounted -r -t filesystem tank/t"

// mountedT is tank/t with its root mounted and one unmounted child.
var mountedT = ok("tank/t\tyes\ntank/t/root\tyes\ntank/t/off\tno\n")

var remountT = []string{treeOfT, "zfs umount tank/t/root", "zfs umount tank/t", "zfs mount tank/t", "zfs mount tank/t/root"}

func TestSetReadonlyRemounts(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		calls []string
	}{
		{"one pair", []string{"set", "readonly=on", "tank/t"},
			append([]string{"zfs set readonly=on tank/t", "zfs set jcage.zfsshim:readonly=on tank/t"}, remountT...)},
		{"short name", []string{"set", "rdonly=off", "tank/t"},
			append([]string{"zfs set readonly=off tank/t", "zfs set jcage.zfsshim:readonly=off tank/t"}, remountT...)},
		{"among other pairs", []string{"set", "org.freebsd.ioc:x=1", "readonly=off", "atime=off", "tank/t"},
			append([]string{"zfs set org.freebsd.ioc:x=1 tank/t", "zfs set readonly=off tank/t", "zfs set jcage.zfsshim:readonly=off tank/t", "zfs set atime=off tank/t"}, remountT...)},
		{"nested targets remount once", []string{"set", "readonly=on", "tank/t", "tank/t/root"},
			append([]string{"zfs set readonly=on tank/t tank/t/root", "zfs set jcage.zfsshim:readonly=on tank/t tank/t/root"}, remountT...)},
		{"-u leaves the mounts", []string{"set", "-u", "readonly=on", "tank/t"},
			[]string{"zfs set readonly=on tank/t", "zfs set jcage.zfsshim:readonly=on tank/t"}},
		{"snapshot", []string{"set", "readonly=on", "tank/t@s"},
			[]string{"zfs set readonly=on tank/t@s", "zfs set jcage.zfsshim:readonly=on tank/t@s"}},
		{"inherit", []string{"inherit", "readonly", "tank/t"},
			append([]string{"zfs inherit readonly tank/t", "zfs inherit jcage.zfsshim:readonly tank/t"}, remountT...)},
		{"inherit -r", []string{"inherit", "-r", "rdonly", "tank/t"},
			append([]string{"zfs inherit -r readonly tank/t", "zfs inherit -r jcage.zfsshim:readonly tank/t"}, remountT...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t).on(treeOfT, mountedT)
			for _, c := range tt.calls {
				if c != treeOfT {
					f.on(c, ok(""))
				}
			}
			runShim(f, "zfs", tt.args...).want(t, "", "", 0)
			f.wantCalls(t, tt.calls...)
		})
	}
}

func TestSetReadonlyFailures(t *testing.T) {
	// A refused value stores nothing and remounts nothing.
	bad := "cannot set property for 'tank/t': 'readonly' must be one of 'on | off'\n"
	f := newFake(t).on("zfs set readonly=bogus tank/t", fail(1, bad))
	runShim(f, "zfs", "set", "readonly=bogus", "tank/t").want(t, "", bad, 1)
	f.wantCalls(t, "zfs set readonly=bogus tank/t")

	// A later pair failing still leaves the stored readonly applied.
	f = newFake(t).on("zfs set readonly=on tank/t", ok("")).on("zfs set jcage.zfsshim:readonly=on tank/t", ok("")).
		on("zfs set atime=bogus tank/t", fail(1, "bad atime\n")).on(treeOfT, ok("tank/t\tyes\n")).
		on("zfs umount tank/t", ok("")).on("zfs mount tank/t", ok(""))
	runShim(f, "zfs", "set", "readonly=on", "atime=bogus", "tank/t").want(t, "", "bad atime\n", 1)
	f.wantCalls(t, "zfs set readonly=on tank/t", "zfs set jcage.zfsshim:readonly=on tank/t", "zfs set atime=bogus tank/t",
		treeOfT, "zfs umount tank/t", "zfs mount tank/t")

	// A transient "busy" is retried; a mount held by a process is left
	// mounted, and what was unmounted below it is mounted again.
	busy := fail(1, "cannot unmount 'tank/t/root': dataset is busy\n")
	f = newFake(t).on("zfs set readonly=on tank/t", ok("")).on("zfs set jcage.zfsshim:readonly=on tank/t", ok("")).
		on(treeOfT, mountedT).
		on("zfs umount tank/t/root", busy, ok("")).
		on("zfs umount tank/t", fail(1, "umount2: Device or resource busy\numount: /tank/t: target is busy.\ncannot unmount '/tank/t': umount failed\n")).
		on("zfs mount tank/t/root", ok(""))
	o := runShim(f, "zfs", "set", "readonly=on", "tank/t")
	o.want(t, "", "", 0)
	f.wantCalls(t, "zfs set readonly=on tank/t", "zfs set jcage.zfsshim:readonly=on tank/t", treeOfT,
		"zfs umount tank/t/root", "zfs umount tank/t/root", "zfs umount tank/t", "zfs mount tank/t/root")
	if len(o.sleeps) != 1 || o.sleeps[0] != 50*time.Millisecond {
		t.Errorf("sleeps = %v", o.sleeps)
	}

	// A mount that fails afterwards leaves the dataset unmounted: said.
	f = newFake(t).on("zfs inherit readonly tank/t", ok("")).on("zfs inherit jcage.zfsshim:readonly tank/t", ok("")).
		on(treeOfT, mountedT).on("zfs umount tank/t/root", ok("")).on("zfs umount tank/t", ok("")).
		on("zfs mount tank/t", ok("")).on("zfs mount tank/t/root", fail(1, "cannot mount '/tank/t/root': failed to create mountpoint\n"))
	runShim(f, "zfs", "inherit", "readonly", "tank/t").want(t, "", "cannot mount '/tank/t/root': failed to create mountpoint\n", 1)
}

func TestCreateAndCloneReadonly(t *testing.T) {
	f := newFake(t).on("zfs create -p -o readonly=on -o jcage.zfsshim:readonly=on tank/templates/t", ok(""))
	runShim(f, "zfs", "create", "-p", "-o", "readonly=on", "tank/templates/t").want(t, "", "", 0)
	f.wantCalls(t, "zfs create -p -o readonly=on -o jcage.zfsshim:readonly=on tank/templates/t")

	f = newFake(t).on("exec zfs clone -o readonly=on -o jcage.zfsshim:readonly=on tank/a@s tank/b", ok(""))
	runShim(f, "zfs", "clone", "-o", "readonly=on", "tank/a@s", "tank/b").want(t, "", "", 0)
}

func TestGetReadonlyReportsSetting(t *testing.T) {
	// zfs-fuse reports the mount's state ("off temporary") for a mounted
	// dataset whose setting is on.
	f := newFake(t).on("zfs get -H -o name,property,value,source -r type,readonly,jcage.zfsshim:readonly tank/t", ok(getRows(
		[]string{"tank/t", "type=filesystem", "readonly=off=temporary", "jcage.zfsshim:readonly=on=local"},
		[]string{"tank/t@s", "type=snapshot", "readonly=-", "jcage.zfsshim:readonly=on=inherited from tank/t"},
		[]string{"tank/t/root", "type=filesystem", "readonly=off=temporary", "jcage.zfsshim:readonly=on=inherited from tank/t"},
		[]string{"tank/t/root/un", "type=filesystem", "readonly=on=inherited from tank/t", "jcage.zfsshim:readonly=on=inherited from tank/t"},
		[]string{"tank/t/rw", "type=filesystem", "readonly=off=local", "jcage.zfsshim:readonly=off=local"},
		[]string{"tank/t/stale", "type=filesystem", "readonly=off=default", "jcage.zfsshim:readonly=on=local"},
		[]string{"tank/t/bare", "type=filesystem", "readonly=off=temporary", "jcage.zfsshim:readonly=-"},
		[]string{"tank/t/rocopy", "type=filesystem", "readonly=on=temporary", "jcage.zfsshim:readonly=-"},
	)))
	runShim(f, "zfs", "get", "-H", "-r", "readonly", "tank/t").want(t,
		"tank/t\treadonly\ton\tlocal\n"+
			"tank/t@s\treadonly\t-\t-\n"+
			"tank/t/root\treadonly\ton\tinherited from tank/t\n"+
			"tank/t/root/un\treadonly\ton\tinherited from tank/t\n"+
			"tank/t/rw\treadonly\toff\tlocal\n"+
			"tank/t/stale\treadonly\toff\tdefault\n"+
			"tank/t/bare\treadonly\ton\tlocal\n"+
			"tank/t/rocopy\treadonly\toff\tdefault\n",
		"", 0)

	// -s filters on the reported source.
	f = newFake(t).on("zfs get -H -p -o name,property,value,source type,readonly,jcage.zfsshim:readonly tank/t", ok(getRows(
		[]string{"tank/t", "type=filesystem", "readonly=off=temporary", "jcage.zfsshim:readonly=on=local"},
	)))
	runShim(f, "zfs", "get", "-Hp", "-s", "local", "-o", "value,source", "rdonly", "tank/t").want(t, "on\tlocal\n", "", 0)

	f = newFake(t).on("zfs get -H -o name,property,value,source all tank/t", ok(getRows(
		[]string{"tank/t", "type=filesystem", "readonly=off=temporary", "atime=on=default", "jcage.zfsshim:readonly=on=local"},
	)))
	runShim(f, "zfs", "get", "-H", "-o", "property,value,source", "-s", "local,temporary", "all", "tank/t").want(t, "readonly\ton\tlocal\n", "", 0)
}

func TestListReadonly(t *testing.T) {
	rows := getRows(
		[]string{"tank/t", "type=filesystem", "readonly=off=temporary", "jcage.zfsshim:readonly=on=local"},
		[]string{"tank/t/root", "type=filesystem", "readonly=off=temporary", "jcage.zfsshim:readonly=on=inherited from tank/t"},
		[]string{"tank/u", "type=filesystem", "readonly=off=default", "jcage.zfsshim:readonly=-"},
	)
	f := newFake(t).on("zfs get -H -o name,property,value,source type,readonly,jcage.zfsshim:readonly tank/t tank/u", ok(rows))
	runShim(f, "zfs", "list", "-o", "name,readonly", "tank/t", "tank/u").want(t,
		"NAME         RDONLY\n"+
			"tank/t       on\n"+
			"tank/t/root  on\n"+
			"tank/u       off\n", "", 0)

	f = newFake(t).on("zfs get -H -p -o name,property,value,source -r type,readonly,jcage.zfsshim:readonly tank", ok(rows))
	runShim(f, "zfs", "list", "-Hp", "-r", "-o", "name,rdonly", "tank").want(t, "tank/t\ton\ntank/t/root\ton\ntank/u\toff\n", "", 0)
}
