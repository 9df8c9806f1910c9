package plan

import (
	"fmt"
	"strconv"
	"strings"
)

// Op is an action a Do step asks of the applier: what is not a command
// line of a base tool (a file written in a jail's root through the
// confined helper, a property stored in config.json, a ZFS call through
// the dataset manager), or what draws on state the jails of one command
// share (devfs ruleset numbers, NAT addresses and ports, the host's
// network read once). The applier in internal/jail performs each.
type Op interface {
	String() string
}

// The ops of a start.
type (
	// ReadHostID reads the host's hostid file (Answer.Out).
	ReadHostID struct{ Path string }
	// CheckFstab refuses a jail fstab whose entries jail(8) cannot mount.
	CheckFstab struct{ Path string }
	// ReadJailFile reads Rel under the jail's root (Answer.Out); a
	// missing file is fs.ErrNotExist.
	ReadJailFile struct{ Root, Rel string }
	// CheckRCConf checks, before sysrc(8) edits it by path, that etc is
	// a directory reached without a symlink and rc.conf, if there, a
	// regular file.
	CheckRCConf struct{ Root string }
	// CheckDir checks that Rel under the root is a directory reached
	// without a symlink (confine.CheckPath), making it with Create.
	CheckDir struct {
		Root, Rel string
		Create    bool
	}
	// ClaimNATPorts claims the host ports of nat_forwards for the jail,
	// refusing ports another running NAT jail forwards.
	ClaimNATPorts struct{ Forwards string }
	// ReleaseNATPorts gives the claimed ports back.
	ReleaseNATPorts struct{}
	// HostNet reads the host's network as FIB sees it (Answer.Net).
	HostNet struct{ FIB string }
	// PrepareDataset makes a jail_zfs dataset exist, jailed=on.
	PrepareDataset struct{ Dataset string }
	// AllocateNAT picks the jail's NAT /30 under Prefix (Answer.NAT).
	AllocateNAT struct{ Prefix string }
	// Store records a value the start computed in the jail's
	// config.json, as iocage does.
	Store struct{ Key, Value string }
	// ReplaceLocalhost points the jail's 127.0.0.1 lines of /etc/hosts
	// at Addr.
	ReplaceLocalhost struct{ Root, Addr string }
	// PluginManifest reads what a pluginv2 jail's manifest asks of its
	// start (Answer.Plugin, nil for none).
	PluginManifest struct{}
	// ReserveRuleset reserves the first free devfs ruleset number from
	// Min up (Answer.Number); Answer.OK is false when Configured, a
	// ruleset to clone, does not exist.
	ReserveRuleset struct{ Configured, Min string }
	// ForgetRuleset gives a reserved number back.
	ForgetRuleset struct{ Number int }
	// WriteConf writes the jail.conf.
	WriteConf struct{ Path, Text string }
	// RemoveFile removes a host file; a missing one is no failure.
	RemoveFile struct{ Path string }
	// ForceStop stops the jail by force, silently: a failed start's undo
	// once jail(8) made the jail.
	ForceStop struct{ Ruleset int }
	// LinkDevLog makes /dev/log in the jail point at syslogd's socket.
	LinkDevLog struct{ Root string }
	// ListDatasets lists a dataset and its children (Answer.Datasets;
	// Answer.OK is false when it does not exist, Answer.Err saying so).
	ListDatasets struct{ Dataset string }
	// WriteJailFile writes Rel under the root when the jail has an /etc
	// of its own and the content changed: Data, or the host file
	// FromHost when set (nothing when that is missing).
	WriteJailFile struct{ Root, Rel, Data, FromHost string }
	// CopyLocaltime copies the host's time zone file into the jail, a
	// symlink as a symlink.
	CopyLocaltime struct{ Root, From string }
	// NATRules adds the jail's rules to the backend's rule file under
	// iocage's lock and loads it.
	NATRules struct{ Backend, Iface, IP4, Forwards string }
	// Executable asks whether Path is an executable file (Answer.OK).
	Executable struct{ Path string }
)

// The ops of a stop.
type (
	// RctlRules lists the host's rctl rules (Answer.Out; an error
	// without RACCT).
	RctlRules struct{}
	// StripConfExec removes every exec statement from the jail.conf.
	StripConfExec struct{ Path string }
	// LiveRuleset asks jls for the running jail's devfs ruleset
	// (Answer.Number, Answer.OK).
	LiveRuleset struct{}
	// RulesetExists asks whether a devfs ruleset exists (Answer.OK).
	RulesetExists struct{ Number int }
)

func (o ReadHostID) String() string    { return "read " + o.Path }
func (o CheckFstab) String() string    { return "check fstab " + o.Path }
func (o ReadJailFile) String() string  { return "read " + under(o.Root, o.Rel) }
func (o CheckRCConf) String() string   { return "check " + under(o.Root, "etc/rc.conf") }
func (o ClaimNATPorts) String() string { return "claim NAT ports " + o.Forwards }
func (ReleaseNATPorts) String() string { return "release NAT ports" }
func (o HostNet) String() string       { return "read the network of FIB " + o.FIB }
func (o PrepareDataset) String() string {
	return "create " + o.Dataset + " if missing, jailed=on"
}
func (o AllocateNAT) String() string { return "allocate a NAT /30 in " + o.Prefix }
func (o Store) String() string       { return "store " + o.Key + "=" + o.Value }
func (o ReplaceLocalhost) String() string {
	return "point 127.0.0.1 of " + under(o.Root, "etc/hosts") + " at " + o.Addr
}
func (PluginManifest) String() string { return "read the plugin manifest" }
func (o ReserveRuleset) String() string {
	s := "reserve a devfs ruleset from " + o.Min
	if o.Configured != IocageDevfsRuleset {
		s += ", cloning " + o.Configured
	}
	return s
}
func (o ForgetRuleset) String() string { return "forget devfs ruleset " + strconv.Itoa(o.Number) }
func (o WriteConf) String() string {
	return fmt.Sprintf("write %s (%d lines)", o.Path, strings.Count(o.Text, "\n"))
}
func (o RemoveFile) String() string { return "remove " + o.Path }
func (o ForceStop) String() string  { return "stop the jail by force" }
func (o LinkDevLog) String() string { return "link " + under(o.Root, "dev/log") }
func (o ListDatasets) String() string {
	return "list " + o.Dataset
}
func (o WriteJailFile) String() string {
	if o.FromHost != "" {
		return "copy " + o.FromHost + " to " + under(o.Root, o.Rel)
	}
	return fmt.Sprintf("write %s: %q", under(o.Root, o.Rel), o.Data)
}
func (o CopyLocaltime) String() string {
	return "copy " + o.From + " to " + under(o.Root, "etc/localtime")
}
func (o NATRules) String() string {
	return fmt.Sprintf("add %s NAT rules on %s for %s (%s) and load them", o.Backend, o.Iface, o.IP4, o.Forwards)
}
func (o Executable) String() string    { return "is " + o.Path + " executable" }
func (RctlRules) String() string       { return "list the rctl rules" }
func (o StripConfExec) String() string { return "strip exec from " + o.Path }
func (LiveRuleset) String() string     { return "ask jls for the devfs ruleset" }
func (o RulesetExists) String() string {
	return "does devfs ruleset " + strconv.Itoa(o.Number) + " exist"
}
func (o CheckDir) String() string {
	if o.Create {
		return "check or make " + under(o.Root, o.Rel)
	}
	return "check " + under(o.Root, o.Rel)
}
