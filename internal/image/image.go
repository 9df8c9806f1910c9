package image

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"compress/flate"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/jcage/jcage/internal/argv"
	"github.com/jcage/jcage/internal/atomicfile"
	"github.com/jcage/jcage/internal/config"
	"github.com/jcage/jcage/internal/host"
	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/jail"
	"github.com/jcage/jcage/internal/layout"
	"github.com/jcage/jcage/internal/lazyregexp"
	"github.com/jcage/jcage/internal/txn"
	"github.com/jcage/jcage/internal/zfs"
)

// Archive formats of export and import -c, as iocage names them.
const (
	FormatZip  = "zip"  // NAME_DATE.zip, deflate, zip64
	FormatLZMA = "lzma" // NAME_DATE.tar.xz
)

// ChecksumExt is the extension of the file beside an export that holds
// the archive's sha256: lowercase hex, no newline.
const ChecksumExt = ".sha256"

// NoVerifyFlag is the import flag that skips the checksum; refusals name it.
const NoVerifyFlag = "--no-verify"

// exportSnapPrefix starts every snapshot export takes (layout.ExportSnapName).
const exportSnapPrefix = "ioc-export-"

// ProgressFunc shows one stream while it passes: desc names it and total
// is its size in bytes, or -1 when unknown. The bytes are written to the
// returned writer as they go by; Close ends the display. It is an outside
// concern (a bar on a terminal); nil shows nothing.
type ProgressFunc func(desc string, total int64) io.WriteCloser

// ExportOptions is one `export` invocation.
type ExportOptions struct {
	Compression  string // FormatZip (the default) or FormatLZMA
	AllowRunning bool   // export a running jail: a crash-consistent snapshot
	Progress     ProgressFunc
}

// ImportOptions is one `import` invocation.
type ImportOptions struct {
	Compression string // restricts the search to one format; "" finds either
	Path        string // -p: the directory to search, or the archive itself
	NoVerify    bool   // skip the .sha256 check
	// TrustHooks (--trust-hooks) accepts an archive whose config.json
	// names commands the host runs at start and stop.
	TrustHooks bool
	Progress   ProgressFunc
}

// hostHooks are the command properties jail(8) and jcage run on the host
// (exec.prestart, exec.created, exec.poststart, exec.prestop,
// exec.poststop in jail(8)'s terms); exec_start and exec_stop run inside
// the jail.
var hostHooks = []string{"exec_prestart", "exec_created", "exec_poststart", "exec_prestop", "exec_poststop"}

// untrustedHook names the first host hook an imported config sets to
// anything but iocage's do-nothing default.
func untrustedHook(c *config.Config) (string, string) {
	for _, k := range hostHooks {
		if v, ok := c.Get(k); ok && v != "" && v != "/usr/bin/true" && v != "none" {
			return k, v
		}
	}
	return "", ""
}

// ImageBase is the stem of an export's files: NAME_<UTC %F>.
func ImageBase(name string, t time.Time) string {
	return name + "_" + t.UTC().Format("2006-01-02")
}

// formatExt maps -c to the archive's extension.
func formatExt(compression string) (string, error) {
	switch compression {
	case "", FormatZip:
		return "zip", nil
	case FormatLZMA:
		return "tar.xz", nil
	}
	return "", fmt.Errorf("invalid compression %q: use zip or lzma", compression)
}

// ImageMember is the archive member name iocage gives the stream of ds,
// a dataset of the exported jail jailDS: the path of the stream file it
// wrote, IMAGES/NAME_DATE plus the dataset's path below the jail with '/'
// turned into '_', without the leading '/'. For example
// "tank/iocage/images/web_2023-11-23_root".
func ImageMember(imagesDir, base, jailDS, ds string) string {
	suffix := strings.ReplaceAll(strings.TrimPrefix(ds, jailDS), "/", "_")
	return strings.TrimLeft(path.Join(filepath.ToSlash(imagesDir), base+suffix), "/")
}

// exportItem is one dataset's stream in an export.
type exportItem struct {
	dataset string // POOL/iocage/jails/NAME[/child]
	snap    string // dataset@ioc-export-DATE
	member  string
}

