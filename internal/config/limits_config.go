package config

import "fmt"

// Kernel limits on jail parameters (sys/kern/kern_jail.c kern_jail_set):
// a string arrives with its NUL and len > LIMIT is ENAMETOOLONG, so the
// longest value is one byte shorter. jail(8) would only say "jail_set:
// File name too long" at start; jcage refuses such a value when it is
// set, naming the limit.
const (
	maxHostnameLen = 256  // MAXHOSTNAMELEN: host.hostname, host.domainname
	MaxPathLen     = 1024 // MAXPATHLEN: path
)

// LimitMessage names the kernel limit a value exceeds, or is empty.
func LimitMessage(what, value string, limit int, limitName string) string {
	if len(value) < limit {
		return ""
	}
	return fmt.Sprintf("%s is %d bytes: FreeBSD's limit is %d (%s)", what, len(value), limit-1, limitName)
}
