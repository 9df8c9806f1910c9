package plan

import (
	"path/filepath"
	"strings"

	"github.com/jcage/jcage/internal/layout"
)

// JailName is the jail(8) name iocage gives jail NAME: ioc-NAME, dots
// as underscores.
func JailName(name string) string { return "ioc-" + Underscored(name) }

// Underscored is NAME with dots as underscores: iocage's host.hostuuid and
// the name its start and stop messages use.
func Underscored(name string) string { return strings.ReplaceAll(name, ".", "_") }

// ConfPath is where iocage keeps the jail.conf of a jail: runDir is
// /var/run on a host.
func ConfPath(runDir, name string) string {
	return filepath.Join(runDir, "jail."+JailName(name)+".conf")
}

// ConsoleLogPath is the jail(8) exec.consolelog of a jail.
func ConsoleLogPath(iocroot, name string) string {
	return filepath.Join(layout.Dirs(iocroot).Log(), JailName(name)+"-console.log") // confine: host-owned, IOCROOT/log
}

// ServiceLogPath is where iocage appends the output of exec_start and
// exec_stop, which it runs itself through jexec.
func ServiceLogPath(iocroot, name string) string {
	return filepath.Join(layout.Dirs(iocroot).Log(), Underscored(name)+"-console.log") // confine: host-owned, IOCROOT/log
}

// under is the host path of rel under a jail's root, for a tool that
// takes a path: confine.Path's spelling. The applier checks the path at
// the moment of use (a CheckDir step) before any tool that follows
// symlinks is given it.
func under(root, rel string) string { return strings.TrimSuffix(root, "/") + "/" + rel }
