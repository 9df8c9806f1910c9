package argv

import "strconv"

// JailModify is `jail -m jid=JID PARAM=VALUE`: change one parameter of a
// running jail.
func JailModify(jid int, param, value string) Cmd {
	return Cmd{Name: "jail", Args: []string{"-m", "jid=" + strconv.Itoa(jid), param + "=" + value}}
}
