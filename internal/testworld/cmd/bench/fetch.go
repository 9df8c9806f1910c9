package main

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/jcage/jcage/internal/argv"
	"github.com/jcage/jcage/internal/release"
	"github.com/jcage/jcage/internal/testworld/fbsdsim"
	"github.com/jcage/jcage/internal/testworld/mirror"
	"github.com/jcage/jcage/internal/testworld/pool"
)

// fetchPad is the filler that makes the benchmark's base.txz large.
const fetchPad = 320 << 20

// fetchRuns is how many times each of the three is measured.
const fetchRuns = 3

// fetchPoolSize holds the kept sets, the extracted release and the
// floor's extraction at once; the vdev file is sparse.
const fetchPoolSize = 4 << 30

// benchFetch fetches a synthetic release of more than 300 MB from the
// loopback mirror and compares the wall time with the slower of its two
// floors, measured in the same run: downloading the same sets to
// /dev/null, and `xz -dc SET | tar -x` of the same sets into the same
// pool. For the record it also times the extraction with fetch's own
// flags, with and without a concurrent copy of the sets (the work fetch
// does), and prints the peak RSS of the fetch.
func benchFetch(b *bencher) error {
	rel := "14.3-RELEASE"
	dir := filepath.Join(os.TempDir(), "jcage-bench-mirror")
	start := time.Now()
	built, err := mirror.BuildMirror(dir, mirror.MirrorSpec{Releases: []string{rel}, Machines: []string{"amd64"}, PadBytes: fetchPad, Missing: true})
	if err != nil {
		return err
	}
	relDir, err := mirror.ReleaseDir(dir, "amd64", rel)
	if err != nil {
		return err
	}
	sets := []string{"base.txz", "lib32.txz", "src.txz"}
	var total int64
	for _, s := range sets {
		st, err := os.Stat(filepath.Join(relDir, s))
		if err != nil {
			return err
		}
		total += st.Size()
	}
	fmt.Printf("%-28s %s of sets, %s in %.1f s\n", "fetch setup", mib(total), map[bool]string{true: "built", false: "cached"}[len(built) > 0], time.Since(start).Seconds())
	srv, err := mirror.Start("127.0.0.1:0", dir)
	if err != nil {
		return err
	}
	defer srv.Close()

	p, err := bigPool(fetchPoolSize)
	if err != nil {
		return err
	}
	defer p.Destroy()
	state, err := os.MkdirTemp("", "jcage-bench-state-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(state)
	// Pinned to its pool, as the sandbox of the other benchmarks is.
	env := append(append(os.Environ(), b.bin.PathVars()...), fbsdsim.StateEnv+"="+state, "JCAGE_RUN_DIR="+state, "JCAGE_POOL="+p.Name)
	zfsShim := filepath.Join(b.bin.Path, "zfs")
	zfsCmd := func(args ...string) error {
		cmd := exec.Command(zfsShim, args...)
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("zfs %s: %v: %s", strings.Join(args, " "), err, out)
		}
		return nil
	}
	if out, err := runEnv(env, b.bin.Jcage, "activate", p.Name); err != nil {
		return fmt.Errorf("activate: %v: %s", err, out)
	}

	// settle waits until what the previous step wrote and destroyed is on
	// disk (a snapshot commits everything pending), so that no timed step
	// pays for the one before it.
	settles := 0
	settle := func() error {
		settles++
		snap := fmt.Sprintf("%s@settle%d", p.Name, settles)
		if err := zfsCmd("snapshot", snap); err != nil {
			return err
		}
		return zfsCmd("destroy", snap)
	}
	var dls, xts, flagged, keeps, fetches []time.Duration
	var peak int64
	for i := 0; i < fetchRuns; i++ {
		d, err := timed(func() error { return downloadFloor(srv.URL, rel, sets) })
		if err != nil {
			return err
		}
		dls = append(dls, d)

		// The floors extract beside the releases, so with their
		// properties (compression above all): first as an admin would
		// type it, then, for the record, with fetch's own xz and tar
		// flags, and with fetch's flags while the sets are copied into a
		// download dataset (uncompressed, as fetch makes it), the extra
		// work of keeping them as iocage does.
		ds := fmt.Sprintf("%s/iocage/releases/floor%d", p.Name, i)
		kept := fmt.Sprintf("%s/iocage/download/floor%d", p.Name, i)
		if err := zfsCmd("create", ds); err != nil {
			return err
		}
		if err := zfsCmd("create", "-o", "compression=off", kept); err != nil {
			return err
		}
		dir := filepath.Join(p.Mountpoint, "iocage/releases", fmt.Sprintf("floor%d", i))
		for _, step := range []struct {
			sub  string
			pl   pipeline
			keep bool
			out  *[]time.Duration
		}{
			{"plain", plain, false, &xts},
			{"flags", fetchFlags, false, &flagged},
			{"kept", fetchFlags, true, &keeps},
		} {
			root := filepath.Join(dir, step.sub)
			if err := os.Mkdir(root, 0o755); err != nil {
				return err
			}
			if err := settle(); err != nil {
				return err
			}
			d, err := timed(func() error {
				errc := make(chan error, 1)
				go func() {
					if !step.keep {
						errc <- nil
						return
					}
					errc <- copySets(relDir, sets, filepath.Join(p.Mountpoint, "iocage/download", fmt.Sprintf("floor%d", i)))
				}()
				err := extractFloor(relDir, sets, root, step.pl)
				return errors.Join(err, <-errc)
			})
			if err != nil {
				return err
			}
			*step.out = append(*step.out, d)
		}
		for _, d := range []string{ds, kept} {
			if err := zfsCmd("destroy", "-r", d); err != nil {
				return err
			}
		}

		if err := settle(); err != nil {
			return err
		}
		cmd := exec.Command(b.bin.Jcage, "fetch", "-r", rel, "-s", srv.URL, "-NU")
		cmd.Env = env
		d, err = timed(func() error {
			if out, err := cmd.CombinedOutput(); err != nil {
				return fmt.Errorf("jcage fetch: %v: %s", err, out)
			}
			return nil
		})
		if err != nil {
			return err
		}
		fetches = append(fetches, d)
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			peak = max(peak, ru.Maxrss*1024)
		}
		for _, d := range []string{"releases", "download"} {
			if err := zfsCmd("destroy", "-r", p.Name+"/iocage/"+d+"/"+rel); err != nil {
				return err
			}
		}
	}
	dl, xt, fl, kp, got := medianOf(dls), medianOf(xts), medianOf(flagged), medianOf(keeps), medianOf(fetches)
	rate := func(d time.Duration) string { return mib(int64(float64(total) / d.Seconds())) }
	fmt.Printf("%-28s %10.2f ms   (%s/s)\n", "  floor: download", ms(dl), rate(dl))
	fmt.Printf("%-28s %10.2f ms   (%s/s; tar -x --warning=no-unknown-keyword)\n", "  floor: xz -dc | tar -x", ms(xt), rate(xt))
	fmt.Printf("%-28s %10.2f ms   (%s/s; not a floor: fetch's own xz and tar flags)\n", "  xz | tar, fetch's flags", ms(fl), rate(fl))
	fmt.Printf("%-28s %10.2f ms   (not a floor: the same while the sets are copied to a download dataset)\n", "  ... + kept copy", ms(kp))
	floorName := "download"
	floor := dl
	if xt > dl {
		floor, floorName = xt, "xz -dc | tar -x"
	}
	report(fmt.Sprintf("jcage fetch (%s)", mib(total)), got, floor, floorName)
	fmt.Printf("%-28s %10.2f       (against xz | tar with fetch's flags, plus the kept copy)\n", "  ratio to the same work", float64(got)/float64(kp))
	fmt.Printf("%-28s %10s       (jcage fetch and its xz and tar, the largest of them)\n", "  peak RSS", mib(peak))
	return nil
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

