package inventory

// Commands whose JAIL argument may be ALL (exec, pkg, update, upgrade)
// run one jail after the other, as iocage's exec_all, update_all and
// upgrade_all do (iocage_lib/iocage.py): every jail in the order iocage
// lists them, sorted by name. iocage also walks the templates, where
// nothing can run and every command fails; jcage leaves them out, as
// start, stop and restart ALL do. iocage stops at the first jail that
// fails; jcage reports it and goes on, so that one stopped jail does not
// keep the command from the rest, and exits 1 naming every failure.

// Targets resolves a JAIL argument: a jail by name or unique prefix, or
// with ALL every jail.
func (inv *Inventory) Targets(arg string) ([]*Jail, error) {
	targets, _, err := inv.ResolveTargets([]string{arg}, false)
	return targets, err
}
