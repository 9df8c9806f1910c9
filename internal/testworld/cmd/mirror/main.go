// Command mirror builds and serves the loopback FreeBSD release mirror that
// jcage's system tests and benchmarks fetch from.
//
//	mirror build -dir D [-release 13.4-RELEASE,14.3-RELEASE] [-arch amd64,arm64] [-pad-mb N] [-pad-compressed] [-no-xz] [-preset N]
//	mirror serve -dir D [-addr 127.0.0.1:0]
//	mirror up    -dir D [build flags] [-addr 127.0.0.1:0]
//	mirror plugins [-addr 127.0.0.1:0]
//
// serve and up print the base URL (http://127.0.0.1:PORT) as the first
// line on stdout, then serve until interrupted. up first builds whatever
// is missing or was built with other settings. Build progress goes to
// stderr so that the URL line stays first.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/jcage/jcage/internal/testworld/mirror"
)

const usage = `usage: mirror build -dir D [-release R1,R2] [-arch amd64,arm64] [-pad-mb N] [-pad-compressed] [-no-xz] [-preset N]
       mirror serve -dir D [-addr 127.0.0.1:0]
       mirror up    -dir D [build flags] [-addr 127.0.0.1:0]
       mirror plugins [-addr 127.0.0.1:0]
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// errUsage marks errors that deserve the usage text and exit status 2.
var errUsage = errors.New("usage")

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "build":
		err = cmdBuild(args[1:], stdout, stderr)
	case "serve":
		err = cmdServe(ctx, args[1:], stdout, stderr, false)
	case "up":
		err = cmdServe(ctx, args[1:], stdout, stderr, true)
	case "plugins":
		err = cmdPlugins(ctx, args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		err = fmt.Errorf("%w: unknown command %q", errUsage, args[0])
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "mirror: %v\n%s", err, usage)
		return 2
	default:
		fmt.Fprintf(stderr, "mirror: %v\n", err)
		return 1
	}
}

type buildFlags struct {
	releases, arches string
	padMB            int64
	padCompressed    bool
	noXZ             bool
	preset           int
}

func (b *buildFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&b.releases, "release", strings.Join(mirror.DefaultReleases, ","), "comma-separated release names")
	fs.StringVar(&b.arches, "arch", strings.Join(mirror.DefaultMachines, ","), "comma-separated machines (uname -m)")
	fs.Int64Var(&b.padMB, "pad-mb", 0, "MiB of filler files added to each base.txz")
	fs.BoolVar(&b.padCompressed, "pad-compressed", false, "compress the filler with xz too (slower build, realistic extraction cost)")
	fs.BoolVar(&b.noXZ, "no-xz", false, "do not use the system xz: store every block uncompressed")
	fs.IntVar(&b.preset, "preset", 0, "xz preset level 0-9")
}

func (b *buildFlags) spec(missing bool) (mirror.MirrorSpec, error) {
	if b.padMB < 0 {
		return mirror.MirrorSpec{}, fmt.Errorf("%w: -pad-mb must not be negative", errUsage)
	}
	m := mirror.MirrorSpec{
		Releases:      splitList(b.releases),
		Machines:      splitList(b.arches),
		PadBytes:      b.padMB << 20,
		PadCompressed: b.padCompressed,
		Preset:        b.preset,
		Missing:       missing,
	}
	if b.noXZ {
		m.XZ = mirror.NoXZ
	}
	return m, nil
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func parse(fs *flag.FlagSet, args []string, stderr io.Writer) error {
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	return nil
}

func cmdBuild(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("build", flag.ContinueOnError)
	dir := fs.String("dir", "", "mirror root directory")
	var bf buildFlags
	bf.register(fs)
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	if *dir == "" {
		return fmt.Errorf("%w: -dir is required", errUsage)
	}
	spec, err := bf.spec(false)
	if err != nil {
		return err
	}
	return build(*dir, spec, stdout)
}

func build(dir string, spec mirror.MirrorSpec, report io.Writer) error {
	rels, err := mirror.BuildMirror(dir, spec)
	for _, r := range rels {
		fmt.Fprintf(report, "built %s/%s in %s: %d MiB in %s (%s)\n", r.Spec.Machine, r.Spec.Name, r.Dir,
			r.TotalSize()>>20, r.Elapsed.Round(10*time.Millisecond), r.Compressor)
	}
	return err
}

func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer, up bool) error {
	name := "serve"
	if up {
		name = "up"
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	dir := fs.String("dir", "", "mirror root directory")
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	var bf buildFlags
	if up {
		bf.register(fs)
	}
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	if *dir == "" {
		return fmt.Errorf("%w: -dir is required", errUsage)
	}
	if up {
		spec, err := bf.spec(true)
		if err != nil {
			return err
		}
		if err := build(*dir, spec, stderr); err != nil {
			return err
		}
	}
	srv, err := mirror.Start(*addr, *dir)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintln(stdout, srv.URL); err != nil {
		_ = srv.Close()
		return err
	}
	<-ctx.Done()
	return srv.Close()
}
