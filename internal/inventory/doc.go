// Package inventory reads what jcage manages: it finds the active pool
// (the pool roots' marker only), scans POOL/iocage three levels deep,
// reads one jail alone when the mount table settles where it is
// (LoadNarrow), asks jls(8) which jails run, and gives jails, templates
// and releases as values and rows (ListRows, DfRows, RecursiveRows) for
// the CLI to render.
//
// Host is what reading the tree needs from the machine: ZFS, the command
// runner, where messages go, the caller's identity, the pinned pool and
// the mount table. It also takes the one transaction a change runs under
// (Begin: the tree lock, the journal, the tree read again when another
// command changed it). The store (internal/jail) embeds it; release reads
// through it without reaching the store.
//
// Nothing here changes a jail. Activating a pool and creating the tree's
// own datasets (Activate, OpenTree with create) are the exceptions: they
// are what makes a tree to read.
package inventory
