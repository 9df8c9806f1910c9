package argv

// JlsJID is `jls -j JNAME jid`: the JID of a running jail, which exits 1
// when there is no such jail.
func JlsJID(jname string) Cmd { return cmd("jls", "-j", jname, "jid") }

// JlsRulesets is `jls name devfs_ruleset`: every running jail's devfs
// ruleset in one call.
func JlsRulesets() Cmd { return cmd("jls", "name", "devfs_ruleset") }
