package fbsdsim

import (
	"fmt"
	"strconv"
	"strings"
)

// Failure injection lets system tests make one simulated call fail, for
// example the second `jail -c` of a parallel start, to exercise jcage's
// undo paths.
//
//	JCAGE_SIM_FAIL          rules separated by ';' or newlines; each rule is
//	                        a tool name followed by words that must all occur
//	                        in the call's argv, in that order but not
//	                        necessarily adjacent ("jail -c" matches
//	                        `jail -q -f x.conf -c`).
//	JCAGE_SIM_FAIL_AFTER    let this many matching calls succeed first
//	                        (counted per rule, across processes).
//	JCAGE_SIM_FAIL_CODE     exit status of a failed call (default 1).
//	JCAGE_SIM_FAIL_MESSAGE  the stderr text after "tool: " (default
//	                        "simulated failure").
//
// A failed call is still logged in calls.jsonl and changes no state.

const failCountFile = "failinject.json"

// injectedFailure reports whether this call must fail and, if so, prints
// the failure and returns its exit status.
func (e *Env) injectedFailure() (int, bool) {
	spec := e.Setting("FAIL")
	if strings.TrimSpace(spec) == "" {
		return 0, false
	}
	var rule string
	for _, r := range strings.FieldsFunc(spec, func(c rune) bool { return c == ';' || c == '\n' }) {
		if failRuleMatches(strings.Fields(r), e.Tool, e.Args) {
			rule = strings.Join(strings.Fields(r), " ")
			break
		}
	}
	if rule == "" {
		return 0, false
	}
	if after := e.Setting("FAIL_AFTER"); after != "" {
		n, err := strconv.Atoi(after)
		if err != nil || n < 0 {
			return e.Errorf(70, "simulator setting JCAGE_SIM_FAIL_AFTER: not a count: %q", after), true
		}
		seen := 0
		err = e.Locked(func() error {
			counts := map[string]int{}
			if err := e.Load(failCountFile, &counts); err != nil {
				return err
			}
			seen = counts[rule]
			counts[rule] = seen + 1
			return e.Save(failCountFile, counts)
		})
		if err != nil {
			return e.Errorf(70, "simulator state: %v", err), true
		}
		if seen < n {
			return 0, false
		}
	}
	code := 1
	if c := e.Setting("FAIL_CODE"); c != "" {
		n, err := strconv.Atoi(c)
		if err != nil {
			return e.Errorf(70, "simulator setting JCAGE_SIM_FAIL_CODE: not a number: %q", c), true
		}
		code = n
	}
	msg := e.Setting("FAIL_MESSAGE")
	if msg == "" {
		msg = "simulated failure"
	}
	fmt.Fprintf(e.Stderr, "%s: %s\n", e.Tool, msg)
	return code, true
}

func failRuleMatches(words []string, tool string, args []string) bool {
	if len(words) == 0 || words[0] != tool {
		return false
	}
	want := words[1:]
	for _, a := range args {
		if len(want) == 0 {
			break
		}
		if a == want[0] {
			want = want[1:]
		}
	}
	return len(want) == 0
}