// Export writes IOCROOT/images/NAME_DATE.zip (or .tar.xz) holding one full
// `zfs send` stream per dataset of the jail, and NAME_DATE.sha256 beside
// it, with iocage's member names and messages. Each stream goes straight
// from zfs into the archive, which is hashed as it is written: there are
// no stream files, and memory stays bounded whatever the jail's size. The
// archive appears under its name only once complete. The export snapshot
// is destroyed afterwards, also on failure and on interruption. It returns
// the archive's path.
func (h *Host) Export(ctx context.Context, inv *inventory.Inventory, name string, opts ExportOptions) (archive string, err error) {
	ext, err := formatExt(opts.Compression)
	if err != nil {
		return "", err
	}
	j, err := inv.Find(name)
	if err != nil {
		return "", err
	}
	if j.Running() && !opts.AllowRunning {
		return "", fmt.Errorf("%s is running, stop the jail before exporting!", j.Name)
	}
	now := h.Clock()
	jailDS := inv.SnapDataset(j)
	snapName := layout.ExportSnapName(now)
	base := ImageBase(j.Name, now)
	images := inv.ImagesDir()
	archive = filepath.Join(images, base+"."+ext)

	top := layout.SnapName(jailDS, snapName)
	if err := h.ZFS.Snapshot(ctx, top, true); err != nil {
		if errors.Is(err, zfs.ErrExists) {
			return "", fmt.Errorf("snapshot %s already exists, left by an interrupted export: remove it with 'jcage snapremove -n %s %s'", top, snapName, j.Name)
		}
		return "", err
	}
	// iocage always destroys jails/NAME@…, even for a template; jcage
	// destroys the snapshot it took.
	defer func() {
		derr := h.ZFS.Destroy(context.WithoutCancel(ctx), top, zfs.DestroyOptions{Recursive: true})
		switch {
		case derr != nil && err == nil:
			err = fmt.Errorf("exported %s, but could not remove the snapshot %s: %w", archive, top, derr)
		case derr != nil:
			h.Say("cleanup: remove %s: %v", top, derr)
		}
	}()

	items, err := h.exportItems(ctx, jailDS, snapName, images, base)
	if err != nil {
		return "", err
	}
	if err := h.writeArchive(ctx, images, base, ext, items, now, opts.Progress); err != nil {
		return "", err
	}
	h.Say("\nExported: %s", archive)
	return archive, nil
}

// exportItems lists the datasets of the jail at jailDS that the export
// snapshot snapName covers, the jail's own first, each with its member
// name.
func (h *Host) exportItems(ctx context.Context, jailDS, snapName, images, base string) ([]exportItem, error) {
	list, err := h.ZFS.List(ctx, jailDS, zfs.ListOptions{Types: []string{zfs.Snapshot}, Recursive: true})
	if err != nil {
		return nil, err
	}
	var items []exportItem
	for _, d := range list {
		ds, s, ok := layout.SplitSnap(d.Name)
		if !ok || s != snapName || !layout.Child(jailDS, ds) {
			continue
		}
		items = append(items, exportItem{dataset: ds, snap: d.Name, member: ImageMember(images, base, jailDS, ds)})
	}
	if len(items) == 0 || items[0].dataset != jailDS {
		return nil, fmt.Errorf("snapshot %s is missing after it was taken", layout.SnapName(jailDS, snapName))
	}
	return items, nil
}

// writeArchive writes IMAGES/BASE.EXT from items, hashed as it is
// written, in a hidden file kept to root that takes its name only once
// complete, and its checksum beside it as BASE.sha256.
func (h *Host) writeArchive(ctx context.Context, images, base, ext string, items []exportItem, now time.Time, progress ProgressFunc) error {
	archive := filepath.Join(images, base+"."+ext)
	tmp, err := os.CreateTemp(images, "."+base+"."+ext+".*")
	if err != nil {
		return err
	}
	defer func() {
		if tmp != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	// Exports hold every file of the jail, /etc/master.passwd included:
	// jcage keeps them to root (iocage leaves them world-readable).
	if err := tmp.Chmod(0o600); err != nil {
		return err
	}
	sum := sha256.New()
	out := bufio.NewWriterSize(io.MultiWriter(tmp, sum), 1<<20)
	if ext == "zip" {
		err = h.writeZip(ctx, out, items, now, progress)
	} else {
		err = h.writeTarXZ(ctx, out, items, now, progress)
	}
	if err != nil {
		return err
	}
	if err := out.Flush(); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	h.Say("\nPreparing compressed file: %s.", archive)
	// The checksum is staged first, so that once the archive has its name
	// only a rename stands between it and its checksum.
	sumPath := filepath.Join(images, base+ChecksumExt)
	sumTmp, err := atomicfile.Stage(sumPath, []byte(hex.EncodeToString(sum.Sum(nil))), 0o644)
	if err != nil {
		return err
	}
	defer os.Remove(sumTmp)
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), archive); err != nil {
		return err
	}
	tmp = nil
	if err := os.Rename(sumTmp, sumPath); err != nil {
		os.Remove(archive)
		return err
	}
	return nil
}

