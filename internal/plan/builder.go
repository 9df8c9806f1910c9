package plan

import (
	"fmt"
	"strings"

	"github.com/jcage/jcage/internal/argv"
)

// builder collects a plan's steps. Planning reads the input only; a
// query it has no answer to ends the plan there (pending), and an error
// ends it with a Fail step. Both unwind the planning functions with a
// panic of the builder's own, recovered in build: the planning code
// reads straight, as the sequence it describes.
type builder struct {
	in    *Input
	steps []Step
	jid   int
	asked map[string]bool // the queries already in the plan

	// the jail's names and what its properties make of it
	uuid, jname, fib string
	vnet, nat, dhcp  bool
}

type (
	pending  struct{}
	finished struct{}
)

func build(in *Input, plan func(*builder)) *Plan {
	b := &builder{in: in, uuid: Underscored(in.Name), jname: JailName(in.Name)}
	// The last planning of this input tells how many steps to expect.
	if n, ok := in.memo["steps"].(int); ok {
		b.steps = make([]Step, 0, n+8)
	}
	b.fib = b.get("exec_fib")
	b.vnet, b.nat = b.bool("vnet"), b.bool("nat")
	b.dhcp = b.memo("dhcp", func() any { return WantsDHCP(in.Props) }).(bool)
	p := &Plan{}
	func() {
		defer func() {
			switch r := recover(); r.(type) {
			case nil, finished:
			case pending:
				p.Pending = true
			default:
				panic(r)
			}
		}()
		plan(b)
	}()
	p.Steps, p.JID = b.steps, b.jid
	b.memo("steps", func() any { return 0 })
	in.memo["steps"] = len(b.steps)
	return p
}

// memo returns f's value, computed once per input under key.
func (b *builder) memo(key string, f func() any) any {
	if v, ok := b.in.memo[key]; ok {
		return v
	}
	if b.in.memo == nil {
		b.in.memo = map[string]any{}
	}
	v := f()
	b.in.memo[key] = v
	return v
}

func (b *builder) get(key string) string {
	return b.memo("get "+key, func() any {
		v, _ := b.in.Props.Get(key)
		return v
	}).(string)
}

func (b *builder) bool(key string) bool {
	return b.memo("bool "+key, func() any { return b.in.Props.Bool(key) }).(bool)
}

func (b *builder) add(s Step) { b.steps = append(b.steps, s) }

// run adds a command; undo is pushed once it succeeded.
func (b *builder) run(c argv.Cmd, f OnFail, undo ...Step) {
	b.add(Step{Kind: Run, Cmd: c, Fail: f, Undo: undo})
}

// do adds an op of the applier's.
func (b *builder) do(op Op, f OnFail, undo ...Step) {
	b.add(Step{Kind: Do, Op: op, Fail: f, Undo: undo})
}

func (b *builder) say(format string, a ...any) {
	b.add(Step{Kind: Say, Text: fmt.Sprintf(format, a...)})
}

func (b *builder) warn(format string, a ...any) {
	b.add(Step{Kind: Warn, Text: fmt.Sprintf(format, a...)})
}

// record adds a failure without a command: a Collect one for the next
// Check, or a Degrade one.
func (b *builder) record(p Policy, text string) {
	b.add(Step{Kind: Record, Text: text, Fail: OnFail{Policy: p}})
}

// push adds undo to the undo stack now: an undo that needs an answer.
func (b *builder) push(undo ...Step) { b.add(Step{Kind: Push, Undo: undo}) }

// ask adds a query and returns its answer; without one the plan ends
// here, pending. A query asked again (the same ID) is not repeated.
func (b *builder) ask(s Step) Answer {
	if b.asked[s.ID] {
		// Asked before in this plan: its answer stands.
		return b.in.Answers[s.ID]
	}
	if b.asked == nil {
		b.asked = map[string]bool{}
	}
	b.asked[s.ID] = true
	s.Query = true
	b.add(s)
	a, ok := b.in.Answers[s.ID]
	if !ok {
		panic(pending{})
	}
	return a
}

// askRun asks a command.
func (b *builder) askRun(id string, c argv.Cmd) Answer {
	return b.ask(Step{Kind: Run, ID: id, Cmd: c})
}

// askDo asks an op.
func (b *builder) askDo(id string, op Op) Answer {
	return b.ask(Step{Kind: Do, ID: id, Op: op})
}

// check asks for the failures recorded since the last check.
func (b *builder) check(id string) []Failure {
	return b.ask(Step{Kind: Check, ID: id}).Failures
}

// fail ends the plan with err.
func (b *builder) fail(err error) {
	b.add(Step{Kind: Fail, Err: err})
	panic(finished{})
}

// failWith ends the plan as a failed step with f would: f's line said,
// err framed.
func (b *builder) failWith(f OnFail, err error) {
	if f.Say != "" {
		b.say("%s", f.Say)
	}
	b.fail(&StepError{Before: f.Before, After: f.After, Err: err})
}

// StepError is a failed step's error, framed as its OnFail says.
type StepError struct {
	Before, After string
	Err           error
	// Text replaces the error's own text (jail(8)'s standard error).
	Text string
}

func (e *StepError) Error() string {
	t := e.Text
	if t == "" {
		t = ErrorText(e.Err)
	}
	return e.Before + t + e.After
}

func (e *StepError) Unwrap() error { return e.Err }

// ErrorText is an error's message without surrounding space.
func ErrorText(err error) string { return strings.TrimSpace(err.Error()) }
