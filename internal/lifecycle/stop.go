package lifecycle

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/plan"
)

// stopSpec is how one jail is stopped.
type stopSpec struct {
	force  bool // skip the jail's own stop steps
	silent bool // print nothing (the undo of a failed start)
	// jid and ruleset are known when a failed start stops its jail; 0
	// means the jail's JID from jls, and its ruleset asked from jls.
	jid     int
	ruleset int
}

// stopOne stops one running jail, printing iocage's progress lines.
func (h *Host) stopOne(ctx context.Context, r *run, j *inventory.Jail, force, silent bool, warn io.Writer) error {
	return h.stopJail(ctx, r, j, &stopSpec{force: force, silent: silent}, warn)
}

// stopJail applies the stop's plan (internal/plan): the teardown half of
// the jail's start.
func (h *Host) stopJail(ctx context.Context, r *run, j *inventory.Jail, spec *stopSpec, warn io.Writer) error {
	if j.Err != nil {
		return fmt.Errorf("%s: %w", j.Name, j.Err)
	}
	jr := &jailRun{r: r, h: h, j: j, props: j.Props, out: h.Out, warn: warn, jid: j.JID}
	if spec.jid != 0 {
		jr.jid = spec.jid
	}
	if jr.out == nil || spec.silent {
		jr.out = io.Discard
	}
	if spec.silent {
		jr.warn = io.Discard
	}
	in := r.input(j, j.Props)
	in.Force, in.JID, in.Ruleset = spec.force, jr.jid, spec.ruleset
	_, err := os.Stat(plan.ConfPath(r.paths.RunDir, j.Name))
	in.HaveConf = err == nil
	in.FstabDests = fstabDestinations(j.FstabPath())
	return newApplier(ctx, jr, in, nil).apply(ctx, plan.Stop)
}

// fstabDestinations are the mount points a jail's fstab lists.
func fstabDestinations(path string) []string {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		if k := strings.IndexByte(line, '#'); k >= 0 {
			line = line[:k]
		}
		if f := strings.Fields(line); len(f) >= 2 {
			out = append(out, plan.UnvisPath(f[1]))
		}
	}
	return out
}

// softRestart is `restart -s`: exec_stop and exec_start rerun inside the
// running jail, every process killed in between, the network untouched.
func (h *Host) softRestart(ctx context.Context, r *run, j *inventory.Jail) error {
	if j.Err != nil {
		return fmt.Errorf("%s: %w", j.Name, j.Err)
	}
	if !j.Running() {
		return notRunningError(j.Name)
	}
	jr := &jailRun{r: r, h: h, j: j, props: j.Props.Clone(), out: h.Out, warn: io.Discard, jid: j.JID}
	if jr.out == nil {
		jr.out = io.Discard
	}
	jr.say("Soft restarting %s (%s)", j.Name, j.Name)
	for _, c := range plan.SoftRestartCmds(j.Name, j.JID, jr.props) {
		// iocage ignores the outcome of each step.
		jr.runCmd(ctx, c)
	}
	return jr.store("last_started", r.now().UTC().Format("2006-01-02 15:04:05"))
}
