package plan

import (
	"strings"
	"time"

	"github.com/jcage/jcage/internal/argv"
	"github.com/jcage/jcage/internal/config"
)

// Kind is what a step does.
type Kind int

const (
	Run    Kind = iota // run Cmd
	Do                 // perform Op, an action of the applier's own
	Say                // print Text on the command's output
	Warn               // print Text on its warnings
	Check              // answer the failures Collect steps recorded since the last Check
	Record             // record Text as a failure, as Fail.Policy (Collect or Degrade) says
	Push               // push Undo onto the undo stack now
	Fail               // end the plan with Err; what was done is undone
)

// Policy is what a failed Run or Do step means.
type Policy int

const (
	// Abort fails the start or stop with the step's error; what the
	// steps before it did is undone.
	Abort Policy = iota
	// Degrade lets the jail run on without it: the failure is reported
	// once the start is done, and the exit status says so.
	Degrade
	// Collect keeps the failure for the next Check step to answer, and
	// skips the rest of the step's Group.
	Collect
	// Ignore is best effort, as iocage runs the step.
	Ignore
	// Report is best effort too, but a failure is printed as a warning
	// ("NAME: what failed") and the start goes on: a step iocage runs
	// unchecked whose failure an admin still needs to see.
	Report
)

// OnFail is what a failed Run or Do step does.
type OnFail struct {
	Policy Policy
	Say    string // a line printed on the output first
	// Before and After frame the step's error in the error or the
	// failure reported.
	Before, After string
	// Stderr reports the tool's standard error on one line instead of
	// the whole error: what jail(8) said.
	Stderr bool
}

// Step is one step of a plan.
type Step struct {
	Kind Kind
	// ID names a query: its answer is filed under it in Input.Answers.
	ID    string
	Cmd   argv.Cmd // Run
	Op    Op       // Do
	Text  string   // Say, Warn, Record
	Err   error    // Fail
	Query bool     // a Run or Do whose outcome the plan reads instead of Fail
	Fail  OnFail
	// Group ties Collect steps together: after one fails, the group's
	// later steps are skipped.
	Group string
	// Log is a file a Run step's output is appended to (the jail's
	// console log, as iocage keeps exec_start's and exec_stop's).
	Log string
	// Undo is pushed onto the undo stack once the step succeeded (for a
	// Push step, at once). Its steps run in order, and stop at the first
	// that fails.
	Undo []Step
}

// String renders the step as a plan's table shows it.
func (s Step) String() string {
	var b strings.Builder
	switch s.Kind {
	case Run:
		b.WriteString(s.Cmd.String())
	case Do:
		b.WriteString("do " + s.Op.String())
	case Say:
		b.WriteString("say " + s.Text)
	case Warn:
		b.WriteString("warn " + s.Text)
	case Check:
		b.WriteString("check " + s.ID)
	case Record:
		b.WriteString("record " + s.Text)
	case Push:
		b.WriteString("push")
	case Fail:
		b.WriteString("fail " + s.Err.Error())
	}
	if s.Query && s.Kind != Check {
		b.WriteString(" -> " + s.ID)
	}
	return b.String()
}

// Answer is what a query step gave.
type Answer struct {
	Out    string // a command's standard output; a read file's content
	Stderr string // a command's standard error
	Err    error
	Code   int // a command's exit status; -1 when it did not run or was killed

	OK       bool         // a Do query's yes or no
	Number   int          // a Do query's number
	Net      *Net         // HostNet
	Datasets []Dataset    // ListDatasets
	Ruleset  Ruleset      // ReserveRuleset
	Plugin   *PluginStart // PluginManifest
	NAT      [2]string    // AllocateNAT: the host side and the jail side
	Failures []Failure    // Check
}

// Failure is one failure a Collect step recorded.
type Failure struct {
	ID   string // the step's, when it had one
	Text string
}

// Answers are the answers of the queries run so far, by ID.
type Answers map[string]Answer

// Dataset is one dataset of a jail_zfs_dataset tree.
type Dataset struct {
	Name, Mountpoint string
}

// Paths are the host files a start and a stop read and write outside the
// iocage tree.
type Paths struct {
	RunDir    string // jail.ioc-NAME_.conf files: /var/run
	NATDir    string // iocage_nat_{lock,pf.conf,ipfw.conf}: /tmp
	Resolv    string // the host's /etc/resolv.conf
	Localtime string // the host's /etc/localtime
	HostID    string // /etc/hostid
}

// Input is one jail's start or stop, as the plan sees it.
type Input struct {
	Name    string         // NAME
	Dir     string         // the jail's directory: IOCROOT/jails/NAME
	Root    string         // its root directory
	IOCRoot string         // where POOL/iocage is mounted
	Props   *config.Config // the effective properties as the command found them
	// Template is set for a template's dataset, which never starts.
	Template bool
	// Datasets are jail_zfs_dataset's datasets, named from the pool.
	Datasets []string
	Release  string // the host's release, as `uname -r` prints it
	Paths    Paths
	Debug    bool      // jail(8) runs with -v
	Now      time.Time // what last_started records
	// Running are the addresses of the jails running when the command
	// began: a loopback address another jail holds is worth a warning.
	Running [][]string

	// A stop's: Force skips the jail's own stop steps; JID is the
	// running jail's; Ruleset is its devfs ruleset when the caller knows
	// it (a failed start), 0 to ask; HaveConf says its jail.conf exists;
	// FstabDests are the mount points its fstab lists.
	Force      bool
	JID        int
	Ruleset    int
	HaveConf   bool
	FstabDests []string

	Answers Answers

	// memo keeps what planning derived from the input (property values,
	// the jail.conf, the devfs rules) for the next planning of the same
	// input: a start plans once per query.
	memo map[string]any
}

// Plan is the steps a start or a stop takes, as far as the plan can
// tell them from its input.
type Plan struct {
	Steps []Step
	// Pending is set when the last step is a query the input has no
	// answer to: once the applier has run it and filed its answer, it
	// plans again, and the plan goes on from there.
	Pending bool
	// JID is the jail's JID once the plan knows it: what an undo that
	// stops the jail by force needs.
	JID int
}
