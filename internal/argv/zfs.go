package argv

// The zfs(8) calls of a jail's start and stop that hand datasets to it;
// everything else jcage asks of ZFS goes through internal/zfs.

// ZFSJail is `zfs jail JAIL DATASET`.
func ZFSJail(jail, dataset string) Cmd { return cmd("zfs", "jail", jail, dataset) }

// ZFSUnjail is `zfs unjail JAIL DATASET`.
func ZFSUnjail(jail, dataset string) Cmd { return cmd("zfs", "unjail", jail, dataset) }

// ZFSMount is `zfs mount DATASET`, run inside the jail.
func ZFSMount(dataset string) Cmd { return cmd("zfs", "mount", dataset) }

// ZFSUmount is `zfs umount DATASET`, run inside the jail.
func ZFSUmount(dataset string) Cmd { return cmd("zfs", "umount", dataset) }