// writeZip streams each dataset into its own deflated member. Sizes are
// unknown up front, so archive/zip writes each member with a data
// descriptor and decides at the member's end whether it needs zip64: a
// stream of 4 GiB or more gets 8-byte sizes in the descriptor, a zip64
// extra field in the central directory (with the offset of members that
// start past 4 GiB) and a zip64 end record, which Python's zipfile (and
// so iocage) reads. TestExportZip64 round-trips a member over 4 GiB.
func (h *Host) writeZip(ctx context.Context, w io.Writer, items []exportItem, now time.Time, progress ProgressFunc) error {
	zw := zip.NewWriter(w)
	// BestSpeed: the other levels of compress/flate run about eight times
	// slower on binaries for a few percent, and a zfs stream is long.
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestSpeed)
	})
	for _, it := range items {
		if err := ctx.Err(); err != nil {
			return err
		}
		h.Say("Exporting dataset: %s", it.dataset)
		hdr := &zip.FileHeader{Name: it.member, Method: zip.Deflate, Modified: now}
		hdr.SetMode(0o644)
		mw, err := zw.CreateHeader(hdr)
		if err != nil {
			return err
		}
		if err := h.send(ctx, it, mw, progress, -1); err != nil {
			return err
		}
	}
	return zw.Close()
}

// send streams one snapshot into w, shown by progress.
func (h *Host) send(ctx context.Context, it exportItem, w io.Writer, progress ProgressFunc, total int64) error {
	if progress != nil {
		if s, ok := h.ZFS.(zfs.SendSizer); ok && total < 0 {
			// zfs send -nvP's estimate gives the bar a total and an ETA;
			// without one it shows bytes and a rate.
			if n, err := s.SendSize(ctx, it.snap); err == nil && n > 0 {
				total = n
			}
		}
		p := progress(it.dataset, total)
		defer p.Close()
		w = io.MultiWriter(w, p)
	}
	if err := h.ZFS.Send(ctx, it.snap, w); err != nil {
		return fmt.Errorf("send %s: %w", it.snap, err)
	}
	return nil
}

// streamCounter counts and discards.
type streamCounter struct{ n int64 }

func (c *streamCounter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

// writeTarXZ streams a tar of the datasets through xz. A tar header needs
// the member's size before its data and a zfs stream's size is known only
// once sent, so each stream is sent twice: once to count it, once into
// the archive. Sending is deterministic; a stream that changes size
// between the two fails the export rather than corrupt the archive.
func (h *Host) writeTarXZ(ctx context.Context, w io.Writer, items []exportItem, now time.Time, progress ProgressFunc) error {
	return h.throughXZ(ctx, XZCompressCmd, w, func(in io.Writer) error {
		tw := tar.NewWriter(in)
		for _, it := range items {
			if err := ctx.Err(); err != nil {
				return err
			}
			h.Say("Exporting dataset: %s", it.dataset)
			var c streamCounter
			if err := h.send(ctx, it, &c, nil, -1); err != nil {
				return err
			}
			hdr := &tar.Header{Name: it.member, Mode: 0o644, Size: c.n, ModTime: now, Typeflag: tar.TypeReg, Uname: "root", Gname: "wheel"}
			if err := tw.WriteHeader(hdr); err != nil {
				return err
			}
			if err := h.send(ctx, it, tw, progress, c.n); err != nil {
				if errors.Is(err, tar.ErrWriteTooLong) {
					return fmt.Errorf("the stream of %s grew between two sends; export again", it.snap)
				}
				return err
			}
		}
		err := tw.Close()
		if err != nil && strings.Contains(err.Error(), "missed writing") {
			return errors.New("a stream shrank between two sends; export again")
		}
		return err
	})
}

// XZCompressCmd compresses stdin to stdout with the system xz, at its
// default level, as Python's tarfile (and so iocage) does.
func XZCompressCmd(stdin io.Reader, stdout io.Writer) host.Cmd {
	c := argv.XzCompress()
	c.Stdin, c.Stdout = stdin, stdout
	return c
}

// XZDecompressCmd decompresses stdin to stdout with the system xz.
func XZDecompressCmd(stdin io.Reader, stdout io.Writer) host.Cmd {
	c := argv.XzDecompressSerial()
	c.Stdin, c.Stdout = stdin, stdout
	return c
}

// throughXZ runs produce, whose output xz compresses into w.
func (h *Host) throughXZ(ctx context.Context, cmd func(io.Reader, io.Writer) host.Cmd, w io.Writer, produce func(io.Writer) error) error {
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		_, err := h.Run.Run(ctx, cmd(pr, w))
		// A writer blocked on an xz that quit must not wait forever.
		pr.CloseWithError(orClosed(err))
		done <- err
	}()
	perr := produce(pw)
	pw.CloseWithError(perr)
	xerr := <-done
	switch {
	case perr != nil && !errors.Is(perr, io.ErrClosedPipe):
		return perr
	case xerr != nil:
		return fmt.Errorf("xz: %w", xerr)
	}
	return perr
}

