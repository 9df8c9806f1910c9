package fbsdsim

import (
	"os"
	"strings"
	"syscall"
)

// Crash injection lets system tests kill jcage at one exact step of a
// change: the simulated tool matching the rule signals its parent (the
// jcage process that ran it) before doing its work, then does the work
// anyway, as a real child left running after its parent died would.
// This is test-world machinery, not a FreeBSD behaviour. Ledger: [kill-inject].
//
//	JCAGE_SIM_KILL         one rule, in JCAGE_SIM_FAIL's syntax
//	                       ("freebsd-update install").
//	JCAGE_SIM_KILL_SIGNAL  KILL (default) or INT.
//
// The first matching call of each rule fires; the rule's mark in the
// state directory keeps later calls from firing again.
const killMarkFile = "killinject.json"

func (e *Env) injectedKill() {
	rule := strings.Fields(e.Setting("KILL"))
	if len(rule) == 0 || !failRuleMatches(rule, e.Tool, e.Args) {
		return
	}
	key := strings.Join(rule, " ")
	fire := false
	_ = e.Locked(func() error {
		fired := map[string]bool{}
		if err := e.Load(killMarkFile, &fired); err != nil {
			return err
		}
		if fired[key] {
			return nil
		}
		fired[key], fire = true, true
		return e.Save(killMarkFile, fired)
	})
	if !fire {
		return
	}
	sig := syscall.SIGKILL
	if e.Setting("KILL_SIGNAL") == "INT" {
		sig = syscall.SIGINT
	}
	_ = syscall.Kill(os.Getppid(), sig)
}
