package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jcage/jcage/internal/argv"
	"github.com/jcage/jcage/internal/plan"
)

// fibNet is the host's network as a jail with exec_fib FIB sees it: the
// interfaces, and the default routes of that FIB. The freebsd/iocage fork
// reads the gateways behind defaultrouter(6)=auto, nat_interface=none and
// vnet_default_interface=auto with `setfib FIB netstat -rn`; jcage asks
// route(8) under the same setfib, which reads the same table. FIB 0 is
// the host's own view, read once per command by hostNet.
func (r *run) fibNet(ctx context.Context, fib string) (*plan.Net, error) {
	n, err := r.hostNet(ctx)
	if err != nil || fib == "" || fib == "0" {
		return n, err
	}
	r.fibMu.Lock()
	defer r.fibMu.Unlock()
	if f, ok := r.fibNets[fib]; ok {
		return f, nil
	}
	f := &plan.Net{Ifaces: n.Ifaces}
	_, route4, route6 := plan.NetCmds()
	if out, err := r.h.Run.Run(ctx, argv.Setfib(fib, route4)); err == nil {
		f.GW4, f.If4 = plan.ParseRouteGet(string(out))
	}
	if out, err := r.h.Run.Run(ctx, argv.Setfib(fib, route6)); err == nil {
		f.GW6, f.If6 = plan.ParseRouteGet(string(out))
	}
	if r.fibNets == nil {
		r.fibNets = map[string]*plan.Net{}
	}
	r.fibNets[fib] = f
	return f, nil
}

// DegradedError is a start whose jail runs without something its
// properties ask for: procfs or linprocfs not mounted, RCTL rules or the
// cpuset not set. iocage logs these and keeps the jail running
// (ioc_start.py __start_jail__); jcage keeps it running too, and this
// error makes the exit status say so.
type DegradedError struct {
	Jail     string
	Failures []string
}

func (e *DegradedError) Error() string {
	return fmt.Sprintf("%s is running, but: %s", e.Jail, strings.Join(e.Failures, "; "))
}

// ErrDegraded matches every DegradedError.
var ErrDegraded = errors.New("started with failures")

func (e *DegradedError) Is(target error) bool { return target == ErrDegraded }

func isDegraded(err error) bool { return errors.Is(err, ErrDegraded) }
