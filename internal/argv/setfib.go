package argv

// Setfib runs c with FIB as its routing table: `setfib FIB NAME ARGS...`.
// c's environment and streams go with it.
func Setfib(fib string, c Cmd) Cmd {
	c.Args = append([]string{fib, c.Name}, c.Args...)
	c.Name = "setfib"
	return c
}