// fromXZ runs consume on what xz decompresses from r. Whatever consume
// leaves unread is drained, so that xz reads all of r.
func (h *Host) fromXZ(ctx context.Context, r io.Reader, consume func(io.Reader) error) error {
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		_, err := h.Run.Run(ctx, XZDecompressCmd(r, pw))
		pw.CloseWithError(err)
		done <- err
	}()
	cerr := consume(pr)
	if cerr == nil {
		_, cerr = io.Copy(io.Discard, pr)
	}
	pr.CloseWithError(orClosed(cerr))
	xerr := <-done
	switch {
	case cerr != nil && xerr != nil && !errors.Is(cerr, xerr):
		// xz's own complaint says more than a truncated tar.
		var re *host.RunError
		if errors.As(xerr, &re) && strings.TrimSpace(re.Stderr) != "" {
			return fmt.Errorf("xz: %s", strings.TrimSpace(re.Stderr))
		}
		return cerr
	case cerr != nil:
		return cerr
	case xerr != nil:
		return fmt.Errorf("xz: %w", xerr)
	}
	return nil
}

func orClosed(err error) error {
	if err == nil {
		return io.ErrClosedPipe
	}
	return err
}

// imageMemberPlan is one member of an archive being imported.
type imageMemberPlan struct {
	name  string // as stored
	index int    // position in the archive
	rel   string // dataset below POOL/iocage/jails: NAME or NAME/root...
	size  int64  // uncompressed, as the archive declares it
	zf    *zip.File
}

// checkMemberName refuses a member name that is not a plain relative
// path: absolute, with '..', '.', empty elements or backslashes. jcage
// never writes a member to disk by name, but an archive that holds such a
// name was not written by iocage or jcage.
func checkMemberName(name string) error {
	if name == "" || strings.ContainsAny(name, "\\\x00") || !filepath.IsLocal(name) || path.IsAbs(name) {
		return fmt.Errorf("member %q is not a local path", name)
	}
	for _, el := range strings.Split(name, "/") {
		if el == "" || el == "." || el == ".." {
			return fmt.Errorf("member %q is not a local path", name)
		}
	}
	return nil
}

// datasetComponent is what a dataset name's element may hold.
var datasetComponent = lazyregexp.New(`^[A-Za-z0-9_.:-]+$`)

