package main

import (
	"fmt"
	"os"
	"syscall"

	"github.com/jcage/jcage/internal/host"
)

// writeRusage appends "USER_US SYS_US" to the file host.RusageEnv names
// in a test-world build: getrusage(RUSAGE_SELF), the CPU time of every
// thread of this process and of none of the programs it ran (those are
// RUSAGE_CHILDREN, which wait4's usage of jcage would include). A
// release build does nothing.
func writeRusage() {
	path := host.TestWorldGetenv(host.RusageEnv)
	if path == "" {
		return
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return
	}
	fmt.Fprintf(f, "%d %d\n", ru.Utime.Nano()/1000, ru.Stime.Nano()/1000)
	f.Close()
}
