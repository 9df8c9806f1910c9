package argv

// UmountPlain is `umount PATH`: unmount the file system on path.
func UmountPlain(path string) Cmd { return Cmd{Name: "umount", Args: []string{path}} }
