package lifecycle

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/jcage/jcage/internal/host"
	"github.com/jcage/jcage/internal/jail"
	"github.com/jcage/jcage/internal/plan"
	"github.com/jcage/jcage/internal/revert"
)

// applier runs one jail's plan (internal/plan): each step in order, the
// plan asked again once the query it was waiting for is answered, and
// each step's undo pushed onto the undo stack once the step succeeded.
type applier struct {
	jr *jailRun
	in *plan.Input
	// rv is the start's undo stack; a stop has none.
	rv *revert.Reverter
	// undoCtx runs the undos: an interrupted command still unwinds.
	undoCtx context.Context
	// forced is the stop a failed start's ForceStop undo runs.
	forced *stopSpec

	done     []plan.Step    // the steps applied so far
	failures []plan.Failure // what Collect steps recorded since the last Check
	skip     string         // the group whose later steps are skipped
}

func newApplier(ctx context.Context, jr *jailRun, in *plan.Input, rv *revert.Reverter) *applier {
	if in.Answers == nil {
		in.Answers = plan.Answers{}
	}
	return &applier{jr: jr, in: in, rv: rv, undoCtx: context.WithoutCancel(ctx)}
}

// apply runs the plan that planner makes of the applier's input to its
// end or its first failure.
func (a *applier) apply(ctx context.Context, planner func(*plan.Input) *plan.Plan) error {
	for {
		p := planner(a.in)
		if len(p.Steps) < len(a.done) {
			return fmt.Errorf("%s: the plan lost steps it had taken", a.jr.uuid())
		}
		for i, d := range a.done {
			if !sameStep(p.Steps[i], d) {
				return fmt.Errorf("%s: the plan changed under its own answers at %q", a.jr.uuid(), d.String())
			}
		}
		if p.JID != 0 {
			a.jr.jid = p.JID
		}
		for _, s := range p.Steps[len(a.done):] {
			a.done = append(a.done, s)
			if err := a.step(ctx, s); err != nil {
				return err
			}
		}
		if !p.Pending {
			return nil
		}
	}
}

// sameStep reports whether a planning repeated a step applied before:
// planning is pure, so it always does; this keeps a mistake there from
// applying a step twice or skipping one.
func sameStep(a, b plan.Step) bool {
	return a.Kind == b.Kind && a.ID == b.ID && a.Text == b.Text && a.Cmd.Name == b.Cmd.Name &&
		len(a.Cmd.Args) == len(b.Cmd.Args) && (a.Op == nil) == (b.Op == nil)
}

// step applies one step.
func (a *applier) step(ctx context.Context, s plan.Step) error {
	if s.Group != "" && s.Group == a.skip {
		return nil
	}
	switch s.Kind {
	case plan.Say:
		a.jr.say("%s", s.Text)
	case plan.Warn:
		a.jr.warnf("%s", s.Text)
	case plan.Check:
		a.in.Answers[s.ID] = plan.Answer{Failures: a.failures}
		a.failures = nil
	case plan.Record:
		return a.failed(s, errors.New(s.Text))
	case plan.Push:
		a.push(s.Undo)
	case plan.Fail:
		return s.Err
	case plan.Run, plan.Do:
		ans := a.exec(ctx, s)
		if s.Query {
			a.in.Answers[s.ID] = ans
			return nil
		}
		if ans.Err != nil {
			return a.failed(s, ans.Err)
		}
		a.push(s.Undo)
	}
	return nil
}

// failed handles a step's failure as its OnFail says.
func (a *applier) failed(s plan.Step, err error) error {
	f := s.Fail
	if f.Say != "" {
		a.jr.say("%s", f.Say)
	}
	e := &plan.StepError{Before: f.Before, After: f.After, Err: err}
	if f.Stderr {
		e.Text = jail.JailStderr(err)
	}
	switch f.Policy {
	case plan.Abort:
		return e
	case plan.Degrade:
		a.jr.degrade("%s", e.Error())
	case plan.Report:
		a.jr.warnf("%s", e.Error())
	case plan.Collect:
		a.failures = append(a.failures, plan.Failure{ID: s.ID, Text: e.Error()})
		a.skip = s.Group
	}
	return nil
}

// exec runs a Run step's command or performs a Do step's op.
func (a *applier) exec(ctx context.Context, s plan.Step) plan.Answer {
	if s.Kind == plan.Do {
		return a.op(ctx, s.Op)
	}
	c := s.Cmd
	var stderr, log bytes.Buffer
	switch {
	case s.Log != "":
		c.Stdout, c.Stderr = &log, &log
	case s.Query:
		c.Stderr = &stderr
	}
	out, err := a.jr.runCmd(ctx, c)
	if s.Log != "" {
		appendLog(s.Log, log.Bytes())
	}
	ans := plan.Answer{Out: string(out), Stderr: stderr.String(), Err: err, Code: host.ExitCodeOf(err)}
	var re *host.RunError
	if ans.Stderr == "" && errors.As(err, &re) {
		// A runner that keeps stderr only in its error (a test's).
		ans.Stderr = re.Stderr
	}
	return ans
}

// appendLog appends a command's output to a jail's console log, as
// iocage does with exec_start and exec_stop; best effort.
func appendLog(path string, b []byte) {
	if f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644); err == nil {
		f.Write(b)
		f.Close()
	}
}

// push adds undo to the undo stack: its steps run in order, the first
// failure ending it.
func (a *applier) push(undo []plan.Step) {
	if len(undo) == 0 || a.rv == nil {
		return
	}
	a.rv.Add(func() error {
		for _, u := range undo {
			if err := a.exec(a.undoCtx, u).Err; err != nil {
				return err
			}
		}
		return nil
	})
}
