package zfsshim

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
)

// ZFS runs one `zfs` call.
func (s *Shim) ZFS(args []string) int {
	if len(args) == 0 {
		return s.Real.Pass(ZFS, args)
	}
	if jid := os.Getenv(JailEnv); jid != "" {
		return s.inJail(jid, args)
	}
	sub, rest := args[0], args[1:]
	var code int
	var handled bool
	switch sub {
	case "jail", "unjail":
		code, handled = s.zfsJail(sub, rest)
	case "list":
		code, handled = s.zfsList(rest)
	case "get":
		code, handled = s.zfsGet(rest)
	case "set":
		code, handled = s.zfsSet(rest)
	case "inherit":
		code, handled = s.zfsInherit(rest)
	case "create":
		code, handled = s.zfsCreate(rest)
	case "clone":
		code, handled = s.zfsClone(rest)
	case "snapshot", "snap":
		code, handled = s.zfsSnapshot(sub, rest)
	case "rename":
		code, handled = s.zfsRename(rest)
	case "destroy":
		code, handled = s.zfsDestroy(rest)
	case "rollback":
		code, handled = s.zfsRetrying(args, optSpec{bools: "rRf"})
	case "promote":
		code, handled = s.zfsRetrying(args, optSpec{})
	case "send":
		code, handled = s.zfsSend(rest)
	}
	if handled {
		return code
	}
	return s.Real.Pass(ZFS, args)
}

const noDatasets = "no datasets available\n"

// defaultListFields are the columns of a plain `zfs list`.
const defaultListFields = "name,used,available,referenced,mountpoint"

// spaceFields is what `zfs list -o space` expands to.
const spaceFields = "name,available,used,usedbysnapshots,usedbydataset,usedbyrefreservation,usedbychildren"

// zfsList answers `zfs list`. It hands the call to zfs-fuse unless it
// needs -p, an emulated column, an OpenZFS type name or OpenZFS's
// "snapshots of this filesystem" reading of -t snapshot.
func (s *Shim) zfsList(args []string) (int, bool) {
	p, err := parseOpts(args, optSpec{bools: "rHp", withArg: "dostS"})
	if err != nil {
		return 0, false
	}
	fields := defaultListFields
	if f, ok := p.last('o'); ok {
		fields = f
	}
	if fields == "space" {
		fields = spaceFields
	}
	props := strings.Split(fields, ",")
	var sortKeys []sortKey
	for _, o := range p.opts {
		if o.name == 's' || o.name == 'S' {
			sortKeys = append(sortKeys, sortKey{prop: o.arg, desc: o.name == 'S'})
		}
	}
	types := typeSet{"filesystem": true, "volume": true}
	typeArg, typesGiven := p.last('t')
	if typesGiven {
		ts, ok := parseTypes(typeArg)
		if !ok {
			return 0, false
		}
		types = ts
	} else {
		for _, op := range p.operands {
			if strings.Contains(op, "@") {
				types["snapshot"] = true
			}
		}
	}
	depth, _ := p.last('d')
	recursive := p.has('r')
	snapsOf := types.onlySnapshots() && len(p.operands) > 0 && !recursive && depth == ""

	needed := p.has('p') || snapsOf || (typesGiven && !fuseTypeList(typeArg))
	for _, f := range props {
		needed = needed || shimmedProp(f)
	}
	for _, k := range sortKeys {
		needed = needed || shimmedProp(k.prop)
	}
	if !needed {
		if p.has('H') {
			return 0, false
		}
		// zfs-fuse prints "no datasets available" on stdout; OpenZFS on
		// stderr, where it can't be mistaken for a dataset.
		res := s.Real.Run(ZFS, append([]string{"list"}, args...))
		if string(res.Stdout) == noDatasets {
			res.Stdout, res.Stderr = nil, append([]byte(noDatasets), res.Stderr...)
		}
		return s.forward(res), true
	}

	if snapsOf {
		// OpenZFS lists the snapshots of each named filesystem.
		depth = "1"
	}
	q := dsQuery{parsable: p.has('p'), recursive: recursive, depth: depth, operands: p.operands}
	for _, f := range props {
		if f != "name" {
			q.props = append(q.props, f)
		}
	}
	for _, k := range sortKeys {
		if k.prop != "name" {
			q.props = append(q.props, k.prop)
		}
	}
	found, res, err := s.query(q)
	if err != nil {
		fmt.Fprintf(s.Stderr, "zfs: %v\n", err)
		return 1, true
	}
	if res.Code == 2 {
		return s.forward(res), true
	}

	explicit := !recursive && depth == ""
	var kept []dataset
	var refused []string
	for _, d := range found {
		if types[d.typ] {
			kept = append(kept, d)
		} else if explicit && slices.Contains(p.operands, d.name) {
			refused = append(refused, d.name)
		}
	}
	sortDatasets(kept, sortKeys, q.props)

	header := make([]string, len(props))
	right := make([]bool, len(props))
	for i, f := range props {
		header[i] = zfsHeader(canonical(f))
		right[i] = zfsNumeric[canonical(f)]
	}
	var out [][]string
	for _, d := range kept {
		line := make([]string, len(props))
		k := 0
		for i, f := range props {
			if f == "name" {
				line[i] = d.name
				continue
			}
			line[i] = d.values[k].value
			k++
		}
		out = append(out, line)
	}
	if len(out) > 0 {
		writeTable(s.Stdout, p.has('H'), header, right, out)
	}
	s.Stderr.Write(res.Stderr)
	code := res.Code
	if len(out) == 0 && !p.has('H') && code == 0 && len(refused) == 0 {
		io.WriteString(s.Stderr, noDatasets)
	}
	for _, name := range refused {
		fmt.Fprintf(s.Stderr, "cannot open '%s': operation not applicable to datasets of this type\n", name)
		code = 1
	}
	return code, true
}

