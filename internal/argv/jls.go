package argv

// JlsJID is `jls -j JNAME jid`: the JID of a running jail, which exits 1
// when there is no such jail.
func JlsJID(jname string) Cmd { return cmd("jls", "-j", jname, "jid") }

// JlsRulesets is `jls name devfs_ruleset`: every running jail's devfs
// ruleset in one call.
func JlsRulesets() Cmd { return cmd("jls", "name", "devfs_ruleset") }

// JlsAll is `jls -v --libxo json`: every running jail with its
// parameters, the one jls call behind every state column.
func JlsAll() Cmd { return Cmd{Name: "jls", Args: []string{"-v", "--libxo", "json"}} }

// JlsDevfsRuleset is `jls -j JAIL devfs_ruleset`: the devfs ruleset the
// kernel holds for a running jail, which may differ from the configured
// one (iocage generates rulesets).
func JlsDevfsRuleset(jail string) Cmd {
	return Cmd{Name: "jls", Args: []string{"-j", jail, "devfs_ruleset"}}
}
