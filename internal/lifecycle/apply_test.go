package lifecycle

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/jcage/jcage/internal/argv"
	"github.com/jcage/jcage/internal/host"
	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/jail"
	"github.com/jcage/jcage/internal/plan"
	"github.com/jcage/jcage/internal/revert"
)

// testApplier applies planner against rec, for the applier's own rules.
func testApplier(t *testing.T, rec *host.Recorder, planner func(*plan.Input) *plan.Plan) (string, string, []string, error) {
	t.Helper()
	var out, warn, cleanup bytes.Buffer
	h := &Host{&jail.Host{Host: &inventory.Host{Run: rec}}}
	jr := &jailRun{r: h.newRun(&inventory.Inventory{}, Paths{}, false, nil), h: h, j: &inventory.Jail{Name: "web"}, out: &out, warn: &warn}
	rv := revert.New()
	rv.Log = &cleanup
	err := newApplier(context.Background(), jr, &plan.Input{Name: "web"}, rv).apply(context.Background(), planner)
	if err != nil {
		rv.Fail()
	}
	return out.String(), warn.String() + cleanup.String(), jr.degraded, err
}

func runStep(c argv.Cmd, f plan.OnFail, undo ...plan.Step) plan.Step {
	return plan.Step{Kind: plan.Run, Cmd: c, Fail: f, Undo: undo}
}

// The applier runs each step once, plans again after each query with its
// answer filed, collects failures for a check and skips the rest of a
// failed group, degrades, and unwinds the undos of what succeeded, in
// reverse, when a step aborts.
func TestApplier(t *testing.T) {
	rec := &host.Recorder{}
	rec.On([]string{"jls", "-j", "ioc-web", "jid"}, "7\n", nil)
	rec.Fail([]string{"ifconfig", "a", "up"}, 1, "no a")
	rec.Fail([]string{"cpuset"}, 1, "no cpus")
	rec.Fail([]string{"jail", "-f"}, 1, "jail: refused\n")
	plans := 0
	planner := func(in *plan.Input) *plan.Plan {
		plans++
		p := &plan.Plan{Steps: []plan.Step{
			runStep(argv.Mount("procfs", "proc", "/r/proc"), plan.OnFail{}, runStep(argv.Umount("/r/proc"), plan.OnFail{})),
			{Kind: plan.Run, ID: "jid", Cmd: argv.JlsJID("ioc-web"), Query: true},
		}}
		a, ok := in.Answers["jid"]
		if !ok {
			p.Pending = true
			return p
		}
		p.JID = 7
		collect := plan.OnFail{Policy: plan.Collect}
		p.Steps = append(p.Steps,
			plan.Step{Kind: plan.Say, Text: "jid " + strings.TrimSpace(a.Out)},
			plan.Step{Kind: plan.Run, Cmd: argv.IfconfigUp("a"), Fail: collect, Group: "a"},
			plan.Step{Kind: plan.Run, Cmd: argv.IfconfigDestroy("a"), Fail: collect, Group: "a"},
			plan.Step{Kind: plan.Run, Cmd: argv.IfconfigUp("b"), Fail: collect, Group: "b"},
			plan.Step{Kind: plan.Check, ID: "check", Query: true},
		)
		c, ok := in.Answers["check"]
		if !ok {
			p.Pending = true
			return p
		}
		return &plan.Plan{JID: 7, Steps: append(p.Steps,
			plan.Step{Kind: plan.Say, Text: "failed: " + c.Failures[0].Text},
			runStep(argv.CpusetJail("0", 7), plan.OnFail{Policy: plan.Degrade, Before: "cpuset: "}),
			plan.Step{Kind: plan.Push, Undo: []plan.Step{runStep(argv.DevfsDelset(1000), plan.OnFail{})}},
			runStep(argv.JailCreate("/c", false), plan.OnFail{Say: "  + Start FAILED", Before: "Refusing to start web: ", Stderr: true}),
			runStep(argv.RctlRemove("ioc-web"), plan.OnFail{}),
		)}
	}
	out, _, degraded, err := testApplier(t, rec, planner)
	if err == nil || err.Error() != "Refusing to start web: jail: refused" {
		t.Fatalf("err %v", err)
	}
	if out != "jid 7\nfailed: ifconfig a up: no a\n  + Start FAILED\n" {
		t.Fatalf("out %q", out)
	}
	if len(degraded) != 1 || degraded[0] != "cpuset: cpuset -l 0 -j 7: no cpus" {
		t.Fatalf("degraded %q", degraded)
	}
	want := "mount -t procfs proc /r/proc\njls -j ioc-web jid\nifconfig a up\nifconfig b up\ncpuset -l 0 -j 7\njail -f /c -c\ndevfs rule -s 1000 delset\numount -f /r/proc"
	if got := strings.Join(rec.Lines(), "\n"); got != want || plans != 3 {
		t.Fatalf("%d plans, ran:\n%s", plans, got)
	}
}

// A planning that does not repeat the steps already applied is refused,
// not applied.
func TestApplierPlanChanged(t *testing.T) {
	rec := &host.Recorder{}
	first := true
	_, _, _, err := testApplier(t, rec, func(in *plan.Input) *plan.Plan {
		c := argv.UnameRelease()
		if !first {
			c = argv.RctlList()
		}
		first = false
		return &plan.Plan{Pending: true, Steps: []plan.Step{{Kind: plan.Run, ID: "q", Cmd: c, Query: true}}}
	})
	if err == nil || !strings.Contains(err.Error(), "the plan changed under its own answers") {
		t.Fatalf("%v", err)
	}
	if len(rec.Calls()) != 1 {
		t.Fatalf("%v", rec.Lines())
	}
}