// shimmedProp reports whether a requested property needs the shim's
// answer rather than zfs-fuse's.
func shimmedProp(p string) bool {
	c := canonical(p)
	if c == "compression" || c == jailedProp || c == readonlyProp {
		return true
	}
	_, ok := emulated(c)
	return ok
}

// fuseTypeList reports whether zfs-fuse itself understands a -t argument.
func fuseTypeList(arg string) bool {
	for _, t := range strings.Split(arg, ",") {
		switch t {
		case "filesystem", "snapshot", "volume", "all":
		default:
			return false
		}
	}
	return true
}

type sortKey struct {
	prop string
	desc bool
}

// sortDatasets orders ds by the -s/-S keys; ties keep zfs' own order
// (by name), as OpenZFS falls back to the name.
func sortDatasets(ds []dataset, keys []sortKey, props []string) {
	if len(keys) == 0 {
		return
	}
	index := func(prop string) int {
		for i, p := range props {
			if p == prop {
				return i
			}
		}
		return -1
	}
	slices.SortStableFunc(ds, func(a, b dataset) int {
		for _, k := range keys {
			var c int
			if k.prop == "name" {
				c = strings.Compare(a.name, b.name)
			} else {
				i := index(k.prop)
				c = compareValues(a.values[i].value, b.values[i].value)
			}
			if k.desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return 0
	})
}

// getOutputFields are the fields `zfs get -o` accepts.
var getOutputFields = map[string]bool{"name": true, "property": true, "value": true, "received": true, "source": true}

// zfsGet answers `zfs get`. It hands the call to zfs-fuse unless it uses
// -t, asks for all properties (which must hide the shadow properties and
// add the emulated ones), an emulated property, or a ratio with -p.
func (s *Shim) zfsGet(args []string) (int, bool) {
	p, err := parseOpts(args, optSpec{bools: "rHp", withArg: "dost"})
	if err != nil || len(p.operands) == 0 {
		return 0, false
	}
	fields := []string{"name", "property", "value", "source"}
	if f, ok := p.last('o'); ok {
		if f == "all" {
			fields = []string{"name", "property", "value", "received", "source"}
		} else {
			fields = strings.Split(f, ",")
		}
	}
	for _, f := range fields {
		if !getOutputFields[f] {
			return 0, false
		}
	}
	var sources map[string]bool
	if sarg, ok := p.last('s'); ok {
		sources = map[string]bool{}
		for _, src := range strings.Split(sarg, ",") {
			switch src {
			case "local", "default", "inherited", "temporary", "received", "none":
				sources[src] = true
			default:
				return 0, false
			}
		}
	}
	var types typeSet
	if targ, ok := p.last('t'); ok {
		ts, ok := parseTypes(targ)
		if !ok {
			return 0, false
		}
		types = ts
	}
	propArg := p.operands[0]
	all := propArg == "all"
	props := strings.Split(propArg, ",")
	needed := types != nil || all
	for _, pr := range props {
		c := canonical(pr)
		needed = needed || shimmedProp(pr) || (p.has('p') && (c == "compressratio" || c == "refcompressratio"))
	}
	if !needed {
		return 0, false
	}

	depth, _ := p.last('d')
	if types.onlySnapshots() && len(p.operands) > 1 && !p.has('r') && depth == "" {
		// OpenZFS reads "get -t snapshot PROP FS" as FS's snapshots.
		depth = "1"
	}
	q := dsQuery{parsable: p.has('p'), recursive: p.has('r'), depth: depth, all: all,
		received: slices.Contains(fields, "received"), operands: p.operands[1:]}
	if !all {
		q.props = props
	}
	found, res, err := s.query(q)
	if err != nil {
		fmt.Fprintf(s.Stderr, "zfs: %v\n", err)
		return 1, true
	}
	if res.Code == 2 {
		return s.forward(res), true
	}
	header := make([]string, len(fields))
	right := make([]bool, len(fields))
	for i, f := range fields {
		header[i] = strings.ToUpper(f)
	}
	var out [][]string
	for _, d := range found {
		if types != nil && !types[d.typ] {
			continue
		}
		for _, v := range d.values {
			if sources != nil && !sources[sourceKind(v.source)] {
				continue
			}
			line := make([]string, len(fields))
			for i, f := range fields {
				switch f {
				case "name":
					line[i] = d.name
				case "property":
					line[i] = v.prop
				case "value":
					line[i] = v.value
				case "received":
					line[i] = v.received
				case "source":
					line[i] = v.source
				}
			}
			out = append(out, line)
		}
	}
	if len(out) > 0 {
		writeTable(s.Stdout, p.has('H'), header, right, out)
	}
	s.Stderr.Write(res.Stderr)
	return res.Code, true
}

// sourceKind maps a source column to the word `zfs get -s` filters on.
func sourceKind(src string) string {
	switch {
	case src == "-":
		return "none"
	case strings.HasPrefix(src, "inherited"):
		return "inherited"
	}
	return src
}

// zfsSet runs one zfs-fuse `set` per pair, translated.
func (s *Shim) zfsSet(args []string) (int, bool) {
	p, err := parseOpts(args, optSpec{bools: "u"})
	if err != nil {
		return 0, false
	}
	var pairs []assignment
	var targets []string
	for _, op := range p.operands {
		if a, ok := splitAssignment(op); ok && len(targets) == 0 {
			pairs = append(pairs, a)
			continue
		}
		targets = append(targets, op)
	}
	if len(pairs) == 0 || len(targets) == 0 {
		return 0, false
	}
	real, changed := translateAssignments(pairs)
	if !changed && len(pairs) == 1 && !p.has('u') {
		return 0, false
	}
	code, readonly := 0, false
	for _, a := range real {
		res := s.Real.Run(ZFS, append([]string{"set", a.String()}, targets...))
		if code = s.forward(res); code != 0 {
			break
		}
		readonly = readonly || a.prop == readonlyProp
	}
	// zfs-fuse stores readonly without remounting; OpenZFS applies it to
	// the mount at once. With -u the caller asked for no mounting.
	if readonly && !p.has('u') {
		if c := s.remount(targets); code == 0 {
			code = c
		}
	}
	return code, true
}

// zfsInherit clears a property; for the translated ones it clears what the
// shim stores for them.
func (s *Shim) zfsInherit(args []string) (int, bool) {
	p, err := parseOpts(args, optSpec{bools: "rS"})
	if err != nil || len(p.operands) < 2 {
		return 0, false
	}
	prop, targets := canonical(p.operands[0]), p.operands[1:]
	flags := p.flagArgs("rS")
	inherit := func(prop string) []string {
		return append(append(append([]string{"inherit"}, flags...), prop), targets...)
	}
	switch {
	case prop == "compression":
		if code := s.forward(s.Real.Run(ZFS, inherit("compression"))); code != 0 {
			return code, true
		}
		return s.forward(s.Real.Run(ZFS, inherit(shadowOf(prop)))), true
	case prop == jailedProp:
		return s.Real.Pass(ZFS, inherit(zonedProp)), true
	case prop == readonlyProp:
		if code := s.forward(s.Real.Run(ZFS, inherit(readonlyProp))); code != 0 {
			return code, true
		}
		if code := s.forward(s.Real.Run(ZFS, inherit(shadowOf(prop)))); code != 0 {
			return code, true
		}
		return s.remount(targets), true
	}
	if e, ok := emulated(prop); ok && e.settable {
		return s.Real.Pass(ZFS, inherit(shadowOf(prop))), true
	}
	return 0, false
}

// propOpts reads every -o prop=value of a create, clone or snapshot.
func propOpts(p parsed) ([]assignment, bool) {
	var pairs []assignment
	for _, v := range p.all('o') {
		a, ok := splitAssignment(v)
		if !ok {
			return nil, false
		}
		pairs = append(pairs, a)
	}
	return pairs, true
}

func withPropOpts(argv []string, pairs []assignment) []string {
	for _, a := range pairs {
		argv = append(argv, "-o", a.String())
	}
	return argv
}

// zfsCreate translates -o pairs, emulates -u by unmounting afterwards and
// refuses volumes, which zfs-fuse can't create.
func (s *Shim) zfsCreate(args []string) (int, bool) {
	p, err := parseOpts(args, optSpec{bools: "pusnvP", withArg: "obV"})
	if err != nil || len(p.operands) != 1 || p.has('n') || p.has('v') || p.has('P') {
		return 0, false
	}
	name := p.operands[0]
	if p.has('V') {
		fmt.Fprintf(s.Stderr, "cannot create '%s': volumes are not supported by zfs-fuse\n", name)
		return 1, true
	}
	pairs, ok := propOpts(p)
	if !ok {
		return 0, false
	}
	real, changed := translateAssignments(pairs)
	if !changed && !p.has('u') {
		return 0, false
	}
	argv := append([]string{"create"}, p.flagArgs("psb")...)
	argv = append(withPropOpts(argv, real), name)
	if code := s.forward(s.Real.Run(ZFS, argv)); code != 0 {
		return code, true
	}
	if p.has('u') {
		// zfs-fuse mounts what it creates; -u asks for the opposite. The
		// dataset may already be unmounted (canmount=off), so the answer
		// doesn't matter.
		s.Real.Run(ZFS, []string{"umount", name})
	}
	return 0, true
}

// zfsClone translates -o pairs.
func (s *Shim) zfsClone(args []string) (int, bool) {
	p, err := parseOpts(args, optSpec{bools: "p", withArg: "o"})
	if err != nil || len(p.operands) != 2 {
		return 0, false
	}
	pairs, ok := propOpts(p)
	if !ok {
		return 0, false
	}
	real, changed := translateAssignments(pairs)
	if !changed {
		return 0, false
	}
	argv := append([]string{"clone"}, p.flagArgs("p")...)
	argv = append(withPropOpts(argv, real), p.operands...)
	return s.Real.Pass(ZFS, argv), true
}

// zfsSnapshot translates -o pairs and takes several snapshots, which
// zfs-fuse refuses ("too many arguments"), one call each. OpenZFS takes
// them atomically; the shim gets close by destroying the ones it made when
// a later one fails.
func (s *Shim) zfsSnapshot(sub string, args []string) (int, bool) {
	p, err := parseOpts(args, optSpec{bools: "r", withArg: "o"})
	if err != nil || len(p.operands) == 0 {
		return 0, false
	}
	pairs, ok := propOpts(p)
	if !ok {
		return 0, false
	}
	real, changed := translateAssignments(pairs)
	if !changed && len(p.operands) == 1 {
		return 0, false
	}
	argv := withPropOpts(append([]string{sub}, p.flagArgs("r")...), real)
	if len(p.operands) == 1 {
		return s.Real.Pass(ZFS, append(argv, p.operands...)), true
	}
	var made []string
	for _, snap := range p.operands {
		res := s.Real.Run(ZFS, append(slices.Clip(argv), snap))
		if res.Code != 0 {
			for _, m := range slices.Backward(made) {
				s.Real.Run(ZFS, append([]string{"destroy"}, append(p.flagArgs("r"), m)...))
			}
			s.forward(res)
			io.WriteString(s.Stderr, "no snapshots were created\n")
			return res.Code, true
		}
		s.Stdout.Write(res.Stdout)
		made = append(made, snap)
	}
	return 0, true
}

// Retry schedule for "dataset is busy": 50 ms doubling to 1 s, 14
// attempts, about 10 s in all. zfs-fuse lets go of a dataset it has just
// unmounted a moment later; a quiet machine never needed more than 4 s,
// and spells of over 7 s were seen with test packages running side by
// side on two cores. Beyond that a busy dataset is a real one (a process
// holding it, a mount jcage forgot), and the error goes back to the
// caller. Every retry is logged (see retryBusy), so a test that leans on
// them shows. Ledger: [zfs-busy].
const (
	busyAttempts = 14
	busyFirst    = 50 * time.Millisecond
	busyMax      = time.Second
)

func busyPause(attempt int) time.Duration {
	d := busyFirst << attempt
	if d > busyMax || d <= 0 {
		return busyMax
	}
	return d
}

// BusyLog is the file, in the simulator's state directory
// (JCAGE_SIM_STATE), that gets one line per busy retry.
const BusyLog = "zfs-busy.log"

// retryBusy logs one retry of argv and pauses before the next attempt.
func (s *Shim) retryBusy(argv []string, attempt int, stderr []byte) {
	pause := busyPause(attempt)
	line := fmt.Sprintf("%s zfs %s: attempt %d busy (%s), retrying in %s\n", time.Now().UTC().Format(time.RFC3339Nano),
		strings.Join(argv, " "), attempt+1, strings.TrimSpace(string(stderr)), pause)
	if dir := os.Getenv("JCAGE_SIM_STATE"); dir != "" {
		if f, err := os.OpenFile(filepath.Join(dir, BusyLog), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644); err == nil {
			f.WriteString(line)
			f.Close()
		}
	}
	s.sleep(pause)
}

// The transient error of zfs-fuse, naming the dataset it holds.
var busyRE = regexp.MustCompile(`cannot [a-z]+ '([^']+)': dataset is busy`)

func transientBusy(stderr []byte) (culprit string, ok bool) {
	m := busyRE.FindSubmatch(stderr)
	if m == nil {
		return "", false
	}
	return string(m[1]), true
}

// heldBusy reports an unmount refused because a process uses the mount.
func heldBusy(stderr []byte) bool {
	e := string(stderr)
	return strings.Contains(e, "umount failed") || strings.Contains(e, "target is busy") || strings.Contains(e, "device is busy")
}

// zfsRetrying runs argv unchanged, retrying while zfs-fuse reports the
// dataset busy.
func (s *Shim) zfsRetrying(argv []string, spec optSpec) (int, bool) {
	if _, err := parseOpts(argv[1:], spec); err != nil {
		return 0, false
	}
	return s.forward(s.runBusy(argv)), true
}

// zfsDestroy retries a destroy that zfs-fuse reports busy, and destroys
// the snapshot lists (fs@a,b) and ranges (fs@a%c) that zfs-fuse doesn't
// understand one snapshot at a time.
func (s *Shim) zfsDestroy(args []string) (int, bool) {
	p, err := parseOpts(args, optSpec{bools: "rRfdnpv"})
	if err != nil || p.has('n') || p.has('p') || p.has('v') || len(p.operands) != 1 {
		return 0, false
	}
	target := p.operands[0]
	fs, snaps, isSnap := strings.Cut(target, "@")
	if !isSnap || !strings.ContainsAny(snaps, ",%") {
		return s.destroyOne(p, target), true
	}
	var names []string
	var existing []string
	for _, part := range strings.Split(snaps, ",") {
		from, to, isRange := strings.Cut(part, "%")
		if !isRange {
			names = append(names, fs+"@"+part)
			continue
		}
		if existing == nil {
			res := s.Real.Run(ZFS, []string{"list", "-H", "-o", "name", "-t", "snapshot", "-d", "1", fs})
			if res.Code != 0 {
				return s.forward(res), true
			}
			existing = strings.Fields(string(res.Stdout))
		}
		// Snapshots list oldest first; a range runs from its first name
		// (or the oldest) to its second (or the newest), inclusive.
		in := from == ""
		for _, e := range existing {
			short := strings.TrimPrefix(e, fs+"@")
			if short == from {
				in = true
			}
			if in {
				names = append(names, e)
			}
			if short == to {
				break
			}
		}
	}
	code, destroyed := 0, 0
	for _, n := range names {
		var stderr strings.Builder
		quiet := &Shim{Real: s.Real, Stdout: s.Stdout, Stderr: &stderr, Sleep: s.Sleep}
		switch c := quiet.destroyOne(p, n); {
		case c == 0:
			destroyed++
		case strings.Contains(stderr.String(), "does not exist") || strings.Contains(stderr.String(), "could not find"):
			// OpenZFS skips names that aren't there.
		default:
			io.WriteString(s.Stderr, stderr.String())
			code = c
		}
	}
	if destroyed == 0 && code == 0 {
		io.WriteString(s.Stderr, "could not find any snapshots to destroy; check snapshot names.\n")
		code = 1
	}
	return code, true
}

// destroyOne destroys one dataset with the flags of p, retrying while
// zfs-fuse reports it busy and unmounting the dataset the error names
// (and, for -r/-R, that dataset's descendants) first.
func (s *Shim) destroyOne(p parsed, name string) int {
	argv := append(append([]string{"destroy"}, p.flagArgs("rRfd")...), name)
	for attempt := 0; ; attempt++ {
		res := s.Real.Run(ZFS, argv)
		culprit, busy := transientBusy(res.Stderr)
		if res.Code == 0 || !busy || attempt == busyAttempts-1 {
			return s.forward(res)
		}
		if !strings.Contains(culprit, "@") {
			if p.has('r') || p.has('R') {
				for _, d := range slices.Backward(s.mountedTree(culprit)) {
					if d != culprit {
						s.Real.Run(ZFS, []string{"umount", d})
					}
				}
			}
			// Answers "not currently mounted" as often as not; either way
			// the next destroy usually goes through.
			s.Real.Run(ZFS, []string{"umount", culprit})
		}
		s.retryBusy(argv, attempt, res.Stderr)
	}
}

// mountedTree lists the mounted filesystems among name and its
// descendants, parents first.
func (s *Shim) mountedTree(name string) []string {
	res := s.Real.Run(ZFS, []string{"list", "-H", "-o", "name,mounted", "-r", "-t", "filesystem", name})
	var out []string
	for _, line := range strings.Split(string(res.Stdout), "\n") {
		n, m, ok := strings.Cut(line, "\t")
		if ok && m == "yes" {
			out = append(out, n)
		}
	}
	return out
}

// zfsRename drops -f and -u, which zfs-fuse lacks, and retries while the
// dataset is busy. zfs-fuse unmounts the tree before renaming, but the
// daemon lets go of an unmounted dataset a moment later, so the rename
// that follows can find it busy, after which zfs-fuse mounts it again and
// the next try races the same way (on a loaded machine, every time). The
// shim therefore unmounts the tree itself, lets the daemon settle, renames
// and mounts the tree again under the new name. With -f it unmounts by
// force (as OpenZFS's -f does) when a process holds a mount; a tree that
// stays busy while unmounted is mounted again, which releases it once the
// holder has left.
func (s *Shim) zfsRename(args []string) (int, bool) {
	p, err := parseOpts(args, optSpec{bools: "fpur"})
	if err != nil || len(p.operands) != 2 {
		return 0, false
	}
	src, dst := p.operands[0], p.operands[1]
	argv := append(append([]string{"rename"}, p.flagArgs("pr")...), src, dst)
	force := p.has('f')
	var unmounted []string // by the shim, parents first
	remount := func(from, to string) {
		var failed []string
		for _, d := range unmounted {
			if s.Real.Run(ZFS, []string{"mount", to + strings.TrimPrefix(d, from)}).Code != 0 {
				failed = append(failed, d)
			}
		}
		unmounted = failed
	}
	for attempt := 0; ; attempt++ {
		res := s.Real.Run(ZFS, argv)
		if res.Code == 0 {
			remount(src, dst)
			return s.forward(res), true
		}
		_, busy := transientBusy(res.Stderr)
		held := force && heldBusy(res.Stderr)
		if !(busy || held) || attempt == busyAttempts-1 {
			remount(src, src)
			return s.forward(res), true
		}
		if !strings.Contains(src, "@") {
			if mounted := s.mountedTree(src); len(mounted) > 0 {
				umount := []string{"umount"}
				if held {
					umount = append(umount, "-f")
				}
				for _, d := range slices.Backward(mounted) {
					if s.Real.Run(ZFS, append(umount, d)).Code == 0 && !slices.Contains(unmounted, d) {
						unmounted = append(unmounted, d)
					}
				}
				slices.Sort(unmounted)
			} else if busy && len(unmounted) > 0 {
				remount(src, src)
			}
		}
		s.retryBusy(argv, attempt, res.Stderr)
	}
}

// zfsSend drops the flags zfs-fuse lacks that only shape the stream (-L
// large blocks, -e embedded data, -c compressed, -w raw) or the process
// title (-V); the receiver accepts the plain stream all the same.
func (s *Shim) zfsSend(args []string) (int, bool) {
	p, err := parseOpts(args, optSpec{bools: "RsDpVvnPLehcwbS", withArg: "iItd"})
	if err != nil || !(p.has('L') || p.has('e') || p.has('c') || p.has('w') || p.has('V')) {
		return 0, false
	}
	argv := append(append([]string{"send"}, p.flagArgs("RsDpvnPhbSiItd")...), p.operands...)
	return s.Real.Pass(ZFS, argv), true
}
