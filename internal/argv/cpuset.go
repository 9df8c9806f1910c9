package argv

import "strconv"

// CpusetJail pins a running jail to CPUs: `cpuset -l LIST -j JID`.
// iocage passes the jail's name to -j; cpuset(1) of older releases reads
// -j as a number only, so jcage passes the JID, as the freebsd/iocage
// fork does for live changes.
func CpusetJail(list string, jid int) Cmd { return cmd("cpuset", "-l", list, "-j", strconv.Itoa(jid)) }