// planMembers checks every member name and maps it to the dataset it is
// received as, as iocage does: the member NAME_DATE is the jail dataset,
// NAME_DATE_SUFFIX is NAME/SUFFIX with '_' read as '/'. iocage's mapping
// breaks child datasets with '_' in their names; jcage keeps it where the
// parent it implies is in the archive and otherwise takes the deepest
// member that is a prefix as the parent, so data_my_db next to data
// becomes data/my_db. The plan keeps the archive's order.
func planMembers(uuid, date string, names []string) ([]imageMemberPlan, error) {
	prefix := uuid + "_" + date
	plans := make([]imageMemberPlan, len(names))
	seen := map[string]bool{}
	parent := -1
	for i, n := range names {
		if err := checkMemberName(n); err != nil {
			return nil, err
		}
		if seen[n] {
			return nil, fmt.Errorf("member %q appears twice", n)
		}
		seen[n] = true
		base := path.Base(n)
		switch {
		case base == prefix:
			if parent >= 0 {
				return nil, fmt.Errorf("members %q and %q both claim the jail dataset", names[parent], n)
			}
			parent = i
			plans[i] = imageMemberPlan{name: n, index: i}
		case strings.HasPrefix(base, prefix+"_") && len(base) > len(prefix)+1:
			plans[i] = imageMemberPlan{name: n, index: i, rel: base[len(prefix)+1:]}
		default:
			return nil, fmt.Errorf("member %q is not a dataset stream of %s", n, prefix)
		}
	}
	if parent < 0 {
		return nil, fmt.Errorf("no member holds the jail dataset %s", prefix)
	}
	// Shorter suffixes first: a parent's suffix is a prefix of its child's.
	order := make([]int, len(plans))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return len(plans[order[a]].rel) < len(plans[order[b]].rel) })
	resolved := map[string]string{} // suffix -> dataset path below the jail
	known := map[string]bool{"": true}
	for _, i := range order {
		p := &plans[i]
		if i == parent {
			p.rel = uuid
			continue
		}
		suffix := p.rel
		rel := strings.ReplaceAll(suffix, "_", "/")
		if !known[path.Dir("/" + rel)[1:]] {
			rel = suffix
			for k := strings.LastIndexByte(suffix, '_'); k > 0; k = strings.LastIndexByte(suffix[:k], '_') {
				if r, ok := resolved[suffix[:k]]; ok {
					rel = r + "/" + suffix[k+1:]
					break
				}
			}
		}
		for _, el := range strings.Split(rel, "/") {
			if !datasetComponent.MatchString(el) || el == "." || el == ".." {
				return nil, fmt.Errorf("member %q does not name a dataset", p.name)
			}
		}
		if known[rel] {
			return nil, fmt.Errorf("members map twice to dataset %s/%s", uuid, rel)
		}
		known[rel] = true
		resolved[suffix] = rel
		p.rel = uuid + "/" + rel
	}
	return plans, nil
}

// imageFile is an archive found for import.
type imageFile struct {
	path, dir, file string
	uuid, date      string
	zip             bool
}

// locateImage finds the archive as iocage does: in dir (IOCROOT/images or
// -p DIR) the one file whose name starts with NAME and later holds zip or
// tar.xz; -p may also name the file itself. NAME and DATE are then read
// from the file name, split on its last '_'.
func locateImage(images, name string, opts ImportOptions) (*imageFile, error) {
	dir := images
	if opts.Path != "" {
		dir = opts.Path
	}
	st, err := os.Stat(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s does not exist.", dir)
	}
	if err != nil {
		return nil, err
	}
	var file string
	if st.Mode().IsRegular() {
		dir, file = filepath.Split(dir)
		dir = filepath.Clean(dir)
	} else {
		ext := `zip|tar\.xz`
		switch opts.Compression {
		case FormatZip:
			ext = `zip`
		case FormatLZMA:
			ext = `tar\.xz`
		case "":
		default:
			_, err := formatExt(opts.Compression)
			return nil, err
		}
		// iocage's pattern uses the name as a regular expression; jcage
		// quotes it, so that "a.b" does not find "axb".
		re := regexp.MustCompile(`^` + regexp.QuoteMeta(name) + `.*(?:` + ext + `)`)
		entries, err := os.ReadDir(dir)
		if err != nil {
			return nil, err
		}
		var matches []string
		for _, e := range entries {
			if e.Type().IsRegular() && re.MatchString(e.Name()) {
				matches = append(matches, e.Name())
			}
		}
		switch len(matches) {
		case 0:
			return nil, fmt.Errorf("%s not found!", name)
		case 1:
			file = matches[0]
		default:
			sort.Strings(matches)
			return nil, fmt.Errorf("Multiple images found for %s:\n  %s\nPlease explicitly select image or define compression algorithm to use", name, strings.Join(matches, "\n  "))
		}
	}
	img := &imageFile{path: filepath.Join(dir, file), dir: dir, file: file}
	var stem string
	switch {
	case strings.HasSuffix(file, ".zip"):
		img.zip, stem = true, strings.TrimSuffix(file, ".zip")
	case strings.HasSuffix(file, ".tar.xz"):
		stem = strings.TrimSuffix(file, ".tar.xz")
	default:
		return nil, fmt.Errorf("%s: not an export (NAME_DATE.zip or NAME_DATE.tar.xz)", img.path)
	}
	i := strings.LastIndexByte(stem, '_')
	if i <= 0 || i == len(stem)-1 {
		return nil, fmt.Errorf("%s: not an export (NAME_DATE.zip or NAME_DATE.tar.xz)", img.path)
	}
	img.uuid, img.date = stem[:i], stem[i+1:]
	if err := config.CheckName(img.uuid); err != nil {
		return nil, fmt.Errorf("%s: %w", img.path, err)
	}
	if err := jail.ValidateSnapName(exportSnapPrefix + img.date); err != nil {
		return nil, fmt.Errorf("%s: not an export (NAME_DATE.zip or NAME_DATE.tar.xz)", img.path)
	}
	return img, nil
}

