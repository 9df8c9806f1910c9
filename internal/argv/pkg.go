package argv

import "strconv"

// PkgJail is `pkg -j JID ARGS...`: the host's pkg(8) working on a jail.
func PkgJail(jid int, args ...string) Cmd {
	return cmd("pkg", append([]string{"-j", strconv.Itoa(jid)}, args...)...)
}
