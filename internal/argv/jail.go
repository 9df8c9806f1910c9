package argv

import "strconv"

// JailModify is `jail -m jid=JID PARAM=VALUE`: change one parameter of a
// running jail.
func JailModify(jid int, param, value string) Cmd {
	return Cmd{Name: "jail", Args: []string{"-m", "jid=" + strconv.Itoa(jid), param + "=" + value}}
}

// JailCreate is `jail [-v] -f FILE -c`: jail(8) creates the jail that
// FILE describes. env is what iocage hands jail(8) besides (its
// IOCAGE_HOSTNAME and IOCAGE_NAME).
func JailCreate(confPath string, debug bool, env ...string) Cmd {
	args := []string{"-f", confPath, "-c"}
	if debug {
		args = append([]string{"-v"}, args...)
	}
	c := cmd("jail", args...)
	c.Env = env
	return c
}

// JailRemove is `jail -q [-v] [-f FILE] -r JNAME`; confPath is passed
// when it is not empty, so that jail(8) undoes its own mounts and
// aliases.
func JailRemove(confPath string, debug bool, jname string) Cmd {
	args := []string{"-q"}
	if debug {
		args = append(args, "-v")
	}
	if confPath != "" {
		args = append(args, "-f", confPath)
	}
	return cmd("jail", append(args, "-r", jname)...)
}
