package argv

// Jexec is `jexec TARGET ARGV...`: argv run inside the jail named target
// (a jail(8) name or a JID). argv is the admin's or the jail's own
// command line; a base tool's is built by its builder and given to InJail.
func Jexec(target string, argv ...string) Cmd {
	return cmd("jexec", append([]string{target}, argv...)...)
}

// InJail runs c inside the jail named target: Jexec of c's command line,
// with c's environment and streams.
func InJail(target string, c Cmd) Cmd {
	j := Jexec(target, c.Argv()...)
	c.Name, c.Args = j.Name, j.Args
	return c
}

// JexecAs is Jexec as a user: `jexec -u USER` for a host user, or
// `jexec -U USER` for a user of the jail when jailUser is set.
func JexecAs(user string, jailUser bool, target string, argv ...string) Cmd {
	flag := "-u"
	if jailUser {
		flag = "-U"
	}
	return cmd("jexec", append([]string{flag, user, target}, argv...)...)
}

// Shell is `/bin/sh -c SCRIPT`, as a hook of several words and a command
// line given to exec run.
func Shell(script string) Cmd { return cmd("/bin/sh", "-c", script) }

// Sh is `sh -c PATH`: iocage's way of running its ipfw rule file.
func Sh(path string) Cmd { return cmd("sh", "-c", path) }

// Login is `login -p [FLAGS...]`, the console's command inside a jail.
func Login(flags ...string) Cmd { return cmd("login", append([]string{"-p"}, flags...)...) }

// Service is `service NAME VERB`, run inside a jail.
func Service(name, verb string) Cmd { return cmd("service", name, verb) }

// JexecIfconfigAll is `jexec JAIL ifconfig -a`: every interface of a
// jail (debug).
func JexecIfconfigAll(jail string) Cmd { return Jexec(jail, "ifconfig", "-a") }

// JexecNetstatRoutes is `jexec JAIL netstat -nr`: a jail's routing tables
// (debug).
func JexecNetstatRoutes(jail string) Cmd { return Jexec(jail, "netstat", "-nr") }

// JexecIfconfigInet is `jexec JAIL ifconfig IFACE inet`: the IPv4
// addresses of one interface of a jail, as list shows a DHCP jail's.
func JexecIfconfigInet(jail, iface string) Cmd { return Jexec(jail, "ifconfig", iface, "inet") }
