package release

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/jcage/jcage/internal/argv"
	"github.com/jcage/jcage/internal/atomicfile"
	"github.com/jcage/jcage/internal/config"
	"github.com/jcage/jcage/internal/confine"
	"github.com/jcage/jcage/internal/host"
	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/layout"
	"github.com/jcage/jcage/internal/lazyregexp"
	"github.com/jcage/jcage/internal/natsort"
	"github.com/jcage/jcage/internal/txn"
	"github.com/jcage/jcage/internal/zfs"
)

// DefaultRounds is how many times a set that fails verification is
// fetched again before giving up, as iocage's four retry rounds.
const DefaultRounds = 4

// Options are fetch's settings, from its command line.
type Options struct {
	Server   string   // -s; DefaultServer when empty
	RootDir  string   // -d; DefaultRootDir for the host when empty
	Files    []string // -F; DefaultFiles when empty
	Local    bool     // -f: RootDir is a local directory holding REL/FILE
	NoUpdate bool     // -NU: skip freebsd-update
	Auth     string   // -a: "basic" or "digest"
	User     string   // -u
	Password string   // -p
	Proxy    string   // -S
	Insecure bool     // -NV: do not verify TLS certificates
	Getenv   func(string) string

	Attempts    int           // HTTP attempts per file (DefaultAttempts)
	Rounds      int           // verification rounds (DefaultRounds)
	RetryDelay  time.Duration // first backoff (DefaultRetryDelay)
	IdleTimeout time.Duration // stalled-transfer timeout (DefaultIdleTimeout)

	Err   io.Writer // warnings; progress too with the default Meter
	Meter Meter     // nil: LineMeter on Err
	// GOOS picks the tar flavour; runtime.GOOS when empty.
	GOOS string
}

// Fetcher fetches releases into the active tree.
type Fetcher struct {
	h           *inventory.Host
	inv         *inventory.Inventory
	opts        Options
	client      *Client
	arch        Arch
	hostRelease string
	server      string
	rootDir     string
	err         io.Writer
	meter       Meter
	// keepPartial is set when an interrupt leaves a partial download
	// worth resuming, so that the download dataset holding it survives
	// the unwind.
	keepPartial bool
}

// NewFetcher reads the host's machine and release (one uname call) and
// sets up the mirror client.
func NewFetcher(ctx context.Context, h *inventory.Host, inv *inventory.Inventory, opts Options) (*Fetcher, error) {
	f := &Fetcher{h: h, inv: inv, opts: opts, err: opts.Err, meter: opts.Meter}
	if f.err == nil {
		f.err = io.Discard
	}
	if f.meter == nil {
		f.meter = LineMeter{W: f.err}
	}
	if f.opts.Rounds <= 0 {
		f.opts.Rounds = DefaultRounds
	}
	if f.opts.GOOS == "" {
		f.opts.GOOS = runtime.GOOS
	}
	switch opts.Auth {
	case "", "basic", "digest":
	default:
		return nil, fmt.Errorf("--auth must be basic or digest, not %q", opts.Auth)
	}
	f.arch, f.hostRelease = hostInfo(ctx, h.Run)
	f.server = NormalizeServer(opts.Server, opts.Auth)
	f.rootDir = opts.RootDir
	if opts.Local {
		if f.rootDir == "" {
			return nil, errors.New("Please supply the directory holding the release with -d when using -f")
		}
	} else if f.rootDir == "" {
		f.rootDir = DefaultRootDir(f.arch)
	}
	c, err := NewClient(ClientOptions{Proxy: opts.Proxy, Insecure: opts.Insecure, Getenv: opts.Getenv})
	if err != nil {
		return nil, err
	}
	c.Auth, c.User, c.Password = opts.Auth, opts.User, opts.Password
	if opts.Attempts > 0 {
		c.Attempts = opts.Attempts
	}
	if opts.RetryDelay > 0 {
		c.RetryDelay = opts.RetryDelay
	}
	if opts.IdleTimeout > 0 {
		c.IdleTimeout = opts.IdleTimeout
	}
	c.Warn = f.warn
	f.client = c
	return f, nil
}