func timed(fn func() error) (time.Duration, error) {
	start := time.Now()
	err := fn()
	return time.Since(start), err
}

func medianOf(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func runEnv(env []string, name string, args ...string) ([]byte, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = env
	return cmd.CombinedOutput()
}

// downloadFloor reads every set from the mirror into nothing, as fetch
// reads them (the same default root dir).
func downloadFloor(server, rel string, sets []string) error {
	for _, s := range sets {
		resp, err := http.Get(release.FileURL(server, release.DefaultRootDir(release.ArchOf("amd64")), rel, s))
		if err != nil {
			return err
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%s: %s", s, resp.Status)
		}
	}
	return nil
}

// pipeline is how a set is decompressed and extracted.
type pipeline struct {
	xz  []string
	tar func(root string) []string
}

// plain is `xz -dc | tar -x` as an admin would type it, without the
// warning GNU tar prints for every member carrying FreeBSD file flags.
// As root, GNU tar restores modes and owners by default.
var plain = pipeline{xz: []string{"-dc"}, tar: func(root string) []string {
	return []string{"-x", "--warning=no-unknown-keyword", "-f", "-", "-C", root}
}}

// fetchFlags is the pipeline as fetch runs it.
var fetchFlags = pipeline{xz: argv.XzDecompress().Args, tar: func(root string) []string {
	return argv.TarExtract("linux", root, true).Args
}}

// extractFloor runs the pipeline for each set.
func extractFloor(relDir string, sets []string, root string, pl pipeline) error {
	for _, s := range sets {
		xz := exec.Command("xz", append(slices.Clone(pl.xz), filepath.Join(relDir, s))...)
		tar := exec.Command("tar", pl.tar(root)...)
		pipe, err := xz.StdoutPipe()
		if err != nil {
			return err
		}
		tar.Stdin = pipe
		var xzErr, tarErr strings.Builder
		xz.Stderr, tar.Stderr = &xzErr, &tarErr
		if err := xz.Start(); err != nil {
			return err
		}
		if err := tar.Run(); err != nil {
			xz.Process.Kill()
			xz.Wait()
			return fmt.Errorf("tar -x %s: %v: %s", s, err, tarErr.String())
		}
		if err := xz.Wait(); err != nil {
			return fmt.Errorf("xz -dc %s: %v: %s", s, err, xzErr.String())
		}
	}
	return nil
}

// copySets copies the sets into dir, as fetch keeps them.
func copySets(relDir string, sets []string, dir string) error {
	for _, s := range sets {
		src, err := os.Open(filepath.Join(relDir, s))
		if err != nil {
			return err
		}
		dst, err := os.Create(filepath.Join(dir, s))
		if err == nil {
			_, err = io.CopyBuffer(dst, src, make([]byte, 1<<20)) // fetch writes 1 MiB at a time
			err = errors.Join(err, dst.Close())
		}
		src.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// bigPool is pool.Create with a vdev large enough for the benchmark.
func bigPool(size int64) (*pool.Pool, error) {
	name := pool.NewName()
	p := &pool.Pool{Name: name, Vdev: filepath.Join(pool.Dir, name+".img"), Mountpoint: filepath.Join(pool.Dir, "mnt", name)}
	if err := os.MkdirAll(filepath.Dir(p.Mountpoint), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(p.Vdev, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, err
	}
	err = f.Truncate(size)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		var out []byte
		if out, err = exec.Command(pool.RealZpool(), "create", "-m", p.Mountpoint, name, p.Vdev).CombinedOutput(); err != nil {
			err = fmt.Errorf("zpool create %s: %v: %s", name, err, out)
			// zfs-fuse may have made the pool and failed only to mount it.
			_ = exec.Command(pool.RealZpool(), "destroy", "-f", name).Run()
		}
	}
	if err != nil {
		os.Remove(p.Vdev)
		return nil, err
	}
	return p, nil
}