// expectedSum reads NAME_DATE.sha256 beside the archive.
func (img *imageFile) expectedSum() (string, error) {
	stem := strings.TrimSuffix(strings.TrimSuffix(img.file, ".zip"), ".tar.xz")
	p := filepath.Join(img.dir, stem+ChecksumExt)
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("%s has no checksum file %s: refusing to import it unverified (%s skips the check)", img.path, p, NoVerifyFlag)
	}
	if err != nil {
		return "", err
	}
	f := strings.Fields(string(b))
	if len(f) == 0 || len(f[0]) != sha256.Size*2 {
		return "", fmt.Errorf("%s does not hold a sha256: refusing to import %s unverified (%s skips the check)", p, img.path, NoVerifyFlag)
	}
	if _, err := hex.DecodeString(f[0]); err != nil {
		return "", fmt.Errorf("%s does not hold a sha256: refusing to import %s unverified (%s skips the check)", p, img.path, NoVerifyFlag)
	}
	return strings.ToLower(f[0]), nil
}

// receiveOrder returns the plans in an order that receives every parent
// before its children: the archive's own when it has that property (as
// iocage's and jcage's archives do), else, when the format allows random
// access, by depth. ok is false when only the archive's order is possible
// and it does not work.
func receiveOrder(plans []imageMemberPlan, random bool) ([]imageMemberPlan, bool) {
	seen := map[string]bool{}
	inOrder := true
	for i, p := range plans {
		if i > 0 && !seen[path.Dir(p.rel)] || i == 0 && strings.Contains(p.rel, "/") {
			inOrder = false
			break
		}
		seen[p.rel] = true
	}
	if inOrder {
		return plans, true
	}
	if !random {
		return nil, false
	}
	out := append([]imageMemberPlan(nil), plans...)
	sort.SliceStable(out, func(a, b int) bool {
		return strings.Count(out[a].rel, "/") < strings.Count(out[b].rel, "/")
	})
	return out, true
}

// Import receives an export into POOL/iocage/jails/NAME. Before anything
// is created it verifies the archive against NAME_DATE.sha256 (unless
// NoVerify), and checks every member name and the datasets they map to.
// Each member then streams from the archive straight into `zfs recv -F`,
// parents first, with bounded memory; the export snapshot is removed and a
// template becomes a jail. Any failure, or an interruption, destroys what
// was received. It returns the imported jail's name.
func (h *Host) Import(ctx context.Context, inv *inventory.Inventory, name string, opts ImportOptions) (string, error) {
	img, err := locateImage(inv.ImagesDir(), name, opts)
	if err != nil {
		return "", err
	}
	if err := inv.ImportFree(img.uuid); err != nil {
		return "", err
	}
	verify := !opts.NoVerify
	var want string
	if verify {
		if want, err = img.expectedSum(); err != nil {
			return "", err
		}
	}
	// The checksum is taken from the same open file that is read
	// afterwards, so a file swapped in between is not what gets imported.
	f, err := os.Open(img.path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "", err
	}
	sum := sha256.New()
	var src io.Reader = f
	if verify {
		src = io.TeeReader(f, sum)
		if opts.Progress != nil {
			p := opts.Progress("Verifying "+img.file, st.Size())
			defer p.Close()
			src = io.TeeReader(src, p)
		}
	}
	var names []string
	var sizes []int64
	var listErr error
	if !img.zip {
		// One pass both hashes the file and lists the tar inside.
		names, sizes, listErr = h.listTarXZ(ctx, img, src)
	}
	if verify {
		// The rest of the file, all of it for a zip: xz may stop short.
		if _, err := io.Copy(io.Discard, src); err != nil {
			return "", err
		}
		if got := hex.EncodeToString(sum.Sum(nil)); got != want {
			return "", fmt.Errorf("%s does not match its checksum (sha256 %s, expected %s): refusing to import it (%s skips the check)", img.path, got, want, NoVerifyFlag)
		}
	}
	if listErr != nil {
		return "", listErr
	}
	plans, err := imagePlans(img, f, st.Size(), names, sizes)
	if err != nil {
		return "", err
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	return h.receiveImage(ctx, inv, img, f, plans, opts)
}

// listTarXZ lists the members of a tar.xz archive read from src, each
// of which must be a regular file, with their sizes.
func (h *Host) listTarXZ(ctx context.Context, img *imageFile, src io.Reader) (names []string, sizes []int64, err error) {
	err = h.fromXZ(ctx, src, func(r io.Reader) error {
		tr := tar.NewReader(r)
		for {
			hdr, err := tr.Next()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return fmt.Errorf("%s: %w", img.path, err)
			}
			if hdr.Typeflag != tar.TypeReg {
				return fmt.Errorf("refusing %s: member %q is not a regular file", img.path, hdr.Name)
			}
			names = append(names, hdr.Name)
			sizes = append(sizes, hdr.Size)
		}
	})
	return names, sizes, err
}

