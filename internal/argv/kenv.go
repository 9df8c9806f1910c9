package argv

// Kenv is `kenv NAME=VALUE`: a kernel environment variable set, read by
// a module loaded afterwards.
func Kenv(name, value string) Cmd { return cmd("kenv", name+"="+value) }
