package zfsshim

import "testing"

// zfs-fuse has no clones property: the shim finds a snapshot's clones
// from the origins on its pool, in one extra call, and only when asked.
func TestListClones(t *testing.T) {
	f := newFake(t).
		on("zfs get -H -p -o name,property,value,source -r type tank/rel", ok(getRows(
			[]string{"tank/rel", "type=filesystem"},
			[]string{"tank/rel@a", "type=snapshot"},
			[]string{"tank/rel@b", "type=snapshot"},
		))).
		on("zfs list -H -o name,origin -t filesystem,volume -r tank", ok(
			"tank\t-\ntank/rel\t-\ntank/iocage/jails/x/root\ttank/rel@a\ntank/keep\ttank/rel@a\n"))
	runShim(f, "zfs", "list", "-H", "-p", "-o", "name,clones", "-t", "snapshot", "-r", "tank/rel").
		want(t, "tank/rel@a\ttank/iocage/jails/x/root,tank/keep\ntank/rel@b\t-\n", "", 0)

	// A filesystem's clones is "-", with no extra call.
	f = newFake(t).on("zfs get -H -p -o name,property,value,source type tank/rel", ok(getRows(
		[]string{"tank/rel", "type=filesystem"},
	)))
	runShim(f, "zfs", "list", "-H", "-p", "-o", "name,clones", "tank/rel").want(t, "tank/rel\t-\n", "", 0)
}
