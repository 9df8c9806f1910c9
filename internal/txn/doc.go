// Package txn makes every change to the jcage tree one transaction: the
// change takes the tree lock itself, records the undo of each step in a
// journal before the step runs, and is unwound on a failure, on an
// interrupt, and after its process was killed.
//
//	ctx, tx, err := store.Begin(ctx, "rename", "web") // waits for the lock; Ctrl-C ends the wait
//	if err != nil {
//		return err
//	}
//	defer tx.End() // unwinds unless committed
//	if err := tx.WillRename(from, to); err != nil { // journaled first
//		return err
//	}
//	if err := zfs.Rename(ctx, from, to, ...); err != nil { // then done
//		return err
//	}
//	return tx.Commit()
//
// # On disk
//
// Both live in the run directory (/var/run), outside the pool, so that they
// are never snapshotted, cloned or exported, and a reboot clears them:
//
//	jcage.lock                  the tree lock (flock(2)); only root opens it
//	jcage-journal/*.json        one journal per change under way
//	jcage-journal/generation    how many changes have ended
//
// A journal is written whole (temp file, rename) before each step: the
// steps so far, each as the way to undo it (destroy what was made, rename
// back, put a file's bytes back, set a property back, roll back to a
// snapshot taken first, run the command that undoes a mount). Undoing is
// idempotent, and a step that never ran finds nothing to undo, so a journal
// can be replayed from any point a process died at, and again after a
// replay that was itself cut short.
//
// # Who replays
//
// Every change holds the tree lock while its journal exists, so a journal
// found by whoever holds the lock next belongs to a dead process. Begin
// replays such journals, newest first, before the new change starts; read
// commands call Recover, which takes the lock only when there is a journal.
// A journal that cannot be replayed stays, and the next command says why.
//
// A rollback cannot be undone (ZFS destroys what it rolls back over), so
// its steps are finished rather than undone: the tree ends wholly at the
// snapshot, never half way.
//
// # Changes inside changes
//
// The context Begin returns carries the transaction. A change begun with it
// (create fetching its release, a plugin install creating its jail) shares
// the lock and keeps a journal of its own, committed or undone on its own.
//
// # Deciding from what is current
//
// Commands read the tree before the lock is theirs. Every change that ends
// having touched the tree adds one to the generation; jail.Host.Begin reads
// the tree again, under the lock, when the generation moved since it was
// read, so that a change never decides from a tree another command has
// changed meanwhile.
//
// # Crash tests
//
// The test world's build can kill itself at any point of its journal (see
// crashEnv): cmd/jcage's TestSystemCrashEveryJournalStep runs each change
// killed at point 1, 2, ... until it goes through, and checks that the next
// command leaves the tree as it was.
package txn
