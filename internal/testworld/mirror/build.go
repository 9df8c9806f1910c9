package mirror

import (
	"archive/tar"
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// NoXZ as ReleaseSpec.XZ builds without the system xz: every block of
// every set is stored (valid .xz, no compression).
const NoXZ = "none"

// DefaultReleases are the releases a mirror gets when none are named.
var DefaultReleases = []string{"13.4-RELEASE", "14.3-RELEASE"}

// DefaultMachines are the machines a mirror gets when none are named.
var DefaultMachines = []string{"amd64", "arm64"}

// KnownSets are the distribution sets the builder can make.
var KnownSets = []string{"base", "kernel", "lib32", "src"}

// ReleaseSpec describes one synthetic release for one machine.
type ReleaseSpec struct {
	// Name is the release directory name and, unless Userland says
	// otherwise, its version: "14.3-RELEASE". Any path-safe name works.
	Name string
	// Machine is uname -m: amd64 (the default), arm64, i386, ...
	Machine string
	// Userland is USERLAND_VERSION in bin/freebsd-version; default Name.
	// Set it to e.g. "13.4-RELEASE-p2" to fake a patched release.
	Userland string
	// Sets lists the sets to make, without ".txz"; default DefaultSets.
	Sets []string
	// PadBytes adds that many bytes of filler files to base.txz, under
	// usr/share/filler/, sized between 1 KiB and 1 MiB like a release's
	// files. By default they are stored rather than compressed inside the
	// .txz, so base.txz grows by slightly more than PadBytes and the build
	// runs at disk speed.
	PadBytes int64
	// PadCompressed runs the filler through xz like everything else: a
	// slower build (about 12 MB of .txz a second on two cores) whose
	// extraction costs what a real base.txz costs. The filler compresses
	// about 2:1, so base.txz grows by about PadBytes/2.
	PadCompressed bool
	// ModTime stamps every member; default a fixed date per release.
	ModTime time.Time
	// XZ is the xz program. Empty means "xz" from PATH, falling back to
	// stored blocks when there is none; NoXZ forces that fallback.
	XZ string
	// Preset is the xz preset level, 0 (the default, fastest) to 9.
	Preset int
}

// Release is a built release.
type Release struct {
	Dir        string
	Spec       ReleaseSpec // with defaults filled in
	Manifest   []ManifestEntry
	Sizes      map[string]int64 // set file name -> bytes
	Compressor string           // "xz" or "stored" (no system xz)
	Elapsed    time.Duration
}

// TotalSize is the size of all the release's sets together.
func (r *Release) TotalSize() int64 {
	var n int64
	for _, s := range r.Sizes {
		n += s
	}
	return n
}

// DefaultSets returns the sets a release of that machine ships and iocage
// fetches: base, lib32 where there is one (amd64, and arm64 from 14.0 on,
// whose lib32 is armv7) and src.
func DefaultSets(machine, release string) []string {
	sets := []string{"base"}
	major := releaseMajor(release)
	if machine == "amd64" || (machine == "arm64" && (major == 0 || major >= 14)) {
		sets = append(sets, "lib32")
	}
	return append(sets, "src")
}

// releaseDates are the build dates of some real releases, so that a
// listing looks plausible; others get defaultDate.
var releaseDates = map[string]time.Time{
	"13.4-RELEASE": time.Date(2024, 9, 13, 22, 14, 0, 0, time.UTC),
	"13.5-RELEASE": time.Date(2025, 3, 7, 3, 41, 0, 0, time.UTC),
	"14.1-RELEASE": time.Date(2024, 5, 31, 5, 4, 0, 0, time.UTC),
	"14.2-RELEASE": time.Date(2024, 11, 29, 9, 31, 0, 0, time.UTC),
	"14.3-RELEASE": time.Date(2025, 6, 6, 18, 22, 0, 0, time.UTC),
}

var defaultDate = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

func (s ReleaseSpec) withDefaults() (ReleaseSpec, error) {
	if !validName(s.Name) {
		return s, fmt.Errorf("invalid release name %q", s.Name)
	}
	if s.Machine == "" {
		s.Machine = "amd64"
	}
	if _, err := MachineArch(s.Machine); err != nil {
		return s, err
	}
	if s.Userland == "" {
		s.Userland = s.Name
	}
	if strings.ContainsAny(s.Userland, "\"\\$`\n") {
		return s, fmt.Errorf("invalid userland version %q", s.Userland)
	}
	if len(s.Sets) == 0 {
		s.Sets = DefaultSets(s.Machine, s.Name)
	}
	for _, set := range s.Sets {
		if !slices.Contains(KnownSets, set) {
			return s, fmt.Errorf("unknown set %q (known: %s)", set, strings.Join(KnownSets, ", "))
		}
	}
	if s.PadBytes < 0 {
		return s, fmt.Errorf("negative padding %d", s.PadBytes)
	}
	if s.PadBytes > 0 && !slices.Contains(s.Sets, "base") {
		return s, errors.New("padding goes into base.txz, which is not among the sets")
	}
	if s.Preset < 0 || s.Preset > 9 {
		return s, fmt.Errorf("xz preset %d out of range 0-9", s.Preset)
	}
	if s.ModTime.IsZero() {
		s.ModTime = defaultDate
		if d, ok := releaseDates[s.Name]; ok {
			s.ModTime = d
		}
	}
	s.ModTime = s.ModTime.UTC().Truncate(time.Second)
	return s, nil
}

// resolveXZ returns the xz to run, or "" to store without one.
func resolveXZ(spec string) string {
	switch spec {
	case NoXZ:
		return ""
	case "":
		p, err := exec.LookPath("xz")
		if err != nil {
			return ""
		}
		return p
	}
	return spec
}

// buildInfoFile records how a release directory was built, so that
// BuildMirror with Missing set can tell a stale build from a current one.
const buildInfoFile = ".build.json"

type buildInfo struct {
	Name          string   `json:"name"`
	Machine       string   `json:"machine"`
	Userland      string   `json:"userland"`
	Sets          []string `json:"sets"`
	PadBytes      int64    `json:"pad_bytes"`
	PadCompressed bool     `json:"pad_compressed"`
}

func infoOf(s ReleaseSpec) buildInfo {
	return buildInfo{s.Name, s.Machine, s.Userland, s.Sets, s.PadBytes, s.PadCompressed}
}

// Build writes the sets of spec and their MANIFEST into dir (the release
// directory itself, e.g. from ReleaseDir). MANIFEST is written last, so a
// directory with a MANIFEST holds a complete release.
func Build(dir string, spec ReleaseSpec) (*Release, error) {
	start := time.Now()
	spec, err := spec.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	for _, f := range []string{"MANIFEST", buildInfoFile} {
		if err := os.Remove(filepath.Join(dir, f)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
	}
	xz := resolveXZ(spec.XZ)
	rel := release{name: spec.Name, userland: spec.Userland, machine: spec.Machine, major: releaseMajor(spec.Name)}

	type result struct {
		entry ManifestEntry
		size  int64
		err   error
	}
	results := make([]result, len(spec.Sets))
	var wg sync.WaitGroup
	for i, set := range spec.Sets {
		wg.Go(func() {
			e, n, err := writeSet(dir, set, rel, spec, xz)
			results[i] = result{e, n, err}
		})
	}
	wg.Wait()

	r := &Release{Dir: dir, Spec: spec, Sizes: map[string]int64{}, Compressor: "xz"}
	if xz == "" {
		r.Compressor = "stored"
	}
	var errs []error
	for i, res := range results {
		if res.err != nil {
			errs = append(errs, fmt.Errorf("%s.txz: %w", spec.Sets[i], res.err))
			continue
		}
		r.Manifest = append(r.Manifest, res.entry)
		r.Sizes[res.entry.File] = res.size
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("build %s/%s: %w", spec.Machine, spec.Name, err)
	}
	// Sets left from an earlier build with other sets would not match the
	// new MANIFEST; a release directory holds exactly what it lists.
	old, _ := filepath.Glob(filepath.Join(dir, "*.txz"))
	for _, f := range old {
		if _, keep := r.Sizes[filepath.Base(f)]; !keep {
			if err := os.Remove(f); err != nil {
				return nil, err
			}
		}
	}
	info, _ := json.MarshalIndent(infoOf(spec), "", "  ")
	if err := writeFileAtomic(filepath.Join(dir, buildInfoFile), append(info, '\n')); err != nil {
		return nil, err
	}
	if err := writeFileAtomic(filepath.Join(dir, "MANIFEST"), FormatManifest(r.Manifest)); err != nil {
		return nil, err
	}
	slices.SortFunc(r.Manifest, func(a, b ManifestEntry) int { return strings.Compare(a.File, b.File) })
	r.Elapsed = time.Since(start)
	return r, nil
}

// writeFileAtomic writes through a temporary file in the same directory so
// that a reader (the server) never sees half a file.
func writeFileAtomic(name string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, werr := f.Write(data)
	if err := errors.Join(werr, f.Chmod(0o644), f.Close()); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, name); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

func treeOf(set string, r release) *tree {
	switch set {
	case "base":
		return baseTree(r)
	case "lib32":
		return lib32Tree(r)
	case "src":
		return srcTree(r)
	case "kernel":
		return kernelTree(r)
	}
	panic("mirror: no tree for set " + set)
}

// writeSet writes dir/SET.txz and returns its MANIFEST entry and size.
// The file is fsynced by nobody: these are rebuildable fixtures, and the
// rename plus MANIFEST-last ordering is what keeps readers consistent.
func writeSet(dir, set string, r release, spec ReleaseSpec, xz string) (ManifestEntry, int64, error) {
	f, err := os.CreateTemp(dir, "."+set+".txz.*")
	if err != nil {
		return ManifestEntry{}, 0, err
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()

	sum := sha256.New()
	size := &countingWriter{w: io.MultiWriter(f, sum)}
	out := bufio.NewWriterSize(size, 1<<20)

	pad := set == "base" && spec.PadBytes > 0
	var comp compressor
	if xz != "" && (!pad || spec.PadCompressed) {
		comp, err = newXZPipe(xz, spec.Preset, out)
	} else {
		comp, err = newXZContainer(out, xz, spec.Preset)
	}
	if err != nil {
		return ManifestEntry{}, 0, err
	}
	count, err := writeTar(comp, set, r, spec, pad)
	if cerr := comp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return ManifestEntry{}, 0, err
	}
	if err := out.Flush(); err != nil {
		return ManifestEntry{}, 0, err
	}
	if err := errors.Join(f.Chmod(0o644), f.Close()); err != nil {
		return ManifestEntry{}, 0, err
	}
	if err := os.Rename(tmp, filepath.Join(dir, set+".txz")); err != nil {
		return ManifestEntry{}, 0, err
	}
	ok = true
	return manifestEntry(set, hex.EncodeToString(sum.Sum(nil)), count), size.n, nil
}

// writeTar writes the set's members and, for a padded base, the filler;
// it returns the number of members (MANIFEST's third field).
func writeTar(comp compressor, set string, r release, spec ReleaseSpec, pad bool) (int, error) {
	tw := tar.NewWriter(comp)
	count := 0
	for _, m := range treeOf(set, r).members(spec.ModTime) {
		if err := tw.WriteHeader(m.hdr); err != nil {
			return 0, fmt.Errorf("%s: %w", m.hdr.Name, err)
		}
		if _, err := tw.Write(m.data); err != nil {
			return 0, err
		}
		count++
	}
	if pad {
		if err := tw.Flush(); err != nil {
			return 0, err
		}
		if err := comp.setStored(!spec.PadCompressed); err != nil {
			return 0, err
		}
		n, err := writeFiller(tw, r, spec)
		if err != nil {
			return 0, err
		}
		count += n
	}
	return count, tw.Close()
}

// fillerDir holds the padding files inside base.txz.
const fillerDir = "usr/share/filler"

// writeFiller adds spec.PadBytes of files under fillerDir, 256 to a
// directory, with sizes spread log-uniformly between 1 KiB and 1 MiB (a
// release's files are mostly small, with a long tail).
func writeFiller(tw *tar.Writer, r release, spec ReleaseSpec) (int, error) {
	rng := rand.New(rand.NewPCG(seedOf(r.machine+"/"+r.name), 1))
	data := newFiller(seedOf("filler/" + r.machine + "/" + r.name))
	hdr := func(typ byte, name string, mode, size int64) *tar.Header {
		return &tar.Header{Typeflag: typ, Name: "./" + name, Mode: mode, Size: size,
			Uname: "root", Gname: "wheel", ModTime: spec.ModTime}
	}
	if err := tw.WriteHeader(hdr(tar.TypeDir, fillerDir+"/", 0o755, 0)); err != nil {
		return 0, err
	}
	count := 1
	left := spec.PadBytes
	for i := 0; left > 0; i++ {
		if i%256 == 0 {
			if err := tw.WriteHeader(hdr(tar.TypeDir, fmt.Sprintf("%s/d%03d/", fillerDir, i/256), 0o755, 0)); err != nil {
				return 0, err
			}
			count++
		}
		size := min(left, int64(1024*math.Pow(1024, rng.Float64())))
		name := fmt.Sprintf("%s/d%03d/f%06d", fillerDir, i/256, i)
		if err := tw.WriteHeader(hdr(tar.TypeReg, name, 0o444, size)); err != nil {
			return 0, err
		}
		if _, err := io.CopyN(tw, data, size); err != nil {
			return 0, err
		}
		left -= size
		count++
	}
	return count, nil
}

// MirrorSpec describes a mirror tree: every release for every machine.
type MirrorSpec struct {
	Releases      []string // default DefaultReleases
	Machines      []string // default DefaultMachines
	PadBytes      int64    // per release and machine, see ReleaseSpec
	PadCompressed bool
	XZ            string
	Preset        int
	// Missing builds only releases that are absent, incomplete or were
	// built with different settings, and leaves the others as they are.
	Missing bool
}

// BuildMirror builds every release of m under root in the mirror layout
// (root/ftp/releases/MACHINE/MACHINE_ARCH/RELEASE). Releases are built one
// after another; the sets of one release are built in parallel.
func BuildMirror(root string, m MirrorSpec) ([]*Release, error) {
	rels, machines := m.Releases, m.Machines
	if len(rels) == 0 {
		rels = DefaultReleases
	}
	if len(machines) == 0 {
		machines = DefaultMachines
	}
	var out []*Release
	for _, machine := range machines {
		for _, name := range rels {
			spec := ReleaseSpec{Name: name, Machine: machine, PadBytes: m.PadBytes, PadCompressed: m.PadCompressed, XZ: m.XZ, Preset: m.Preset}
			dir, err := ReleaseDir(root, machine, name)
			if err != nil {
				return out, err
			}
			if m.Missing {
				full, err := spec.withDefaults()
				if err != nil {
					return out, err
				}
				if upToDate(dir, full) {
					continue
				}
			}
			r, err := Build(dir, spec)
			if err != nil {
				return out, err
			}
			out = append(out, r)
		}
	}
	return out, nil
}

// upToDate reports whether dir holds a complete release built from spec.
func upToDate(dir string, spec ReleaseSpec) bool {
	raw, err := os.ReadFile(filepath.Join(dir, buildInfoFile))
	if err != nil {
		return false
	}
	var got buildInfo
	if json.Unmarshal(raw, &got) != nil {
		return false
	}
	want := infoOf(spec)
	if got.Name != want.Name || got.Machine != want.Machine || got.Userland != want.Userland ||
		!slices.Equal(got.Sets, want.Sets) || got.PadBytes != want.PadBytes || got.PadCompressed != want.PadCompressed {
		return false
	}
	return Complete(dir) == nil
}

// Complete checks that dir holds a MANIFEST and every set it lists.
func Complete(dir string) error {
	f, err := os.Open(filepath.Join(dir, "MANIFEST"))
	if err != nil {
		return err
	}
	defer f.Close()
	entries, err := ParseManifest(f)
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		return fmt.Errorf("%s: empty MANIFEST", dir)
	}
	for _, e := range entries {
		if _, err := os.Stat(filepath.Join(dir, e.File)); err != nil {
			return err
		}
	}
	return nil
}
