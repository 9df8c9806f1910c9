package argv

// FreebsdVersionUserland is `freebsd-version -u`: the host's userland
// release.
func FreebsdVersionUserland() Cmd { return Cmd{Name: "freebsd-version", Args: []string{"-u"}} }
