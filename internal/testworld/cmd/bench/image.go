package main

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jcage/jcage/internal/testworld/fbsdsim"
	"github.com/jcage/jcage/internal/testworld/pool"
	"github.com/jcage/jcage/internal/testworld/zfsshim"
)

// Sizes of the exported jail: mostly random data, which no compressor
// shrinks, and some text, which every compressor does.
const (
	imageRandomMiB = 1024
	imageTextMiB   = 64
	imageFileMiB   = 64
	imageExtraVdev = 4 << 30 // room for the jail, its archive and a copy
)

// benchImage exports and imports a jail of about 1.1 GB and compares each
// with `zfs send | gzip -1 > /dev/null` of the same data, imageRun in the
// same run through the same zfs; import is also compared with `zfs send |
// zfs recv`. It prints the peak RSS of the jcage process.
func benchImage(b *bencher) error {
	p, err := pool.Create(pool.NewName())
	if err != nil {
		return err
	}
	// The sweep of a crashed run removes pool.Dir/PREFIX*.img.
	extra := filepath.Join(pool.Dir, p.Name+"-extra.img")
	defer func() {
		p.Destroy()
		os.Remove(extra)
	}()
	if err := imageGrowPool(p, extra); err != nil {
		return err
	}
	state, err := os.MkdirTemp("", "jcage-bench-state-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(state)
	env := append(append(os.Environ(), b.bin.PathVars()...), fbsdsim.StateEnv+"="+state, "JCAGE_POOL="+p.Name, "JCAGE_RUN_DIR="+state)
	command := func(name string, args ...string) *exec.Cmd {
		cmd := exec.Command(name, args...)
		cmd.Env = env
		return cmd
	}
	run := func(name string, args ...string) error {
		if out, err := command(name, args...).CombinedOutput(); err != nil {
			return fmt.Errorf("%s %s: %v: %s", filepath.Base(name), strings.Join(args, " "), err, out)
		}
		return nil
	}
	zfsShim := filepath.Join(b.bin.Path, "zfs")
	jcage := b.bin.Jcage
	if err := run(jcage, "activate", p.Name); err != nil {
		return err
	}
	if err := run(jcage, "create", "-e", "-n", "big"); err != nil {
		return err
	}
	root := filepath.Join(p.Mountpoint, "iocage/jails/big/root")
	size, err := layImageData(root)
	if err != nil {
		return err
	}
	jailDS := p.Name + "/iocage/jails/big"

	// Floors: the same datasets, sent through gzip -1, and received.
	if err := run(zfsShim, "snapshot", "-r", jailDS+"@floor"); err != nil {
		return err
	}
	pipe := fmt.Sprintf("%[1]s send %[2]s@floor | gzip -1 > /dev/null && %[1]s send %[2]s/root@floor | gzip -1 > /dev/null", zfsShim, jailDS)
	gzipFloor, err := imageTimed(func() error { return run("sh", "-c", pipe) })
	if err != nil {
		return err
	}
	copyDS := p.Name + "/benchcopy"
	recv := fmt.Sprintf("%[1]s send %[2]s/root@floor | %[1]s receive %[3]s", zfsShim, jailDS, copyDS)
	recvFloor, err := imageTimed(func() error { return run("sh", "-c", recv) })
	if err != nil {
		return err
	}
	if err := run(zfsShim, "destroy", "-r", copyDS); err != nil {
		return err
	}
	if err := run(zfsShim, "destroy", "-r", jailDS+"@floor"); err != nil {
		return err
	}

	exp, err := imageMeasure(command(jcage, "export", "big"))
	if err != nil {
		return err
	}
	archives, _ := filepath.Glob(filepath.Join(p.Mountpoint, "iocage/images/big_*.zip"))
	var archiveSize int64
	if len(archives) == 1 {
		if fi, err := os.Stat(archives[0]); err == nil {
			archiveSize = fi.Size()
		}
	}
	if err := run(jcage, "destroy", "-f", "big"); err != nil {
		return err
	}
	imp, err := imageMeasure(command(jcage, "import", "big"))
	if err != nil {
		return err
	}

	mb := float64(size) / 1e6
	fmt.Printf("image: a jail of %.0f MB (%d MiB random, %d MiB text), archive %.0f MB\n", mb, imageRandomMiB, imageTextMiB, float64(archiveSize)/1e6)
	report("jcage export (zip)", exp.wall, gzipFloor, "zfs send | gzip -1")
	fmt.Printf("%-28s %10.1f MB/s   floor %8.1f MB/s   peak RSS %.1f MiB (with children %.1f MiB)\n",
		"", mb/exp.wall.Seconds(), mb/gzipFloor.Seconds(), imageMiB(exp.hwm), imageMiB(exp.maxrss))
	report("jcage import (zip)", imp.wall, gzipFloor, "zfs send | gzip -1")
	report("jcage import (zip)", imp.wall, recvFloor, "zfs send | zfs recv")
	fmt.Printf("%-28s %10.1f MB/s   floor %8.1f MB/s   peak RSS %.1f MiB (with children %.1f MiB)\n",
		"", mb/imp.wall.Seconds(), mb/recvFloor.Seconds(), imageMiB(imp.hwm), imageMiB(imp.maxrss))
	return nil
}

// imageGrowPool adds a sparse file vdev: the standard test pool is too small
// for a jail of a gigabyte.
func imageGrowPool(p *pool.Pool, file string) error {
	f, err := os.OpenFile(file, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	err = f.Truncate(imageExtraVdev)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	cmd := exec.Command(pool.RealZpool(), "add", "-f", p.Name, file)
	cmd.Env = []string{"PATH=" + zfsshim.SystemPath}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("zpool add %s %s: %v: %s", p.Name, file, err, out)
	}
	return nil
}

// layImageData writes the jail's data in files of imageFileMiB and
// returns the bytes written.
func layImageData(root string) (int64, error) {
	dir := filepath.Join(root, "var/db/bench")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	rng := rand.NewChaCha8([32]byte{1})
	line := []byte("jcage exports jails as iocage does, streamed and verified.\n")
	text := bytes.Repeat(line, (1<<20)/len(line)+1)[:1<<20]
	chunk := make([]byte, 1<<20)
	var total int64
	write := func(name string, mib int, fill func([]byte)) error {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		w := bufio.NewWriterSize(f, 1<<20)
		for i := 0; i < mib; i++ {
			fill(chunk)
			if _, err := w.Write(chunk); err != nil {
				f.Close()
				return err
			}
			total += int64(len(chunk))
		}
		if err := w.Flush(); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
	for i := 0; i < imageRandomMiB/imageFileMiB; i++ {
		if err := write(fmt.Sprintf("random%02d", i), imageFileMiB, func(b []byte) { rng.Read(b) }); err != nil {
			return total, err
		}
	}
	if err := write("text", imageTextMiB, func(b []byte) { copy(b, text) }); err != nil {
		return total, err
	}
	return total, nil
}

// imageTimed runs fn and returns how long it took.
func imageTimed(fn func() error) (time.Duration, error) {
	start := time.Now()
	err := fn()
	return time.Since(start), err
}

// imageRun is one command's wall time and memory high-water marks: hwm
// is the process's own (VmHWM, polled), maxrss the largest of it and its
// children (rusage), both in bytes.
type imageRun struct {
	wall        time.Duration
	hwm, maxrss int64
}

func imageMeasure(cmd *exec.Cmd) (imageRun, error) {
	var m imageRun
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return m, err
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		status := fmt.Sprintf("/proc/%d/status", cmd.Process.Pid)
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			if v := imageVmHWM(status); v > m.hwm {
				m.hwm = v
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	err := cmd.Wait()
	m.wall = time.Since(start)
	close(stop)
	wg.Wait()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		m.maxrss = int64(ru.Maxrss) * 1024 // kilobytes on Linux
	}
	if err != nil {
		return m, fmt.Errorf("%s: %v: %s", strings.Join(cmd.Args, " "), err, out.String())
	}
	return m, nil
}

// imageVmHWM reads a process's peak resident set from /proc, in bytes.
func imageVmHWM(status string) int64 {
	b, err := os.ReadFile(status)
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			f := strings.Fields(v)
			if len(f) > 0 {
				n, _ := strconv.ParseInt(f[0], 10, 64)
				return n * 1024
			}
		}
	}
	return 0
}

func imageMiB(n int64) float64 { return float64(n) / (1 << 20) }
