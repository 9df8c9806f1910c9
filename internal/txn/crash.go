package txn

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// crashEnv names the variable through which a test build of jcage kills
// itself at one point of its journal, so that tests can show that the next
// command puts the tree back whatever point a crash hits. Only the test
// world's build sets it (-ldflags "-X
// github.com/jcage/jcage/internal/txn.crashEnv=JCAGE_TXN_CRASH"); a
// release build never reads the variable.
//
// The points are every journal write (the step is recorded, it has not
// run, the one before it has) and every commit of a change with a journal
// (every step has run). The variable holds:
//
//	trace:FILE  append one line per point to FILE ("op name what"), and
//	            go on: a test counts the points of a command this way;
//	N           SIGKILL at the Nth point of this process (from 1);
//	N/INT       SIGINT there instead, and go on.
var crashEnv string

// CrashEnv is the variable crashEnv names in the test world's build.
const CrashEnv = "JCAGE_TXN_CRASH"

var crashSeen atomic.Int64

func crashPoint(op, name, what string) {
	if crashEnv == "" {
		return
	}
	v := os.Getenv(crashEnv)
	if v == "" {
		return
	}
	if path, ok := strings.CutPrefix(v, "trace:"); ok {
		f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err == nil {
			fmt.Fprintf(f, "%s %s %s\n", op, name, what)
			f.Close()
		}
		return
	}
	at, sig, _ := strings.Cut(v, "/")
	if n, err := strconv.ParseInt(at, 10, 64); err != nil || crashSeen.Add(1) != n {
		return
	}
	p, err := os.FindProcess(os.Getpid())
	if err != nil {
		return
	}
	if sig == "INT" {
		_ = p.Signal(os.Interrupt)
		// Let the signal reach the handler before the next step.
		time.Sleep(50 * time.Millisecond)
		return
	}
	_ = p.Kill()
	time.Sleep(time.Minute)
}
