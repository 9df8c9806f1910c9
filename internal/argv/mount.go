package argv

// MountList is mount(8) without arguments: the mounted file systems.
func MountList() Cmd { return Cmd{Name: "mount"} }

// Mount is `mount -t FSTYPE -o OPTIONS SOURCE DEST`, the mount(8) command
// line of one fstab(5) entry.
func Mount(fstype, options, source, dest string) Cmd {
	return Cmd{Name: "mount", Args: []string{"-t", fstype, "-o", options, source, dest}}
}

// MountDevfs mounts a devfs on dev, a path the caller checked holds no
// symlink (mount(8) follows one).
func MountDevfs(dev string) Cmd {
	return Cmd{Name: "mount", Args: []string{"-t", "devfs", "devfs", dev}}
}
