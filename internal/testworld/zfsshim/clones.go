package zfsshim

import (
	"sort"
	"strings"
)

// fillClones answers the clones property of the snapshots in ds, which
// zfs-fuse lacks: zfsprops(7) "clones: For snapshots, this property is a
// comma-separated list of filesystems or volumes which are clones of this
// snapshot", "-" when there are none (openzfs lib/libzfs/libzfs_dataset.c:
// zfs_prop_get fails for ZFS_PROP_CLONES when get_clones_string finds no
// clones list, and zfs prints "-"; an empty list would print "", which
// jcage reads alike). The clones are found by
// one `zfs list` of name and origin over the snapshots' pools, where a
// clone must live; nothing is run unless a snapshot's clones are asked.
func (s *Shim) fillClones(ds []dataset) {
	pools := map[string]bool{}
	for _, d := range ds {
		if d.typ != "snapshot" {
			continue
		}
		for _, v := range d.values {
			if v.prop == "clones" {
				pool, _, _ := strings.Cut(d.name, "/")
				pool, _, _ = strings.Cut(pool, "@")
				pools[pool] = true
			}
		}
	}
	if len(pools) == 0 {
		return
	}
	args := []string{"list", "-H", "-o", "name,origin", "-t", "filesystem,volume", "-r"}
	for p := range pools {
		args = append(args, p)
	}
	sort.Strings(args[7:])
	clones := map[string][]string{}
	res := s.Real.Run(ZFS, args)
	for _, line := range strings.Split(string(res.Stdout), "\n") {
		name, origin, ok := strings.Cut(line, "\t")
		if ok && origin != "-" && origin != "" {
			clones[origin] = append(clones[origin], name)
		}
	}
	for i := range ds {
		if ds[i].typ != "snapshot" {
			continue
		}
		for k, v := range ds[i].values {
			if v.prop != "clones" {
				continue
			}
			v.value, v.source = "-", "-"
			if cs := clones[ds[i].name]; len(cs) > 0 {
				v.value = strings.Join(cs, ",")
			}
			ds[i].values[k] = v
		}
	}
}
