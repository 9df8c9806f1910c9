package argv

// NetstatRoutes is `netstat -nr`: the host's routing tables, numeric
// (debug's host section).
func NetstatRoutes() Cmd { return Cmd{Name: "netstat", Args: []string{"-nr"}} }
