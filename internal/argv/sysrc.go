package argv

// SysrcSet is `sysrc -f FILE NAME=VALUE`.
func SysrcSet(file, name, value string) Cmd { return cmd("sysrc", "-f", file, name+"="+value) }

// SysrcRemove is `sysrc -f FILE -x NAME`.
func SysrcRemove(file, name string) Cmd { return cmd("sysrc", "-f", file, "-x", name) }
