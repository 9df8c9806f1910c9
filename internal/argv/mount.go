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

// MountShow is mount(8) without arguments: the mounted file systems as
// an admin reads them (debug).
func MountShow() Cmd { return Cmd{Name: "mount"} }

// MountOpts is `mount -t FSTYPE -o OPTIONS SOURCE DEST`, the mount(8) command
// line of one fstab(5) entry.
func MountOpts(fstype, options, source, dest string) Cmd {
	return Cmd{Name: "mount", Args: []string{"-t", fstype, "-o", options, source, dest}}
}

// MountDevfs mounts a devfs on dev, a path the caller checked holds no
// symlink (mount(8) follows one).
func MountDevfs(dev string) Cmd {
	return Cmd{Name: "mount", Args: []string{"-t", "devfs", "devfs", dev}}
}