// imagePlans turns the archive's members into the datasets to receive,
// in the order they can be received. A zip's members are listed here
// from its central directory; a tar's were listed while it was hashed.
func imagePlans(img *imageFile, f *os.File, size int64, names []string, sizes []int64) ([]imageMemberPlan, error) {
	var zr *zip.Reader
	if img.zip {
		var err error
		zr, err = zip.NewReader(f, size)
		if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
			return nil, fmt.Errorf("%s: %w", img.path, err)
		}
		for _, zf := range zr.File {
			if zf.Method != zip.Store && zf.Method != zip.Deflate {
				return nil, fmt.Errorf("%s: member %q: unsupported compression method %d", img.path, zf.Name, zf.Method)
			}
			names = append(names, zf.Name)
			sizes = append(sizes, int64(zf.UncompressedSize64))
		}
	}
	plans, err := planMembers(img.uuid, img.date, names)
	if err != nil {
		return nil, fmt.Errorf("refusing %s: %w", img.path, err)
	}
	for i := range plans {
		plans[i].size = sizes[plans[i].index]
		if zr != nil {
			plans[i].zf = zr.File[plans[i].index]
		}
	}
	plans, ok := receiveOrder(plans, img.zip)
	if !ok {
		return nil, fmt.Errorf("refusing %s: a member comes before its parent dataset", img.path)
	}
	return plans, nil
}

