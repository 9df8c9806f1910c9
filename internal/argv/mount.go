package argv

// Mount is `mount -t FSTYPE FROM NODE`.
func Mount(fstype, from, node string) Cmd { return cmd("mount", "-t", fstype, from, node) }

// MountList is `mount -p`: the mount table in fstab's format.
func MountList() Cmd { return cmd("mount", "-p") }

// Umount is `umount -f NODE`.
func Umount(node string) Cmd { return cmd("umount", "-f", node) }

// UmountFstab is `umount -afF FSTAB`: every file system FSTAB lists,
// unmounted by force.
func UmountFstab(fstab string) Cmd { return cmd("umount", "-afF", fstab) }
