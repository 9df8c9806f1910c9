package argv

// Kldload is `kldload -n MODULE`: load a kernel module on the host; -n
// makes an already loaded module a success (kldload(8)).
func Kldload(module string) Cmd { return Cmd{Name: "kldload", Args: []string{"-n", module}} }
