package argv

// UnameRelease is `uname -r`: the running kernel's release.
func UnameRelease() Cmd { return cmd("uname", "-r") }
