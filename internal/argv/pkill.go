package argv

import "strconv"

// PkillJail is `pkill -j JID`: every process of the jail killed.
func PkillJail(jid int) Cmd { return cmd("pkill", "-j", strconv.Itoa(jid)) }
