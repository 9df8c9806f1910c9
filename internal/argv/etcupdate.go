package argv

// Etcupdate is `etcupdate -F -D ROOT -s SRC`: the /etc of the sources in
// SRC merged into the tree at ROOT from the host. -D makes ROOT the
// destination (and its var/db/etcupdate the work directory), -F ignores
// changes to $FreeBSD$ lines only, as iocage asks.
func Etcupdate(root, src string) Cmd { return cmd("etcupdate", "-F", "-D", root, "-s", src) }
