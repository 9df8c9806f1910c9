// Package plan turns a jail's properties and what jcage knows of the host
// into the ordered steps of its start or stop, as data: every command
// line (built by internal/argv) with its environment, every action of
// another kind, what a failure of each means, and the undo of each. It
// runs nothing; internal/jail's applier runs the steps.
//
// # Steps
//
// A Step is one of: a command to run (Run), an action the applier
// performs itself (Do: a file written under the jail's root through the
// confined helper, a property stored in config.json, a ZFS call, or what
// draws on the state the jails of one command share, such as devfs
// ruleset numbers and NAT addresses), a line printed (Say, Warn), a
// failure recorded without a command (Record), an undo pushed (Push), or
// the end of the plan with an error (Fail). A Run or Do step says with
// its OnFail what its failure does: Abort the start (undoing what was
// done), Degrade (the jail runs on, the exit status says so), Collect
// (kept for a later Check step, as a VNET reports every NIC's failure
// at once), or Ignore (best effort, as iocage runs it); and how the error
// reads. Its Undo is pushed onto the applier's undo stack once it
// succeeded.
//
// # Facts and queries
//
// What the plan needs from the host comes two ways. What every start
// needs and one command shares is gathered before planning and given in
// the Input: the host's release, the paths, the jails running. What only
// some jails need, or what exists only once an earlier step has run (the
// JID jail(8) gave, the epair `ifconfig epair create` made, a bridge's
// MTU, the host's network as the jail's FIB sees it, the devfs ruleset
// number reserved), is a query: a Run or Do step marked Query, with an
// ID. Planning stops at the first query the Input has no answer to; the
// plan ends there, Pending. The applier runs the steps, files the
// query's Answer under its ID, and plans again. Planning is a pure
// function of its input, so the new plan repeats the steps already
// applied (the applier checks that it does) and goes on past the query.
// A plan without a pending query is complete: given the answers, Start
// and Stop show a jail's whole start or stop as a table, which is how
// this package's golden tests and internal/jail's TestStartPlans read it.
//
// The host's commands keep their places: the network is read where the
// first step that needs it stands, not before the plan, so a start runs
// the same commands in the same order as a walk through ioc_start.py
// does.
//
// # Stop
//
// Stop is the teardown half of the same plan. It reads the same
// properties through the same functions (the NICs wiredNICs finds are
// those startVnet wires; the jail_zfs datasets, the mounts, the ruleset
// and the limits are the start's), and takes each down in ioc_stop.py's
// order, which is not the start's mirror: iocage removes the devfs
// ruleset before jail(8) removes the jail. A start that fails once jail(8)
// has made the jail unwinds through Stop with Force, the undo of its
// `jail -c` step; before that, through the undos of the steps it took
// (unmounts, the ruleset deleted and its number given back, the jail.conf
// removed, the NAT ports released).
package plan
