package zfsshim

// zfs jail / zfs unjail, which zfs-fuse lacks, and zfs(8) run inside a
// jail. OpenZFS: cmd/zfs/os/freebsd/zfs_main_os.c zfs_do_jail_impl,
// lib/libzfs/os/freebsd/libzfs_compat.c zfs_jail, and the kernel's
// module/os/freebsd/spl/spl_zone.c zone_dataset_attach/_detach. The
// per-jail lists live with the FreeBSD simulator's state (JCAGE_SIM_STATE)
// so that jail -r frees them as prison removal does. Ledger: [zfs-jail].

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/jcage/jcage/internal/testworld/fbsdsim"
)

// JailEnv names the variable that tells the shim it runs inside a jail
// (the simulated jexec sets it to the JID).
const JailEnv = "JCAGE_ZFS_JAIL"

const jailUsage = "usage:\n\tjail <jailid|jailname> <filesystem>\n\tunjail <jailid|jailname> <filesystem>\n"

func (s *Shim) zfsJail(verb string, args []string) (int, bool) {
	state := os.Getenv(fbsdsim.StateEnv)
	if state == "" {
		fmt.Fprintf(s.Stderr, "zfs %s: simulator state directory not set (%s)\n", verb, fbsdsim.StateEnv)
		return 70, true
	}
	if len(args) < 2 {
		fmt.Fprintf(s.Stderr, "missing argument(s)\n%s", jailUsage)
		return 2, true
	}
	if len(args) > 2 {
		fmt.Fprintf(s.Stderr, "too many arguments\n%s", jailUsage)
		return 2, true
	}
	jid, err := fbsdsim.LookupJail(state, args[0])
	if err != nil {
		fmt.Fprintf(s.Stderr, "invalid jail id or name\n%s", jailUsage)
		return 2, true
	}
	ds := args[1]
	res := s.Real.Run(ZFS, []string{"list", "-H", "-o", "name", "-t", "filesystem", ds})
	if res.Code != 0 {
		return s.forward(res), true
	}
	msg := ""
	err = fbsdsim.EditZFSJails(state, func(z *fbsdsim.ZFSJails) bool {
		have := slices.Contains(z.Attached[jid], ds)
		switch {
		case verb == "jail" && have:
			msg = "dataset already exists" // EEXIST
		case verb == "unjail" && !have:
			msg = "dataset does not exist" // ENOENT
		case verb == "jail":
			z.Attached[jid] = append(z.Attached[jid], ds)
			return true
		default:
			z.Attached[jid] = slices.DeleteFunc(z.Attached[jid], func(d string) bool { return d == ds })
			z.Mounted[jid] = slices.DeleteFunc(z.Mounted[jid], func(d string) bool { return d == ds || strings.HasPrefix(d, ds+"/") })
			return true
		}
		return false
	})
	if err != nil {
		fmt.Fprintf(s.Stderr, "zfs %s: simulator state: %v\n", verb, err)
		return 70, true
	}
	if msg != "" {
		fmt.Fprintf(s.Stderr, "cannot %s '%s': %s\n", verb, ds, msg)
		return 1, true
	}
	return 0, true
}

// inJail answers a zfs call made inside jail jid: mount and umount of a
// dataset the jail was given (and that is jailed) are recorded as the
// jail's mounts; zfs-fuse cannot mount a zoned dataset, and the mount
// would be in the jail's view only. Anything else inside a jail is not
// simulated and fails loudly.
func (s *Shim) inJail(jidText string, args []string) int {
	jid, err := strconv.Atoi(jidText)
	state := os.Getenv(fbsdsim.StateEnv)
	if err != nil || state == "" || len(args) == 0 {
		fmt.Fprintf(s.Stderr, "zfs: bad %s=%q or no %s\n", JailEnv, jidText, fbsdsim.StateEnv)
		return 70
	}
	verb := args[0]
	if verb == "unmount" {
		verb = "umount"
	}
	if (verb != "mount" && verb != "umount") || len(args) != 2 || strings.HasPrefix(args[1], "-") {
		fmt.Fprintf(s.Stderr, "zfs: inside a jail the simulation knows only `zfs mount|umount DATASET`, not %q\n", strings.Join(args, " "))
		return 70
	}
	ds := args[1]
	res := s.Real.Run(ZFS, []string{"get", "-H", "-o", "value", "zoned", ds})
	zoned := res.Code == 0 && strings.TrimSpace(string(res.Stdout)) == "on"
	msg := ""
	err = fbsdsim.EditZFSJails(state, func(z *fbsdsim.ZFSJails) bool {
		mounted := slices.Contains(z.Mounted[jid], ds)
		switch {
		case !z.Visible(jid, ds):
			msg = fmt.Sprintf("cannot open '%s': dataset does not exist", ds)
		case !zoned:
			msg = fmt.Sprintf("cannot %s '%s': permission denied", verb, ds)
		case verb == "mount" && mounted:
			msg = fmt.Sprintf("cannot mount '%s': filesystem already mounted", ds)
		case verb == "umount" && !mounted:
			msg = fmt.Sprintf("cannot unmount '%s': not currently mounted", ds)
		case verb == "mount":
			z.Mounted[jid] = append(z.Mounted[jid], ds)
			return true
		default:
			z.Mounted[jid] = slices.DeleteFunc(z.Mounted[jid], func(d string) bool { return d == ds })
			return true
		}
		return false
	})
	if err != nil {
		fmt.Fprintf(s.Stderr, "zfs: simulator state: %v\n", err)
		return 70
	}
	if msg != "" {
		fmt.Fprintln(s.Stderr, msg)
		return 1
	}
	return 0
}