// receiveImage is the import's transaction: the checked archive's
// datasets received under the jail's new name, the export snapshots
// dropped, and the result made a jail.
func (h *Host) receiveImage(ctx context.Context, inv *inventory.Inventory, img *imageFile, f *os.File, plans []imageMemberPlan, opts ImportOptions) (string, error) {
	jailDS := inv.Tree.Jail(img.uuid)
	// The archive is read and checked before the lock is taken: that
	// takes as long as the file is big, and changes nothing.
	ctx, tx, inv, err := h.Begin(ctx, "import", img.uuid, inv)
	if err != nil {
		return "", err
	}
	defer tx.End()
	if err := inv.ImportFree(img.uuid); err != nil {
		return "", err
	}
	// Before the first receive: an interrupted receive may leave the
	// dataset behind, and the name was free.
	if err := tx.WillClaim(jailDS); err != nil {
		return "", err
	}
	if err := h.receiveMembers(ctx, inv, img, f, plans, opts.Progress); err != nil {
		return "", err
	}
	if err := h.dropExportSnapshots(ctx, jailDS); err != nil {
		return "", err
	}
	if err := h.importedAsJail(ctx, jailDS, opts.TrustHooks); err != nil {
		return "", err
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if err := tx.Commit(); err != nil {
		return "", err
	}
	h.Say("\nImported: %s", img.uuid)
	return img.uuid, nil
}

// receiveMembers receives each planned member in turn: a zip's through
// its own reader, a tar.xz's in one more pass over the file, which must
// hold the members the first pass listed.
func (h *Host) receiveMembers(ctx context.Context, inv *inventory.Inventory, img *imageFile, f *os.File, plans []imageMemberPlan, progress ProgressFunc) error {
	if img.zip {
		for _, p := range plans {
			if err := h.receiveZipMember(ctx, inv, p, progress); err != nil {
				return err
			}
		}
		return nil
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	return h.fromXZ(ctx, f, func(rd io.Reader) error {
		tr := tar.NewReader(rd)
		for _, p := range plans {
			hdr, err := tr.Next()
			if err != nil {
				return fmt.Errorf("%s: %w", img.path, err)
			}
			if hdr.Name != p.name {
				return fmt.Errorf("%s changed while it was read", img.path)
			}
			if err := h.receiveMember(ctx, inv, p, tr, progress); err != nil {
				return err
			}
		}
		return nil
	})
}

func (h *Host) receiveZipMember(ctx context.Context, inv *inventory.Inventory, p imageMemberPlan, progress ProgressFunc) error {
	rc, err := p.zf.Open()
	if err != nil {
		return fmt.Errorf("member %s: %w", p.name, err)
	}
	defer rc.Close()
	return h.receiveMember(ctx, inv, p, rc, progress)
}

// receiveMember streams one member into zfs recv, then reads what zfs
// left so that the archive's own check (zip's CRC) runs to the end.
func (h *Host) receiveMember(ctx context.Context, inv *inventory.Inventory, p imageMemberPlan, r io.Reader, progress ProgressFunc) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	h.Say("Importing dataset: %s", p.rel)
	if progress != nil {
		pw := progress(p.rel, p.size)
		defer pw.Close()
		r = io.TeeReader(r, pw)
	}
	// rel is NAME or NAME/child.
	name, child, _ := strings.Cut(p.rel, "/")
	target := inv.Tree.JailChild(name, child)
	if err := h.ZFS.Receive(ctx, target, r, zfs.ReceiveOptions{Force: true}); err != nil {
		return fmt.Errorf("receive %s: %w", target, err)
	}
	if _, err := io.Copy(io.Discard, r); err != nil {
		return fmt.Errorf("member %s: %w", p.name, err)
	}
	return nil
}

// dropExportSnapshots removes the ioc-export-… snapshots the streams
// carried; their date is the export's, whatever the file is called now.
func (h *Host) dropExportSnapshots(ctx context.Context, jailDS string) error {
	list, err := h.ZFS.List(ctx, jailDS, zfs.ListOptions{Types: []string{zfs.Snapshot}, Recursive: true})
	if err != nil {
		return err
	}
	done := map[string]bool{}
	for _, d := range list {
		_, s, ok := layout.SplitSnap(d.Name)
		if !ok || !strings.HasPrefix(s, exportSnapPrefix) || done[s] {
			continue
		}
		done[s] = true
		if err := h.ZFS.Destroy(ctx, layout.SnapName(jailDS, s), zfs.DestroyOptions{Recursive: true}); err != nil {
			return err
		}
	}
	return nil
}

// importedAsJail checks the received config and turns a template into a
// jail, as iocage does: templates/ is for templates made on this host.
func (h *Host) importedAsJail(ctx context.Context, jailDS string, trustHooks bool) error {
	d, err := h.ZFS.Get(ctx, jailDS)
	if err != nil {
		return err
	}
	cfgPath := filepath.Join(d.Mountpoint, config.ConfigFile)
	c, err := config.Load(cfgPath)
	if err != nil {
		return fmt.Errorf("the imported jail has no usable %s: %w", config.ConfigFile, err)
	}
	// start hands jail_zfs_dataset to the jail: an archive must not name
	// the iocage tree, another jail or a dataset outside the pool.
	if v, ok := c.Get("jail_zfs_dataset"); ok {
		if _, msg := config.CheckDatasets("jail_zfs_dataset", v, &config.SetContext{Name: layout.Base(jailDS)}); msg != "" {
			return fmt.Errorf("the imported %s: %s", config.ConfigFile, msg)
		}
	}
	// An archive is not the host's: a command it would have the host run
	// as root at the jail's next start is taken only when asked for.
	if k, v := untrustedHook(c); k != "" && !trustHooks {
		return fmt.Errorf("the imported %s runs %s on the host (%s); import with --trust-hooks to accept it", config.ConfigFile, k, config.Shown(v))
	}
	typ, _ := c.Get("type")
	if typ != "template" && !c.Template() {
		return nil
	}
	// A template's readonly=on travels only in streams sent with
	// properties; either way the jail must be writable.
	if err := h.ZFS.Inherit(ctx, jailDS, "readonly"); err != nil {
		return err
	}
	return txn.UpdateConfig(cfgPath, nil, func(c *config.Config) error {
		if v, _ := c.Get("type"); v == "template" || v == "" {
			c.Set("type", "jail")
		}
		c.Set("template", "0")
		return nil
	})
}
