// Command bench measures jcage against floors taken in the same run and
// prints each figure as a ratio, never as an absolute pass/fail: these
// machines are noisy, ratios against a neighbour are not.
//
//	bench [-n N] [-only NAME] [-jails N] [-unrelated N] [-ldflags FLAGS] [-baseline JCAGE]
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"
	"time"

	"github.com/jcage/jcage/internal/testworld/testbin"
)

type benchmark struct {
	name string
	run  func(b *bencher) error
}

type bencher struct {
	bin       testbin.Dir
	n         int
	jails     int
	unrelated int
	ldflags   string // jcage's linker flags, for the minimal Go binary
	baseline  string // another jcage build to time beside it (list only)
}

var benchmarks = []benchmark{
	{"version", benchVersion},
	{"list", benchList},
	{"create", benchCreate},
	{"start", benchStart},
	{"fetch", benchFetch},
	{"image", benchImage},
}

func main() {
	n := flag.Int("n", 31, "iterations of each timed command (the median is used)")
	only := flag.String("only", "", "run only benchmarks whose name contains this")
	jails := flag.Int("jails", 1000, "jails to lay out for the list benchmark")
	unrelated := flag.Int("unrelated", 5000, "datasets that are not jcage's to add for the second list figure")
	ldflags := flag.String("ldflags", "-s -w "+testbin.LDFlags, "the linker flags jcage was built with (for the minimal Go binary)")
	baseline := flag.String("baseline", "", "another jcage binary (a test-world build) to time on the same layout, for the list benchmark")
	flag.Parse()
	bin, err := testbin.Get()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	b := &bencher{bin: bin, n: *n, jails: *jails, unrelated: *unrelated, ldflags: *ldflags, baseline: *baseline}
	failed := false
	for _, bm := range benchmarks {
		if *only != "" && !strings.Contains(bm.name, *only) {
			continue
		}
		if err := bm.run(b); err != nil {
			fmt.Fprintf(os.Stderr, "bench %s: %v\n", bm.name, err)
			failed = true
		}
	}
	if failed {
		os.Exit(1)
	}
}

// pairedMedians runs floor and fn alternately, n times each, and returns
// both medians: each run of fn sees the machine (and the pool, which
// grows as the runs go) as the floor run next to it did.
func (b *bencher) pairedMedians(floor, fn func() error) (time.Duration, time.Duration, error) {
	var fs, gs []time.Duration
	for i := 0; i < b.n; i++ {
		for _, r := range []struct {
			fn  func() error
			out *[]time.Duration
		}{{floor, &fs}, {fn, &gs}} {
			start := time.Now()
			if err := r.fn(); err != nil {
				return 0, 0, err
			}
			*r.out = append(*r.out, time.Since(start))
		}
	}
	return medianOf(fs), medianOf(gs), nil
}

// median runs fn n times and returns the median duration.
func (b *bencher) median(fn func() error) (time.Duration, error) {
	ds := make([]time.Duration, 0, b.n)
	for i := 0; i < b.n; i++ {
		start := time.Now()
		if err := fn(); err != nil {
			return 0, err
		}
		ds = append(ds, time.Since(start))
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[len(ds)/2], nil
}

func run(name string, args ...string) func() error {
	return func() error {
		out, err := exec.Command(name, args...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, out)
		}
		return nil
	}
}

func report(name string, got, floor time.Duration, floorName string) {
	fmt.Printf("%-28s %10.2f ms   floor (%s) %8.2f ms   ratio %.2f\n",
		name, ms(got), floorName, ms(floor), float64(got)/float64(floor))
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
