package argv

// Jexec runs command inside the running jail called jail (its jail(8)
// name, ioc-...).
func Jexec(jail string, command ...string) Cmd {
	return Cmd{Name: "jexec", Args: append([]string{jail}, command...)}
}

// JexecIfconfigAll is `jexec JAIL ifconfig -a`: every interface of a
// jail (debug).
func JexecIfconfigAll(jail string) Cmd { return Jexec(jail, "ifconfig", "-a") }

// JexecNetstatRoutes is `jexec JAIL netstat -nr`: a jail's routing tables
// (debug).
func JexecNetstatRoutes(jail string) Cmd { return Jexec(jail, "netstat", "-nr") }

// JexecIfconfigInet is `jexec JAIL ifconfig IFACE inet`: the IPv4
// addresses of one interface of a jail, as list shows a DHCP jail's.
func JexecIfconfigInet(jail, iface string) Cmd { return Jexec(jail, "ifconfig", iface, "inet") }
