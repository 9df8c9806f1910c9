package lifecycle

import "github.com/jcage/jcage/internal/plan"

// The names and numbers of a jail's start that the rest of the package
// (and its callers) share; internal/plan owns them.

// ConfPath is where iocage keeps the jail.conf of a jail: runDir is
// /var/run on a host.
func ConfPath(runDir, name string) string { return plan.ConfPath(runDir, name) }

// GenerateMAC is iocage's MAC pair for a NIC (plan.GenerateMAC).
func GenerateMAC(name, nic, prefix string) (a, b string) { return plan.GenerateMAC(name, nic, prefix) }