// hostInfo asks uname for the host's machine and release. Without an
// answer (a test runner) it falls back to what jcage was built for and no
// known release.
func hostInfo(ctx context.Context, run host.Runner) (Arch, string) {
	out, err := run.Run(ctx, argv.UnameMachineRelease())
	f := strings.Fields(string(out))
	if err != nil || len(f) != 3 {
		return GoArch(), ""
	}
	rel, machine, march := f[0], f[1], f[2]
	switch machine {
	case "x86_64":
		machine = "amd64"
	case "aarch64":
		machine = "arm64"
	}
	a := ArchOf(machine)
	if march != "unknown" && march != "" {
		a.MachineArch = march
	}
	if !IsRelease(rel) {
		rel = ""
	}
	// The mirrors hold releases, not patch levels.
	return a, patchRE.ReplaceAllString(rel, "")
}

var patchRE = lazyregexp.New(`-p[0-9]+$`)

// HostRelease is the host's release, "" when it is not a RELEASE.
func (f *Fetcher) HostRelease() string { return f.hostRelease }

// Arch is the machine the releases are fetched for.
func (f *Fetcher) Arch() Arch { return f.arch }

func (f *Fetcher) warn(format string, a ...any) {
	fmt.Fprintf(f.err, format+"\n", a...)
}

func (f *Fetcher) say(format string, a ...any) {
	if f.h.Out != nil {
		fmt.Fprintf(f.h.Out, format+"\n", a...)
	}
}

// Available lists the releases the mirror (or the -f directory) offers,
// in version order.
func (f *Fetcher) Available(ctx context.Context) ([]string, error) {
	var rels []string
	if f.opts.Local {
		ents, err := os.ReadDir(f.rootDir)
		if err != nil {
			return nil, err
		}
		for _, e := range ents {
			if e.IsDir() && strings.Contains(e.Name(), "-RELEASE") && ValidName(e.Name()) {
				rels = append(rels, e.Name())
			}
		}
	} else {
		page, err := f.client.Get(ctx, DirURL(f.server, f.rootDir), 4<<20)
		if err != nil {
			return nil, err
		}
		rels = ParseListing(string(page))
	}
	sort.SliceStable(rels, func(i, j int) bool { return natsort.Versions(rels[i], rels[j]) < 0 })
	return rels, nil
}

// Resolve turns the -r argument into the release to fetch: "latest" is
// the newest RELEASE the mirror offers that the host can run; names are
// checked and upper-cased as mirrors spell them; a release with a newer
// major version than a RELEASE host is refused, as iocage does.
func (f *Fetcher) Resolve(ctx context.Context, rel string) (string, error) {
	if strings.EqualFold(rel, "latest") {
		all, err := f.Available(ctx)
		if err != nil {
			return "", err
		}
		best := ""
		for _, r := range all {
			if IsRelease(r) && (f.hostRelease == "" || Major(r) <= Major(f.hostRelease)) {
				best = r
			}
		}
		if best == "" {
			return "", fmt.Errorf("no release on %s that this host can run", DirURL(f.server, f.rootDir))
		}
		return best, nil
	}
	if !ValidName(rel) {
		return "", ErrInvalid
	}
	if !f.opts.Local {
		rel = strings.ToUpper(rel)
	}
	if f.hostRelease != "" && IsRelease(rel) && Major(rel) > Major(f.hostRelease) {
		return "", fmt.Errorf("Host: %s is not greater than target: %s. This is unsupported.", f.hostRelease, rel)
	}
	return rel, nil
}

// location is where one release's files come from.
func (f *Fetcher) location(rel, file string) string {
	if f.opts.Local {
		return filepath.Join(f.rootDir, rel, file) // confine: a local release directory of the admin's
	}
	return FileURL(f.server, f.rootDir, rel, file)
}

