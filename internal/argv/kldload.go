package argv

// Kldload is `kldload -n MODULE`: load it unless it is already in.
func Kldload(module string) Cmd { return cmd("kldload", "-n", module) }

// KldloadNew is `kldload MODULE`, which fails when the module is already
// loaded: how iocage tells whether it loaded pf just now.
func KldloadNew(module string) Cmd { return cmd("kldload", module) }
