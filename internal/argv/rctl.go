package argv

// RctlAdd is `rctl -a RULE`, RULE being subject:id:resource:action=amount.
func RctlAdd(rule string) Cmd { return Cmd{Name: "rctl", Args: []string{"-a", rule}} }

// RctlRemove is `rctl -r FILTER`: remove the rules the filter matches.
// rctl exits 1 when none does.
func RctlRemove(filter string) Cmd { return Cmd{Name: "rctl", Args: []string{"-r", filter}} }