// sets is the list of distribution sets to fetch, MANIFEST left out.
func (f *Fetcher) sets(rel string) ([]string, error) {
	files := f.opts.Files
	if len(files) == 0 {
		files = DefaultFiles(f.arch, rel)
	}
	var out []string
	for _, s := range files {
		if s == "MANIFEST" || slices.Contains(out, s) {
			continue
		}
		if s == "" || strings.ContainsAny(s, "/\\") || strings.HasPrefix(s, ".") {
			return nil, fmt.Errorf("invalid file name %q", s)
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, errors.New("no distribution sets to fetch")
	}
	return out, nil
}

// Fetch fetches rel. A new release is assembled in a staging dataset,
// each set downloaded, hashed and extracted in one pass, and renamed into
// POOL/iocage/releases/REL only when every set has matched MANIFEST; then
// freebsd-update patches it unless NoUpdate or Local. An existing release
// has its kept sets verified (and fetched again where missing or bad) and
// is patched again: iocage's way to update a release. Any failure or
// interrupt unwinds: no release appears and no unverified file is left
// under its name (an interrupted download keeps its hidden partial file,
// which the next fetch resumes).
func (f *Fetcher) Fetch(ctx context.Context, rel string) (err error) {
	if !ValidName(rel) {
		return ErrInvalid
	}
	sets, err := f.sets(rel)
	if err != nil {
		return err
	}
	ctx, tx, inv, err := f.h.Begin(ctx, "fetch", rel, f.inv)
	if err != nil {
		return err
	}
	defer tx.End()
	f.inv = inv
	t := f.inv.Tree
	f.say("Fetching: %s", rel)

	dl := t.Download(rel)
	made, err := f.makeDownload(ctx, tx, dl)
	if err != nil {
		return err
	}
	if made {
		defer func() {
			// An interrupted download stays for the next fetch to
			// resume, in the download dataset made for it.
			if err != nil && f.keepPartial {
				if ferr := tx.Forget(dl); ferr != nil {
					err = errors.Join(err, ferr)
				}
			}
		}()
	}
	dlDir, err := f.mountpoint(ctx, dl)
	if err != nil {
		return err
	}
	lock, err := txn.LockFile(dlDir)
	if err != nil {
		return err
	}
	defer lock.Unlock()

	manifest, err := f.manifest(ctx, rel, dlDir)
	if err != nil {
		return err
	}
	wanted, err := f.listedSets(rel, sets, manifest)
	if err != nil {
		return err
	}

	// Asked again under the lock: another fetch may have made it since
	// the inventory was read.
	relDS, rootDS := t.Release(rel), t.ReleaseRoot(rel)
	relExists, rootExists, err := f.releaseExists(ctx, relDS, rootDS)
	if err != nil {
		return err
	}
	rootDir := ""
	if rootExists {
		if rootDir, err = f.mountpoint(ctx, rootDS); err != nil {
			return err
		}
		if err := f.verifyKept(ctx, rel, dlDir, wanted, manifest); err != nil {
			return err
		}
	} else if err := f.install(ctx, tx, rel, dlDir, wanted, manifest, relExists); err != nil {
		return err
	}

	if err := f.patchFetched(ctx, tx, rel, rootDS, rootDir, rootExists); err != nil {
		return err
	}
	return tx.Commit()
}

// patchFetched brings the release's root to its latest patch level,
// unless the fetch is told not to or copies a local release. rootDir is
// the root's mountpoint, or "" when it is not yet known.
func (f *Fetcher) patchFetched(ctx context.Context, tx *txn.Tx, rel, rootDS, rootDir string, rootExists bool) error {
	if f.opts.NoUpdate || f.opts.Local {
		return nil
	}
	if rootDir == "" {
		var err error
		if rootDir, err = f.mountpoint(ctx, rootDS); err != nil {
			return err
		}
	}
	return f.patch(ctx, tx, rel, rootDS, rootDir, rootExists)
}

// makeDownload creates the download dataset dl in tx unless the
// inventory holds it already, and says whether it did.
func (f *Fetcher) makeDownload(ctx context.Context, tx *txn.Tx, dl string) (bool, error) {
	if _, ok := f.inv.Scan.Get(dl); ok {
		return false, nil
	}
	if err := tx.WillCreate(dl, true); err != nil {
		return false, err
	}
	// Uncompressed, unlike iocage's lz4: the sets are xz archives, so
	// compressing them again costs CPU on every write and saves nothing.
	// The staging tree below sets its own lz4.
	cerr := tx.Made(dl, f.h.ZFS.Create(ctx, dl, zfs.CreateOptions{Props: map[string]string{"compression": "off"}}))
	if cerr != nil && !errors.Is(cerr, zfs.ErrExists) {
		return false, cerr
	}
	return true, nil
}

// listedSets is the sets the MANIFEST of rel lists, with a warning for
// each it does not; none of them is an error.
func (f *Fetcher) listedSets(rel string, sets []string, manifest Manifest) ([]string, error) {
	var wanted []string
	for _, s := range sets {
		if _, ok := manifest[s]; !ok {
			f.warn("%s missing from MANIFEST, refusing to extract!", s)
			continue
		}
		wanted = append(wanted, s)
	}
	if len(wanted) == 0 {
		return nil, fmt.Errorf("none of %s is listed in the MANIFEST of %s", strings.Join(sets, ", "), rel)
	}
	return wanted, nil
}

// releaseExists says whether the release dataset relDS exists and, when
// it does, whether its root rootDS does.
func (f *Fetcher) releaseExists(ctx context.Context, relDS, rootDS string) (relExists, rootExists bool, err error) {
	if relExists, err = f.exists(ctx, relDS); err != nil || !relExists {
		return relExists, false, err
	}
	rootExists, err = f.exists(ctx, rootDS)
	return relExists, rootExists, err
}

// install assembles the release's root in a staging dataset and renames
// it into place: the whole release, or only its root when the release
// dataset exists without one (left by another tool).
func (f *Fetcher) install(ctx context.Context, tx *txn.Tx, rel, dlDir string, wanted []string, manifest Manifest, relExists bool) error {
	t, m := f.inv.Tree, f.h.ZFS
	// A staging dataset left by a crash is garbage now: this fetch holds
	// the release's lock.
	stage := t.Staging(rel)
	if err := ignoreNotFound(m.Destroy(ctx, stage, zfs.DestroyOptions{Recursive: true, Force: true})); err != nil {
		return err
	}
	if err := tx.WillClaim(stage); err != nil {
		return err
	}
	if err := f.assemble(ctx, rel, dlDir, wanted, manifest); err != nil {
		return err
	}
	// Renamed into place, the release keeps the stage's creation time: it
	// is claimed, not created.
	if relExists {
		if err := tx.WillClaim(t.ReleaseRoot(rel)); err != nil {
			return err
		}
		return m.Rename(ctx, layout.RootOf(stage), t.ReleaseRoot(rel), zfs.RenameOptions{})
	}
	if err := tx.WillClaim(t.Release(rel)); err != nil {
		return err
	}
	return m.Rename(ctx, stage, t.Release(rel), zfs.RenameOptions{})
}

func (f *Fetcher) exists(ctx context.Context, name string) (bool, error) {
	_, err := f.h.ZFS.Get(ctx, name)
	if errors.Is(err, zfs.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

func ignoreNotFound(err error) error {
	if errors.Is(err, zfs.ErrNotFound) {
		return nil
	}
	return err
}

// mountpoint returns where a filesystem is mounted, mounting it if needed.
func (f *Fetcher) mountpoint(ctx context.Context, name string) (string, error) {
	d, err := f.h.ZFS.Get(ctx, name)
	if err != nil {
		return "", err
	}
	if !d.Mounted {
		if err := f.h.ZFS.Mount(ctx, name); err != nil {
			return "", err
		}
	}
	if d.Mountpoint == "" || d.Mountpoint == "none" || d.Mountpoint == "legacy" {
		return "", fmt.Errorf("%s has no mountpoint", name)
	}
	return d.Mountpoint, nil
}

// manifest reads MANIFEST from the mirror (or the -f directory) and keeps
// a copy in download/REL, as iocage does.
func (f *Fetcher) manifest(ctx context.Context, rel, dlDir string) (Manifest, error) {
	var data []byte
	var err error
	loc := f.location(rel, "MANIFEST")
	if f.opts.Local {
		data, err = readLimited(loc, maxManifest)
		if errors.Is(err, os.ErrNotExist) {
			return nil, errors.New("MANIFEST is a required file!")
		}
	} else {
		data, err = f.client.Get(ctx, loc, maxManifest)
		var nf *NotFoundError
		if errors.As(err, &nf) {
			if _, derr := f.client.Get(ctx, DirURL(f.server, f.rootDir)+rel+"/", 4<<20); errors.As(derr, &nf) {
				return nil, fmt.Errorf("%s was not found!", rel)
			}
			return nil, fmt.Errorf("%s has no MANIFEST at %s: jcage verifies every set against it", rel, loc)
		}
	}
	if err != nil {
		return nil, err
	}
	man, err := ParseManifest(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", loc, err)
	}
	if err := atomicfile.Write(filepath.Join(dlDir, "MANIFEST"), data, 0o644); err != nil {
		return nil, err
	}
	return man, nil
}

func readLimited(name string, limit int64) ([]byte, error) {
	fh, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, limit+1))
	if err == nil && int64(len(data)) > limit {
		err = fmt.Errorf("%s: larger than %d bytes", name, limit)
	}
	return data, err
}

// assemble builds the release in the staging dataset: rounds of every set
// until all of them verify in the same round, at most Rounds times.
func (f *Fetcher) assemble(ctx context.Context, rel, dlDir string, sets []string, man Manifest) error {
	t := f.inv.Tree
	m := f.h.ZFS
	stage := t.Staging(rel)
	for round := 1; ; round++ {
		// One call makes both; the stage was destroyed before, so -p
		// cannot find an old root and call it made.
		if err := m.Create(ctx, layout.RootOf(stage), zfs.CreateOptions{Parents: true, Props: map[string]string{"compression": "lz4"}}); err != nil {
			return err
		}
		root, err := f.mountpoint(ctx, layout.RootOf(stage))
		if err != nil {
			return err
		}
		check := newMemberCheck()
		var bad []string
		for _, s := range sets {
			// After a failure this round's tree is lost anyway: the rest
			// are only downloaded and verified, for the next round.
			target := root
			if len(bad) > 0 {
				target = ""
			}
			ok, err := f.fetchSet(ctx, rel, dlDir, s, man[s], target, check)
			if err != nil {
				return err
			}
			if !ok {
				bad = append(bad, s)
			}
		}
		if len(bad) == 0 {
			return nil
		}
		if err := m.Destroy(ctx, stage, zfs.DestroyOptions{Recursive: true, Force: true}); err != nil {
			return err
		}
		if round >= f.opts.Rounds {
			return fmt.Errorf("Max retries exceeded, one or more files (%s) failed checksum verification!", strings.Join(bad, ", "))
		}
	}
}

// verifyKept checks an existing release's kept sets, fetching again those
// that are missing or fail verification.
func (f *Fetcher) verifyKept(ctx context.Context, rel, dlDir string, sets []string, man Manifest) error {
	todo := sets
	for round := 1; len(todo) > 0; round++ {
		var bad []string
		for _, s := range todo {
			ok, err := f.fetchSet(ctx, rel, dlDir, s, man[s], "", nil)
			if err != nil {
				return err
			}
			if !ok {
				bad = append(bad, s)
			}
		}
		if len(bad) > 0 && round >= f.opts.Rounds {
			return fmt.Errorf("Max retries exceeded, one or more files (%s) failed checksum verification!", strings.Join(bad, ", "))
		}
		todo = bad
	}
	return nil
}

// fetchSet brings one set to download/REL/SET, verified against sum, and
// extracts it into root on the way unless root is "". A kept copy is used
// when there is one; otherwise the set is downloaded (resuming a partial
// file) into a hidden .SET.part, renamed to SET once it verifies. It
// reports false when the set failed verification and must be fetched
// again; err is for everything no retry fixes.
func (f *Fetcher) fetchSet(ctx context.Context, rel, dlDir, set, sum, root string, check *memberCheck) (bool, error) {
	final := filepath.Join(dlDir, set)
	part := filepath.Join(dlDir, "."+set+".part")
	if settled, ok, err := f.tryKept(ctx, final, set, sum, root, check); settled {
		return ok, err
	}

	fh, err := os.OpenFile(part, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return false, err
	}
	ok := false
	defer func() {
		fh.Close()
		// An interrupted download stays for the next fetch to resume;
		// anything else unverified goes.
		if !ok && !(ctx.Err() != nil && f.keepPartial) {
			os.Remove(part)
		}
	}()
	have, err := fh.Seek(0, io.SeekEnd)
	if err != nil {
		return false, err
	}
	verb := "Downloading"
	if f.opts.Local {
		verb = "Copying"
	}
	prog := f.meter.Start(verb, set)
	// What an interrupted fetch left is hashed first; only the rest is
	// asked for. The extraction reads it from the file like the rest.
	hash := sha256.New()
	if have > 0 {
		if _, err := io.Copy(hash, io.NewSectionReader(fh, 0, have)); err != nil {
			prog.Abort()
			return false, err
		}
		prog.Add(int(have))
	}
	sink, err := f.newSink(ctx, prog, root, check, hash)
	if err != nil {
		prog.Abort()
		return false, err
	}
	sink.follow(fh, have)
	// No fsync: a kept set is hashed again before any later use.
	if _, err = f.copySet(ctx, rel, set, have, sink, prog); err != nil {
		sink.abort()
		prog.Abort()
		if errors.Is(err, ErrChanged) && ctx.Err() == nil {
			// The partial file belongs to another version of the set:
			// start again from nothing.
			f.warn("%s changed on the server, will redownload!", set)
			return false, nil
		}
		// What an interrupt leaves is worth resuming from.
		f.keepPartial = ctx.Err() != nil
		return false, err
	}
	kept, err := f.finishSet(fh, sink, prog, part, final, set, sum, root)
	ok = kept
	return kept && err == nil, err
}

// tryKept uses the copy of set a former fetch kept at final, when there
// is one. It says whether that settles the set, with ok and err the
// result; otherwise the set is to be downloaded. A kept copy that fails
// verification is removed, and settles the set (not fetched) when its
// bytes went into this round's tree at root already.
func (f *Fetcher) tryKept(ctx context.Context, final, set, sum, root string, check *memberCheck) (settled, ok bool, err error) {
	if _, err := os.Stat(final); err != nil {
		return false, false, nil
	}
	ok, err = f.fromKept(ctx, final, set, sum, root, check)
	if err != nil || ok {
		return true, ok, err
	}
	f.warn("%s failed verification, will redownload!", set)
	if err := os.Remove(final); err != nil {
		return true, false, err
	}
	// Its bytes are in this round's tree already.
	return root != "", false, nil
}

// finishSet completes a downloaded set: the extraction and the kept copy
// at part both finished, the set's sum checked, and the copy renamed to
// final. It says whether the copy was kept; the set is fetched when it
// was, without an error.
func (f *Fetcher) finishSet(fh *os.File, sink *setSink, prog Progress, part, final, set, sum, root string) (kept bool, err error) {
	if err := sink.flush(); err != nil {
		sink.abort()
		prog.Abort()
		return false, err
	}
	// The kept copy goes to disk while the extraction catches up, rather
	// than all at once when the release is published.
	synced := make(chan error, 1)
	go func() { synced <- fh.Sync() }()
	extractErr := sink.finish()
	if err := <-synced; err != nil {
		prog.Abort()
		return false, err
	}
	if got := sink.sum(); got != sum {
		prog.Abort()
		f.warn("%s failed verification, will redownload!", set)
		return false, nil
	}
	if err := os.Rename(part, final); err != nil {
		prog.Abort()
		return false, err
	}
	if extractErr != nil {
		prog.Abort()
		return true, fmt.Errorf("%s: %w", set, extractErr)
	}
	prog.Done(resultOf(root))
	return true, nil
}

func resultOf(root string) string {
	if root != "" {
		return "verified and extracted"
	}
	return "verified"
}

// fromKept verifies (and extracts) a set kept by an earlier fetch.
func (f *Fetcher) fromKept(ctx context.Context, final, set, sum, root string, check *memberCheck) (bool, error) {
	fh, err := os.Open(final)
	if err != nil {
		return false, err
	}
	defer fh.Close()
	prog := f.meter.Start("Verifying", set)
	if st, err := fh.Stat(); err == nil {
		prog.SetTotal(st.Size())
	}
	sink, err := f.newSink(ctx, prog, root, check, nil)
	if err != nil {
		prog.Abort()
		return false, err
	}
	if _, err := io.Copy(sink, fh); err != nil {
		sink.abort()
		prog.Abort()
		return false, err
	}
	extractErr := sink.finish()
	if sink.sum() != sum {
		prog.Abort()
		return false, nil
	}
	if extractErr != nil {
		prog.Abort()
		return false, fmt.Errorf("%s: %w", set, extractErr)
	}
	prog.Done(resultOf(root) + " (kept copy)")
	return true, nil
}

// copySet streams the set from the mirror or the -f directory into w,
// from byte offset have.
func (f *Fetcher) copySet(ctx context.Context, rel, set string, have int64, w io.Writer, prog Progress) (int64, error) {
	loc := f.location(rel, set)
	if !f.opts.Local {
		n, err := f.client.Download(ctx, loc, have, w, prog.SetTotal)
		var nf *NotFoundError
		if errors.As(err, &nf) {
			return n, fmt.Errorf("%s was not found! (%s)", set, loc)
		}
		return n, err
	}
	src, err := os.Open(loc)
	if errors.Is(err, os.ErrNotExist) {
		return 0, fmt.Errorf("%s is a required file!", set)
	}
	if err != nil {
		return 0, err
	}
	defer src.Close()
	if st, err := src.Stat(); err == nil {
		prog.SetTotal(st.Size())
	}
	if _, err := src.Seek(have, io.SeekStart); err != nil {
		return 0, err
	}
	n, err := copyBody(w, &ctxReader{ctx: ctx, r: src})
	return have + n, err
}

// ctxReader stops a local copy when the fetch is interrupted.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// setSink receives a set's bytes once: it hashes them and feeds the
// extraction in the same pass and, for a download, keeps them on disk.
type setSink struct {
	hash hash.Hash
	ext  *extraction
	// keep is the kept file of a download. The extraction then reads it
	// back behind the download (tail): writing the file never waits for
	// tar, nor tar for the disk, and what lies between them is in the
	// page cache rather than in this process.
	keep *os.File
	tail *tail
	// kbuf gathers the download into large writes: each write is a round
	// trip to ZFS on some ports (FUSE), and network reads come in small
	// pieces.
	kbuf []byte
	// extErr is why the extraction stopped taking bytes; the download
	// goes on regardless, so that the hash can tell a corrupt download
	// (fetch it again) from a bad archive (give up).
	extErr error
	prog   Progress
}

func (f *Fetcher) newSink(ctx context.Context, prog Progress, root string, check *memberCheck, h hash.Hash) (*setSink, error) {
	if h == nil {
		h = sha256.New()
	}
	s := &setSink{hash: h, prog: prog}
	if root != "" {
		x, err := startExtraction(ctx, f.h.Run, argv.TarExtract(f.opts.GOOS, root, f.h.UID == 0), check)
		if err != nil {
			return nil, err
		}
		s.ext = x
	}
	return s, nil
}

// follow makes the sink a download into fh, whose first have bytes are
// there already, with the extraction reading fh from its start.
func (s *setSink) follow(fh *os.File, have int64) {
	s.keep = fh
	s.kbuf = make([]byte, 0, keepChunk)
	if s.ext != nil {
		s.tail = newTail(have)
		go s.tail.feed(fh, s.ext.in)
	}
}

func (s *setSink) Write(p []byte) (int, error) {
	s.hash.Write(p)
	switch {
	case s.keep != nil:
		for rest := p; len(rest) > 0; {
			n := min(len(rest), cap(s.kbuf)-len(s.kbuf))
			s.kbuf = append(s.kbuf, rest[:n]...)
			rest = rest[n:]
			if len(s.kbuf) == cap(s.kbuf) {
				if err := s.flush(); err != nil {
					return 0, err
				}
			}
		}
	case s.ext != nil && s.extErr == nil:
		if _, err := s.ext.in.Write(p); err != nil {
			s.extErr = err
		}
	}
	s.prog.Add(len(p))
	return len(p), nil
}

// keepChunk is the size of the kept file's writes.
const keepChunk = 1 << 20

// flush writes what the kept file has not had yet.
func (s *setSink) flush() error {
	if s.keep == nil || len(s.kbuf) == 0 {
		return nil
	}
	n, err := s.keep.Write(s.kbuf)
	if s.tail != nil && n > 0 {
		s.tail.grow(n)
	}
	s.kbuf = s.kbuf[:0]
	return err
}

func (s *setSink) sum() string { return hex.EncodeToString(s.hash.Sum(nil)) }

// finish waits for the extraction to end and returns its outcome. A
// download must be flushed first.
func (s *setSink) finish() error {
	if s.ext == nil {
		return nil
	}
	if s.tail != nil {
		s.extErr = s.tail.end(false)
	}
	err := s.ext.wait()
	if err == nil && s.extErr != nil {
		err = s.extErr
	}
	return err
}

// abort ends the extraction of a set that will not complete; what was
// downloaded stays in the file, for a later fetch to resume from.
func (s *setSink) abort() {
	_ = s.flush()
	if s.tail != nil {
		_ = s.tail.end(true)
	}
	if s.ext != nil {
		_ = s.ext.wait()
	}
}

// tail feeds the extraction from a file the download is still writing.
type tail struct {
	mu     sync.Mutex
	cond   *sync.Cond
	size   int64 // bytes in the file so far
	done   bool  // the download is over
	stop   bool  // give up at once
	result chan error
}

func newTail(have int64) *tail {
	t := &tail{size: have, result: make(chan error, 1)}
	t.cond = sync.NewCond(&t.mu)
	return t
}

func (t *tail) grow(n int) {
	t.mu.Lock()
	t.size += int64(n)
	t.mu.Unlock()
	t.cond.Signal()
}

// end says the download is over (or, with stop, abandoned) and returns
// once the feeder has finished, with its error.
func (t *tail) end(stop bool) error {
	t.mu.Lock()
	t.done, t.stop = true, stop
	t.mu.Unlock()
	t.cond.Signal()
	return <-t.result
}

// feed copies f to w as it grows, until the download is over and
// everything is copied, or w fails.
func (t *tail) feed(f *os.File, w io.Writer) {
	buf := make([]byte, 256<<10)
	var off int64
	var err error
	for {
		t.mu.Lock()
		for off >= t.size && !t.done {
			t.cond.Wait()
		}
		size, done, stop := t.size, t.done, t.stop
		t.mu.Unlock()
		if stop || (done && off >= size) || err != nil {
			break
		}
		var n int
		n, err = f.ReadAt(buf[:min(int64(len(buf)), size-off)], off)
		off += int64(n)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil && err == nil {
				err = werr
			}
		}
		if err == io.EOF {
			err = nil
		}
	}
	// Failed early: wait for the download to end before reporting,
	// so that the hash decides what the failure means.
	t.mu.Lock()
	for !t.done {
		t.cond.Wait()
	}
	t.mu.Unlock()
	t.result <- err
}

