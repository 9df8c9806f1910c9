package argv

// RouteGetDefault is `route -n get [-inet6] default`: the default route's
// gateway and interface.
func RouteGetDefault(v6 bool) Cmd {
	if v6 {
		return cmd("route", "-n", "get", "-inet6", "default")
	}
	return cmd("route", "-n", "get", "default")
}

// RouteAddDefault is `route add [-6] default GW`.
func RouteAddDefault(gw string, v6 bool) Cmd {
	if v6 {
		return cmd("route", "add", "-6", "default", gw)
	}
	return cmd("route", "add", "default", gw)
}
