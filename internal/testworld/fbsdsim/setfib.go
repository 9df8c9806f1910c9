package fbsdsim

import (
	"fmt"
	"strconv"
)

func init() { register("setfib", setfibTool) }

const setfibUsage = "usage: setfib [-[F]]value command"

// setfibTool simulates setfib(1): it checks the FIB against net.fibs
// (JCAGE_SIM_FIBS) and runs the utility with JCAGE_SIM_FIB set, which the
// simulated route(8) takes as its default FIB.
func setfibTool(e *Env) int {
	args := append([]string(nil), e.Args...)
	if len(args) < 1 {
		return e.Usage(1, setfibUsage)
	}
	// "N" and "-N" mean "-F N".
	if a := args[0]; len(a) > 0 {
		d := a
		if d[0] == '-' && len(d) > 1 && d[1] >= '0' && d[1] <= '9' {
			d = d[1:]
		}
		if d[0] >= '0' && d[0] <= '9' {
			args[0] = "-F" + d
		}
	}
	opts, rest, msg := bsdGetopt(args, "F:")
	if msg != "" {
		return e.usageError(1, msg, setfibUsage)
	}
	fib := 0
	for _, o := range opts {
		n, err := strconv.Atoi(o.Arg)
		if err != nil || n < 0 || n >= e.hostFIBs() {
			return e.Errorf(1, "%s: invalid FIB (max %d)", o.Arg, e.hostFIBs()-1)
		}
		fib = n
	}
	if len(rest) == 0 {
		return e.Usage(1, setfibUsage)
	}
	return e.runUtility(rest, map[string]string{"JCAGE_SIM_FIB": fmt.Sprint(fib)})
}
