package fbsdsim

// The kernel side of `zfs jail` (OpenZFS module/os/freebsd/spl/spl_zone.c
// zone_dataset_attach/zone_dataset_detach): each jail has a list of
// datasets it may see and mount. The list lives in the simulator's state
// directory so that the zfs shim (zfs jail, zfs unjail, zfs mount inside a
// jail) and jail -r (prison removal frees the list) share it. Ledger:
// [zfs-jail].

import (
	"fmt"
	"os"
	"sort"
	"strings"
)

const zfsJailFile = "zfsjail.json"

// ZFSJails is the state: JID -> datasets attached, and the datasets
// mounted inside each jail.
type ZFSJails struct {
	Attached map[int][]string `json:"attached,omitempty"`
	Mounted  map[int][]string `json:"mounted,omitempty"`
}

// Visible reports whether ds is one of the jail's datasets or below one.
func (z *ZFSJails) Visible(jid int, ds string) bool {
	for _, a := range z.Attached[jid] {
		if ds == a || strings.HasPrefix(ds, a+"/") {
			return true
		}
	}
	return false
}

// EditZFSJails runs fn on the state under the simulator's lock and saves
// it when fn returns true.
func EditZFSJails(state string, fn func(z *ZFSJails) bool) error {
	e := &Env{State: state, Getenv: func(string) string { return "" }}
	if err := os.MkdirAll(state, 0o755); err != nil {
		return err
	}
	return e.Locked(func() error {
		z := &ZFSJails{}
		if err := e.Load(zfsJailFile, z); err != nil {
			return err
		}
		if z.Attached == nil {
			z.Attached = map[int][]string{}
		}
		if z.Mounted == nil {
			z.Mounted = map[int][]string{}
		}
		if !fn(z) {
			return nil
		}
		for k := range z.Attached {
			sort.Strings(z.Attached[k])
		}
		return e.Save(zfsJailFile, z)
	})
}

// LookupJail finds a running jail by JID or name, as jail_getid(3) does.
func LookupJail(state, spec string) (int, error) {
	e := &Env{State: state, Getenv: func(string) string { return "" }}
	var jid int
	var msg string
	if err := e.viewWorld(func(w *simWorld) {
		j, m := w.jails().lookup(spec)
		if j != nil {
			jid = j.JID
		}
		msg = m
	}); err != nil {
		return 0, err
	}
	if jid == 0 {
		return 0, fmt.Errorf("%s", msg)
	}
	return jid, nil
}

// zfsJailForget drops what a removed jail held: the kernel frees a
// prison's dataset list when the prison goes.
func (e *Env) zfsJailForget(jid int) error {
	return EditZFSJails(e.State, func(z *ZFSJails) bool {
		if _, ok := z.Attached[jid]; !ok && len(z.Mounted[jid]) == 0 {
			return false
		}
		delete(z.Attached, jid)
		delete(z.Mounted, jid)
		return true
	})
}
