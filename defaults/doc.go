// Package defaults holds iocage's default property set and default rc.conf
// as data files, embedded into the binary.
//
// defaults.json is the set that iocage writes to IOCROOT/defaults.json on a
// new host, at CONFIG_VERSION 34 (the freebsd/iocage fork that FreeBSD ports
// ship), in iocage's own on-disk form: truthy properties as the integers 0
// and 1, every other value a string, keys sorted, four-space indent, no
// trailing newline. Older hosts (CONFIG_VERSION 29 to 33) differ in a few
// documented keys; ForVersion derives their set from the same data so that
// jcage writes what the host already uses.
//
// Two values depend on the host and cannot be data:
//
//   - hostid is the content of /etc/hostid, or JSON null when that file is
//     unreadable. The data file holds null.
//   - mac_prefix is derived from the MAC address of the NIC holding the
//     default route (or random when there is none), with the multicast bit
//     cleared and the locally-administered bit set. The data file holds an
//     empty string, which is deliberately invalid: a caller that forgets the
//     hook gets a per-jail prefix at create time, as iocage does for an
//     invalid prefix, instead of one prefix shared by every host.
//
// Build fills both from a Host value. The lookups themselves (reading
// /etc/hostid, finding the default-route NIC) belong to the caller, which
// can use ReadHostID and MACPrefixFromMAC.
//
// default_rc.conf is the rc.conf iocage writes as IOCROOT/default_rc.conf on
// the first create and copies into a jail that has no /etc/rc.conf.
package defaults
