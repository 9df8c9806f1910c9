// Package jail is the store: the changes to iocage jails and templates
// (create, clone, destroy, rename, snapshots, rollback, fstab, set,
// migrate), each one transaction. It reads the tree through
// internal/inventory, whose Host its own embeds, and reaches start, stop,
// fetch and package installs only through the interfaces in delegates.go.
//
// # On disk
//
// jcage works on the tree iocage keeps on the activated pool, mounted at
// IOCROOT (POOL/iocage):
//
//	IOCROOT/defaults.json              the default pseudo-jail: every property's default
//	IOCROOT/default_rc.conf            rc.conf copied into new jails
//	IOCROOT/jails/NAME/config.json     one jail's properties (thin or thick)
//	IOCROOT/jails/NAME/fstab           mount.fstab for jail(8)
//	IOCROOT/jails/NAME/root/           the jail's file system
//	IOCROOT/templates/NAME/...         the same for templates (dataset readonly=on)
//	IOCROOT/releases/REL/root/         fetched releases
//
// # The compatibility promise
//
// An admin points jcage at a pool iocage manages and keeps working; iocage
// keeps reading what jcage writes. For configuration this means:
//
//   - config.json and defaults.json are written byte for byte as iocage
//     writes them (Python's json.dump with sort_keys, indent=4,
//     ensure_ascii=False, no trailing newline), atomically, mode 0644. A file
//     iocage wrote re-saves unchanged; setting one property changes only
//     that property's line.
//   - Truthy properties are the integers 0 and 1 on disk, every other
//     property a string; values of any other JSON type, and keys jcage does
//     not know, are kept as they are.
//   - A thin config holds only what differs from defaults.json (plus the
//     jail's identity); its effective view is defaults.json overlaid by it.
//     A thick config (CONFIG_TYPE THICK) holds every key.
//   - CONFIG_VERSION 29 (iocage 1.2) to 34 (the freebsd/iocage fork that
//     FreeBSD ports ship) is read, and never lowered. Older files, and the
//     pre-JSON formats (a UCL "config" file, org.freebsd.iocage:* ZFS
//     properties), are refused with a message saying how iocage converts
//     them; an unparsable config.json is ErrCorrupt.
//   - set validates each property strictly, refusing with iocage's
//     messages, while every value iocage itself writes still passes.
//
// Where jcage departs from an iocage quirk on purpose, the code says so at
// the spot.
package jail
