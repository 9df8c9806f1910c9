package argv

// PfctlEnable is `pfctl -e`.
func PfctlEnable() Cmd { return cmd("pfctl", "-e") }

// PfctlLoad is `pfctl -f FILE`: the rules of FILE loaded.
func PfctlLoad(path string) Cmd { return cmd("pfctl", "-f", path) }
