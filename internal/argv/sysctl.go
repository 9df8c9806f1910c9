package argv

// SysctlGet is `sysctl NAME`.
func SysctlGet(name string) Cmd { return cmd("sysctl", name) }

// SysctlSet is `sysctl [-q] NAME=VALUE`.
func SysctlSet(name, value string, quiet bool) Cmd {
	if quiet {
		return cmd("sysctl", "-q", name+"="+value)
	}
	return cmd("sysctl", name+"="+value)
}
