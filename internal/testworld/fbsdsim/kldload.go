package fbsdsim

// kldload(8). Loaded modules live in the state file kld.json so that a
// second load fails as the kernel makes it fail (EEXIST), unless -n.
// Ledger: [kldload].
//
// Settings:
//   JCAGE_SIM_KLD_LOADED  modules loaded at boot (default "kernel,zfs")
//   JCAGE_SIM_KMODS       extra module names that exist on disk, besides the
//                         built-in list of modules found in /boot/kernel

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

const kldStateFile = "kld.json"

type kldState struct {
	Loaded map[string]int `json:"loaded"` // module file name -> file id
	LastID int            `json:"last_id"`
}

// kldAvailable lists modules shipped in /boot/kernel that a jail host may
// load (network plumbing, file systems, firewalls, emulation).
var kldAvailable = []string{
	"accf_data", "accf_dns", "accf_http", "aesni", "carp", "cryptodev",
	"dummynet", "fdescfs", "fusefs", "if_bridge", "if_epair", "if_gif", "if_gre",
	"if_lagg", "if_tap", "if_tun", "if_tuntap", "if_vlan", "if_vxlan",
	"ipdivert", "ipfw", "ipfw_nat", "ipfw_nat64", "ipfw_nptv6", "linprocfs",
	"linsysfs", "linux", "linux64", "linux_common", "mac_portacl",
	"mqueuefs", "netgraph", "ng_bridge", "ng_eiface", "ng_ether",
	"ng_socket", "nmdm", "nullfs", "opensolaris", "pf", "pflog", "pfsync",
	"procfs", "racct", "sem", "tmpfs", "unionfs", "vmm", "zfs",
}

func kldInitial(e *Env) kldState {
	boot := e.Setting("KLD_LOADED")
	if boot == "" {
		boot = "kernel,zfs"
	}
	st := kldState{Loaded: map[string]int{}}
	for _, m := range ulList(boot) {
		st.LastID++
		st.Loaded[kldName(m)] = st.LastID
	}
	return st
}

// kldName is the module file name the kernel records for an argument:
// "/boot/kernel/if_bridge.ko" and "if_bridge" both load "if_bridge".
func kldName(arg string) string {
	return strings.TrimSuffix(filepath.Base(arg), ".ko")
}

func kldExists(e *Env, arg string) bool {
	if strings.Contains(arg, "/") {
		if _, err := os.Stat(arg); err == nil {
			return true
		}
	}
	name := kldName(arg)
	all := append(append([]string(nil), kldAvailable...), ulList(e.Setting("KMODS"))...)
	for _, m := range all {
		if m == name {
			return true
		}
	}
	return false
}

func init() { register("kldload", runKldload) }

func runKldload(e *Env) int {
	opts, mods, oerr := ulGetopt(e.Args, "nqv")
	if oerr != nil {
		fmt.Fprintln(e.Stderr, oerr.libc("kldload"))
		return e.Usage(1, "usage: kldload [-nqv] file ...")
	}
	var checkLoaded, quiet, verbose bool
	for _, o := range opts {
		switch o.c {
		case 'n':
			checkLoaded = true
		case 'q':
			quiet, verbose = true, false
		case 'v':
			verbose, quiet = true, false
		}
	}
	_ = quiet // -q only silences the module-path warning, which never fires here
	if len(mods) == 0 {
		return e.Usage(1, "usage: kldload [-nqv] file ...")
	}
	errs := 0
	err := e.Locked(func() error {
		st := kldInitial(e)
		if _, err := os.Stat(filepath.Join(e.State, kldStateFile)); err == nil {
			st = kldState{}
			if err := e.Load(kldStateFile, &st); err != nil {
				return err
			}
			if st.Loaded == nil {
				st.Loaded = map[string]int{}
			}
		}
		for _, m := range mods {
			name := kldName(m)
			switch {
			case ulEUID(e) != 0:
				fmt.Fprintf(e.Stderr, "kldload: can't load %s: Operation not permitted\n", m)
				errs++
			case st.Loaded[name] != 0:
				if checkLoaded {
					if verbose {
						fmt.Fprintf(e.Stdout, "%s is already loaded\n", m)
					}
					continue
				}
				fmt.Fprintf(e.Stderr, "kldload: can't load %s: module already loaded or in kernel\n", m)
				errs++
			case !kldExists(e, m):
				fmt.Fprintf(e.Stderr, "kldload: can't load %s: No such file or directory\n", m)
				errs++
			default:
				st.LastID++
				st.Loaded[name] = st.LastID
				if verbose {
					fmt.Fprintf(e.Stdout, "Loaded %s, id=%d\n", m, st.LastID)
				}
			}
		}
		return e.Save(kldStateFile, st)
	})
	if err != nil {
		return e.Errorf(70, "simulator state: %v", err)
	}
	if errs > 0 {
		return 1
	}
	return 0
}

