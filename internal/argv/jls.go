package argv

// JlsAll is `jls -v --libxo json`: every running jail with its
// parameters, the one jls call behind every state column.
func JlsAll() Cmd { return Cmd{Name: "jls", Args: []string{"-v", "--libxo", "json"}} }

// JlsJID is `jls -j JAIL jid`: a running jail's JID.
func JlsJID(jail string) Cmd { return Cmd{Name: "jls", Args: []string{"-j", jail, "jid"}} }

// JlsDevfsRuleset is `jls -j JAIL devfs_ruleset`: the devfs ruleset the
// kernel holds for a running jail, which may differ from the configured
// one (iocage generates rulesets).
func JlsDevfsRuleset(jail string) Cmd {
	return Cmd{Name: "jls", Args: []string{"-j", jail, "devfs_ruleset"}}
}
