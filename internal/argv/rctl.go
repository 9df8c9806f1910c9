package argv

// RctlList is `rctl`: every rule on the host.
func RctlList() Cmd { return cmd("rctl") }

// RctlFilter is the rctl(8) filter of every rule of one jail.
func RctlFilter(jname string) string { return "jail:" + jname + ":" }

// RctlRemove is `rctl -r jail:JNAME:`: every rule of the jail removed.
func RctlRemove(jname string) Cmd { return cmd("rctl", "-r", RctlFilter(jname)) }

// RctlAdd is `rctl -a jail:JNAME:RESOURCE:RULE`, RULE being the property's
// action=amount (deny=1g).
func RctlAdd(jname, resource, rule string) Cmd {
	return cmd("rctl", "-a", RctlFilter(jname)+resource+":"+rule)
}

// RctlAddRule is `rctl -a RULE`, RULE being subject:id:resource:action=amount.
func RctlAddRule(rule string) Cmd { return Cmd{Name: "rctl", Args: []string{"-a", rule}} }

// RctlRemoveFilter is `rctl -r FILTER`: remove the rules the filter matches.
// rctl exits 1 when none does.
func RctlRemoveFilter(filter string) Cmd { return Cmd{Name: "rctl", Args: []string{"-r", filter}} }
