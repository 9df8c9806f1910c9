package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/jcage/jcage/internal/config"
	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/lazyregexp"
	"github.com/jcage/jcage/internal/plugin"
	"github.com/jcage/jcage/internal/release"
)

func init() { registerCommand("fetch", fetchCommand) }

// isTerminal reports whether a stream is a terminal: the release menu
// needs one on stdin, the progress bars one on stderr.
var isTerminal = func(s any) bool {
	f, ok := s.(interface{ Fd() uintptr })
	return ok && term.IsTerminal(int(f.Fd()))
}

// retryDelayEnv overrides the first retry's wait (a Go duration, e.g.
// "200ms"); later waits double from it.
const retryDelayEnv = "JCAGE_FETCH_RETRY_DELAY"

func fetchCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "fetch",
		Usage:     "Fetch a version of FreeBSD for jail usage.",
		ArgsUsage: "[-r RELEASE]",
		Description: "Downloads the release's sets, verifies each against the release's MANIFEST while it is\n" +
			"extracted, and makes POOL/iocage/releases/RELEASE appear only once every set verified.\n" +
			"The verified sets are kept in POOL/iocage/download/RELEASE. Unless -NU, the release is then\n" +
			"patched with its own freebsd-update. Fetching a release again verifies and patches it.\n" +
			retryDelayEnv + " sets the wait before the first retry of a failed download (default 1s).",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "release", Aliases: []string{"r"}, Usage: "release to fetch, e.g. 14.3-RELEASE, or latest"},
			&cli.StringFlag{Name: "server", Aliases: []string{"s"}, Value: release.DefaultServer, Usage: "mirror to fetch from"},
			&cli.StringFlag{Name: "root-dir", Aliases: []string{"d"}, Usage: "directory on the mirror holding the releases (default ftp/releases/MACHINE[/MACHINE_ARCH]), or the local directory with -f"},
			&cli.StringSliceFlag{Name: "files", Aliases: []string{"F"}, Usage: "fetch these files instead of the default sets (repeatable)"},
			&cli.BoolFlag{Name: "file", Aliases: []string{"f"}, Usage: "read the files from the local directory -d/RELEASE; no freebsd-update"},
			&cli.BoolFlag{Name: "http", Aliases: []string{"h"}, Usage: "accepted for compatibility; the scheme comes from -s"},
			&cli.StringFlag{Name: "user", Aliases: []string{"u"}, Value: "anonymous", Usage: "user for --auth"},
			&cli.StringFlag{Name: "password", Aliases: []string{"p"}, Value: "anonymous@", Usage: "password for --auth"},
			&cli.StringFlag{Name: "auth", Aliases: []string{"a"}, Usage: "HTTP authentication: basic or digest (https unless -s says otherwise)"},
			&cli.BoolFlag{Name: "verify", Aliases: []string{"V"}, Usage: "verify TLS certificates (the default)"},
			&cli.BoolFlag{Name: "noverify", Aliases: []string{"NV"}, Usage: "do not verify TLS certificates"},
			&cli.BoolFlag{Name: "update", Aliases: []string{"U"}, Usage: "run freebsd-update after extracting (the default)"},
			&cli.BoolFlag{Name: "noupdate", Aliases: []string{"NU"}, Usage: "do not run freebsd-update"},
			&cli.BoolFlag{Name: "eol", Aliases: []string{"E"}, Usage: "accepted for compatibility; freebsd-update reports end of life"},
			&cli.BoolFlag{Name: "noeol", Aliases: []string{"NE"}, Usage: "accepted for compatibility"},
			&cli.StringFlag{Name: "proxy", Aliases: []string{"S"}, Usage: "HTTP proxy for every request (else http_proxy, https_proxy and no_proxy)"},
			// Plugin mode.
			&cli.BoolFlag{Name: "plugins", Usage: "fetch plugins"},
			&cli.StringFlag{Name: "plugin-name", Aliases: []string{"P"}, Usage: "plugin to fetch"},
			&cli.StringFlag{Name: "git_repository", Aliases: []string{"g"}, Value: plugin.DefaultRepository, Usage: "plugin index repository"},
			&cli.StringFlag{Name: "branch", Usage: "plugin index branch"},
			&cli.BoolFlag{Name: "keep_jail_on_failure", Aliases: []string{"k"}, Usage: "keep a plugin jail whose installation failed"},
			&cli.IntFlag{Name: "count", Aliases: []string{"c"}, Value: 1, Usage: "number of plugin jails"},
			&cli.StringFlag{Name: "name", Aliases: []string{"n"}, Usage: "plugin jail name"},
			&cli.BoolFlag{Name: "accept", Usage: "accept the plugin's network settings"},
			&cli.BoolFlag{Name: "noaccept", Usage: "do not accept the plugin's network settings"},
			&cli.BoolFlag{Name: "official", Aliases: []string{"O"}, Usage: "official plugins only"},
			&cli.BoolFlag{Name: "thickconfig", Aliases: []string{"C"}, Usage: "plugin jail with a thick config"},
		},
		Action: rootAction(e, parseFetch, runFetch),
	}
}