// KldLoaded returns the modules the simulated kernel has loaded, sorted,
// for tests. Before the first kldload it reports the default boot set
// (JCAGE_SIM_KLD_LOADED is not visible here).
func KldLoaded(state string) ([]string, error) {
	e := &Env{State: state, Getenv: func(string) string { return "" }}
	st := kldInitial(e)
	if _, err := os.Stat(filepath.Join(state, kldStateFile)); err == nil {
		st = kldState{}
		if err := e.Load(kldStateFile, &st); err != nil {
			return nil, err
		}
	}
	var out []string
	for m := range st.Loaded {
		out = append(out, m)
	}
	sort.Strings(out)
	return out, nil
}

func init() { register("kldstat", runKldstat) }

// runKldstat is kldstat(8) (sbin/kldstat/kldstat.c main) over the same
// loaded-module set: with -m or -n it asks about one module or file and,
// with -q, answers only with the exit status; without them it lists the
// loaded files. Ledger: [kldstat].
func runKldstat(e *Env) int {
	opts, rest, oerr := ulGetopt(e.Args, "adhi:m:n:qv")
	if oerr != nil || len(rest) > 0 {
		if oerr != nil {
			fmt.Fprintln(e.Stderr, oerr.libc("kldstat"))
		}
		return e.Usage(1, "usage: kldstat [-dhqv] [-i id] [-n filename]", "       kldstat [-dq] [-m modname]")
	}
	var modName, fileName string
	quiet := false
	for _, o := range opts {
		switch o.c {
		case 'm':
			modName = o.arg
		case 'n':
			fileName = kldName(o.arg)
		case 'q':
			quiet = true
		}
	}
	var st kldState
	if err := e.Locked(func() (err error) { st, err = kldLoad(e); return err }); err != nil {
		return e.Errorf(70, "simulator state: %v", err)
	}
	if modName != "" || fileName != "" {
		name := modName + fileName
		id := st.Loaded[name]
		if id == 0 {
			if quiet {
				return 1
			}
			if modName != "" {
				return e.Errorf(1, "can't find module %s: No such file or directory", modName)
			}
			return e.Errorf(1, "can't find file %s: No such file or directory", fileName)
		}
		if !quiet {
			fmt.Fprintf(e.Stdout, "Id  Refs Name\n%3d %4d %s\n", id, 1, name)
		}
		return 0
	}
	names := make([]string, 0, len(st.Loaded))
	for m := range st.Loaded {
		names = append(names, m)
	}
	sort.Slice(names, func(a, b int) bool { return st.Loaded[names[a]] < st.Loaded[names[b]] })
	fmt.Fprintln(e.Stdout, "Id Refs Address                Size Name")
	for _, m := range names {
		file := m + ".ko"
		if m == "kernel" {
			file = m
		}
		fmt.Fprintf(e.Stdout, "%2d %4d 0xffffffff80200000 %8x %s\n", st.Loaded[m], 1, 0x1000, file)
	}
	return 0
}
