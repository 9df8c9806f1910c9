package argv

// Umount unmounts the file system on path.
func Umount(path string) Cmd { return Cmd{Name: "umount", Args: []string{path}} }

// UmountForce is `umount -f PATH`: unmount even with files open, as a
// running jail's fstab entry is taken away.
func UmountForce(path string) Cmd { return Cmd{Name: "umount", Args: []string{"-f", path}} }