// patch runs freebsd-update on the release, then applies iocage's
// follow-ups: basejails on the release get the new version and the root
// loses any resolv.conf left behind.
func (f *Fetcher) patch(ctx context.Context, tx *txn.Tx, rel, rootDS, root string, existed bool) error {
	before := inventory.UserlandVersion(root)
	if existed {
		// A release that was there goes back to how it was if the
		// patch fails or is interrupted; a new one goes whole.
		snap := layout.UpdateSnapName(rel, time.Now())
		if err := tx.WillSnapshot(rootDS, snap); err != nil {
			return err
		}
		if err := tx.Made(layout.SnapName(rootDS, snap), f.h.ZFS.Snapshot(ctx, layout.SnapName(rootDS, snap), false)); err != nil {
			return err
		}
		// The release keeps no trace of the patch, as with iocage.
		tx.AfterCommit(func() {
			if err := f.h.ZFS.Destroy(context.WithoutCancel(ctx), layout.SnapName(rootDS, snap), zfs.DestroyOptions{}); err != nil {
				f.warn("%s was not removed: %v", layout.SnapName(rootDS, snap), err)
			}
		})
	}
	p := &Patcher{Run: f.h.Run, Tools: &Tools{Run: f.h.Run, IOCRoot: f.inv.Tree.Mountpoint, HostRelease: f.hostRelease}, Out: f.h.Out, Err: f.err}
	after, err := p.Patch(ctx, root, rel)
	if err != nil {
		return err
	}
	if err := confine.Remove(root, "etc/resolv.conf"); err != nil {
		return err
	}
	if after == "" || after == before {
		return nil
	}
	f.say("%s is now at %s", rel, after)
	for _, j := range f.inv.Jails {
		if j.Err != nil || j.Template || !config.CheckTruthy(j.Prop("basejail")) || !strings.Contains(j.Prop("release"), rel) {
			continue
		}
		if err := tx.WillWrite(j.ConfigPath()); err != nil {
			return err
		}
		err := txn.UpdateConfig(j.ConfigPath(), nil, func(c *config.Config) error {
			c.Set("release", after)
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
