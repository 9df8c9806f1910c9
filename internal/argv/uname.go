package argv

// UnameRelease is `uname -r`: the running kernel's release.
func UnameRelease() Cmd { return cmd("uname", "-r") }

// UnameMachineRelease is `uname -m -p -r`: the host's machine,
// machine_arch and release in one call (uname prints the release first).
func UnameMachineRelease() Cmd { return cmd("uname", "-m", "-p", "-r") }