// fetchOptions is fetch's command line: a release, or with plugins set a
// plugin jail.
type fetchOptions struct {
	release string          // -r, as given
	mirror  release.Options // where from and what: the flags' part
	props   []string        // PROP=VALUE, for a plugin jail
	plugins bool            // --plugins or -P
	plugin  pluginFetchOptions
}

func parseFetch(c *cli.Context) (fetchOptions, error) {
	return fetchOptions{
		release: c.String("release"),
		mirror: release.Options{
			Server:   c.String("server"),
			RootDir:  c.String("root-dir"),
			Files:    c.StringSlice("files"),
			Local:    c.Bool("file"),
			NoUpdate: c.Bool("noupdate"),
			Auth:     c.String("auth"),
			User:     c.String("user"),
			Password: c.String("password"),
			Proxy:    c.String("proxy"),
			Insecure: c.Bool("noverify"),
		},
		props:   c.Args().Slice(),
		plugins: c.Bool("plugins") || c.String("plugin-name") != "",
		plugin: pluginFetchOptions{
			plugin: c.String("plugin-name"), count: c.Int("count"), name: c.String("name"), named: c.IsSet("name"),
			repo: c.String("git_repository"), branch: c.String("branch"), accept: c.Bool("accept") && !c.Bool("noaccept"),
			keep: c.Bool("keep_jail_on_failure"), thick: c.Bool("thickconfig"), official: c.Bool("official"),
		},
	}, nil
}

// runFetch fetches a release, verified set by set, or in plugin mode
// installs a plugin jail (runPluginFetch).
func runFetch(ctx context.Context, opts fetchOptions, d deps, w io.Writer) error {
	if opts.plugins {
		// A plugin jail's name is a new jail name.
		if opts.plugin.named {
			if err := config.CheckName(opts.plugin.name); err != nil {
				return err
			}
		}
		opts.plugin.props = opts.props
		return runPluginFetch(ctx, opts.plugin, d, w)
	}
	if len(opts.props) > 0 {
		return fmt.Errorf("fetch: unexpected argument %q (properties are for plugins)", opts.props[0])
	}
	ropts, err := releaseOptions(opts.mirror, d.stderr)
	if err != nil {
		return err
	}
	h := d.host
	inv, err := h.Load(ctx, inventory.Options{Create: true})
	if err != nil {
		return err
	}
	f, err := release.NewFetcher(ctx, h.Host, inv, ropts)
	if err != nil {
		return err
	}
	rel := expandRelease(opts.release, opts.mirror.Local)
	if rel == "" {
		rel, err = chooseRelease(ctx, d, w, f)
		if errors.Is(err, release.ErrQuit) {
			return nil
		}
		if err != nil {
			return err
		}
	}
	if rel, err = f.Resolve(ctx, rel); err != nil {
		return err
	}
	return f.Fetch(ctx, rel)
}

// releaseOptions completes the mirror options of the command line: the
// environment, the retry delay and the meter on errw, a bar on a
// terminal.
func releaseOptions(opts release.Options, errw io.Writer) (release.Options, error) {
	opts.Getenv, opts.Err = os.Getenv, errw
	// iocage prefixes any other scheme with http://, which then asks
	// DNS for a host named "file" or "ftp".
	if scheme, _, ok := strings.Cut(opts.Server, "://"); ok && !strings.EqualFold(scheme, "http") && !strings.EqualFold(scheme, "https") {
		return opts, fmt.Errorf("fetch: server %q: a mirror is reached over http:// or https://", opts.Server)
	}
	if v := os.Getenv(retryDelayEnv); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return opts, fmt.Errorf("%s: not a duration: %q", retryDelayEnv, v)
		}
		opts.RetryDelay = d
	}
	if isTerminal(errw) {
		opts.Meter = release.BarMeter{W: errw}
	} else {
		opts.Meter = release.LineMeter{W: errw}
	}
	return opts, nil
}

// chooseRelease is iocage's menu, offered only on a terminal: a script
// without -r gets a clear error instead of a prompt nobody answers.
func chooseRelease(ctx context.Context, d deps, w io.Writer, f *release.Fetcher) (string, error) {
	rels, err := f.Available(ctx)
	if err != nil {
		return "", err
	}
	if !isTerminal(d.stdin) {
		offered := "none"
		if len(rels) > 0 {
			offered = strings.Join(rels, " ")
		}
		return "", fmt.Errorf("No release given: pass one with -r RELEASE (or -r latest); the mirror offers: %s", offered)
	}
	return release.Prompt(d.stdin, w, rels, f.HostRelease())
}

// bareVersion is a release named by its version alone, as in -r 12.0.
var bareVersion = lazyregexp.New(`^[0-9]+\.[0-9]+$`)

// expandRelease reads -r 12.0 as 12.0-RELEASE when fetching from a
// mirror, whose directories are named that way; iocage would ask the
// mirror for 12.0 and fail. With -f the name is the local directory's
// (the book's `fetch -f -d /home/mwl/releases/ -r 12.0`) and is kept.
func expandRelease(rel string, local bool) string {
	if !local && bareVersion.MatchString(rel) {
		return rel + "-RELEASE"
	}
	return rel
}
