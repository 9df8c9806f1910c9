package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/jcage/jcage/internal/host"
)

// startJails and startDelay shape the boot benchmark: 100 jails with
// boot=on at one priority, each jail -c held 100 ms by the simulator.
const (
	startJails = 100
	startDelay = 100 * time.Millisecond
	startRuns  = 5
)

// benchStart times `jcage start --rc` over 100 boot jails of one priority
// and reports it against the sequential sum of their jail(8) time (what
// iocage's one-by-one start can never beat), and against jcage's own
// sequential start (-j 1) measured in the same run.
func benchStart(b *bencher) error {
	sb, err := b.sandbox("JCAGE_SIM_JAIL_DELAY=" + startDelay.String())
	if err != nil {
		return err
	}
	defer sb.close()
	p, env := sb.pool, sb.env
	jc := sb.timed
	zfsShim := filepath.Join(b.bin.Path, "zfs")
	iocroot := filepath.Join(p.Mountpoint, "iocage")
	for i := 0; i < startJails; i++ {
		name := fmt.Sprintf("boot%03d", i)
		ds := p.Name + "/iocage/jails/" + name
		for _, args := range [][]string{{"create", ds}, {"create", ds + "/root"}} {
			cmd := exec.Command(zfsShim, args...)
			cmd.Env = env
			if out, err := cmd.CombinedOutput(); err != nil {
				return fmt.Errorf("zfs %s: %v: %s", strings.Join(args, " "), err, out)
			}
		}
		dir := filepath.Join(iocroot, "jails", name)
		for _, d := range []string{"root/dev/fd", "root/etc", "root/bin"} {
			if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
				return err
			}
		}
		// What jexec runs in the jail at start and stop: the simulator
		// checks that the jail has them, as FreeBSD's jexec does.
		for p, mode := range map[string]os.FileMode{"root/bin/sh": 0o755, "root/etc/rc": 0o644, "root/etc/rc.shutdown": 0o644} {
			if err := os.WriteFile(filepath.Join(dir, p), []byte("#!/bin/sh\n"), mode); err != nil {
				return err
			}
		}
		cfg, _ := json.MarshalIndent(map[string]any{
			"CONFIG_VERSION": "34", "host_hostname": name, "host_hostuuid": name,
			"release": "14.3-RELEASE", "type": "jail", "boot": 1, "priority": "50",
			"jail_zfs_dataset": "iocage/jails/" + name + "/data",
		}, "", "    ")
		if err := os.WriteFile(filepath.Join(dir, "config.json"), cfg, 0o644); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, "fstab"), nil, 0o644); err != nil {
			return err
		}
	}
	seq, err := jc("start", "--rc", "-j", "1")
	if err != nil {
		return err
	}
	if _, err := jc("stop", "--rc"); err != nil {
		return err
	}
	// The parallel start is short enough to take the median of a few.
	// Each start also leaves jcage's own CPU time in the rusage file.
	rusage := filepath.Join(sb.state, "rusage")
	sb.env = append(sb.env, host.RusageEnv+"="+rusage)
	var runs, cpus []time.Duration
	for k := 0; k < startRuns; k++ {
		os.Remove(rusage)
		d, err := jc("start", "--rc")
		if err != nil {
			return err
		}
		cpu, err := readRusage(rusage)
		if err != nil {
			return err
		}
		if _, err := jc("stop", "--rc"); err != nil {
			return err
		}
		runs, cpus = append(runs, d), append(cpus, cpu)
	}
	got := medianOf(runs)
	sum := time.Duration(startJails) * startDelay
	report(fmt.Sprintf("jcage start --rc (%d jails)", startJails), got, sum, fmt.Sprintf("sequential sum %d×%v", startJails, startDelay))
	report("jcage start --rc -j 1", seq, sum, fmt.Sprintf("sequential sum %d×%v", startJails, startDelay))
	fmt.Printf("%-28s %10.2f   (parallel / jcage's own sequential start)\n", "start --rc speed-up", float64(got)/float64(seq))
	fmt.Printf("%-28s %10.2f ms per started jail (jcage's own CPU, the programs it runs excluded; target 5)\n",
		"start --rc jcage CPU", ms(medianOf(cpus))/startJails)
	return nil
}

// readRusage sums the "USER_US SYS_US" lines a test-world jcage appends
// to path as it exits (host.RusageEnv): getrusage(RUSAGE_SELF) of each
// jcage process, which leaves out the programs it ran. wait4's usage of
// jcage would count them too: it folds in every child jcage reaped.
func readRusage(path string) (time.Duration, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("jcage's CPU time: %w", err)
	}
	var total time.Duration
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var user, sys int64
		if _, err := fmt.Sscanf(line, "%d %d", &user, &sys); err != nil {
			return 0, fmt.Errorf("jcage's CPU time: %q: %v", line, err)
		}
		total += time.Duration(user+sys) * time.Microsecond
	}
	return total, nil
}
