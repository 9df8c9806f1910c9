package fstab

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jcage/jcage/internal/atomicfile"
)

// Table is a jail's fstab as libc's getfsent(3) reads it, which is how
// iocage reads it: comments and blank lines are gone, and lines getfsent
// rejects are set aside in Rejected. Writing it back re-serialises every
// entry, as iocage does on every change.
type Table struct {
	Entries  []Entry
	Rejected []Rejected
}

// Rejected is a line getfsent(3) skips with "Inappropriate file type or
// format" (EFTYPE): too few fields, a bad escape, or options without
// rw, ro, rq, sw or xx. iocage drops such lines when it rewrites the file.
type Rejected struct {
	Line int // 1-based
	Text string
}

// Warning is libc's message for the line.
func (r Rejected) Warning(path string) string {
	return fmt.Sprintf("fstab: %s:%d: Inappropriate file type or format", path, r.Line)
}

// Parse reads fstab text as getfsent(3) does. Lines whose options include
// xx are skipped silently, as libc skips them.
func Parse(data []byte) *Table {
	t := &Table{}
	r := bufio.NewReader(bytes.NewReader(data))
	for n := 1; ; n++ {
		line, err := r.ReadString('\n')
		if line == "" && err != nil {
			break
		}
		e, ok, skip := parseLine(line)
		switch {
		case skip:
		case ok:
			t.Entries = append(t.Entries, e)
		default:
			t.Rejected = append(t.Rejected, Rejected{Line: n, Text: strings.TrimRight(line, "\n")})
		}
	}
	return t
}

// parseLine is fstab.c's fstabscan for one line (which still has its
// newline unless it is the last one). It returns the entry, whether it is
// one, and whether the line is to be skipped without complaint.
func parseLine(line string) (e Entry, ok, skip bool) {
	if line == "" || line[0] == '#' || line[0] == '\n' {
		return e, false, true
	}
	if !strings.ContainsAny(line, " \t") {
		return parseOldStyle(line)
	}
	toks := strings.FieldsFunc(line, func(r rune) bool { return r == ' ' || r == '\t' || r == '\n' })
	if len(toks) == 0 || toks[0][0] == '#' {
		return e, false, true
	}
	if len(toks) < 4 {
		return e, false, false
	}
	var err error
	if e.Source, err = Unvis(toks[0]); err != nil {
		return e, false, false
	}
	if e.Dest, err = Unvis(toks[1]); err != nil {
		return e, false, false
	}
	e.FSType, e.Options = toks[2], toks[3]
	if len(toks) > 4 {
		e.Dump = atoi(toks[4])
	}
	if len(toks) > 5 {
		e.Pass = atoi(toks[5])
	}
	switch fsKind(e.Options) {
	case "":
		return e, false, false
	case "xx":
		return e, false, true
	}
	return e, true, false
}

// parseOldStyle reads the colon-separated format of 4.2BSD
// (spec:file:type:freq:passno) that getfsent still accepts on a line
// without blanks.
func parseOldStyle(line string) (e Entry, ok, skip bool) {
	// strsep(3) on ":\n": the newline ends a field like a colon.
	f := strings.Split(strings.ReplaceAll(line, "\n", ":"), ":")
	if len(f) < 5 {
		return e, false, false
	}
	if f[2] == "xx" {
		return e, false, true
	}
	e.Source, e.Dest, e.Options = f[0], f[1], f[2]
	e.FSType = "ufs"
	if f[2] == "sw" {
		e.FSType = "swap"
	}
	e.Dump, e.Pass = atoi(f[3]), atoi(f[4])
	return e, true, false
}

// fsKind is the fs_type getfsent derives from the options: the first
// two-letter option that is rw, rq, ro, sw or xx, or "".
func fsKind(opts string) string {
	for _, o := range strings.Split(opts, ",") {
		switch o {
		case "rw", "rq", "ro", "sw", "xx":
			return o
		}
	}
	return ""
}

// atoi is C's: optional sign, leading digits, 0 when there are none.
func atoi(s string) int {
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	n := 0
	for i := 0; i < len(s) && s[i] >= '0' && s[i] <= '9' && n < 1<<31; i++ {
		n = n*10 + int(s[i]-'0')
	}
	if neg {
		return -n
	}
	return n
}

// Load reads the fstab at path. A missing file is an empty table, as it is
// for getfsent after a failed open.
func Load(path string) (*Table, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &Table{}, nil
	}
	if err != nil {
		return nil, err
	}
	return Parse(data), nil
}

// Bytes is the file iocage writes for t: one line per entry, each ended
// by a newline. Rejected lines are not written, as iocage loses them too.
func (t *Table) Bytes() []byte {
	var b bytes.Buffer
	for _, e := range t.Entries {
		b.WriteString(e.String())
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// Save writes t to path atomically (temp file in the same directory,
// fsync, rename), keeping the mode of the file it replaces (0644 for a
// new one).
func (t *Table) Save(path string) error { return WriteFile(path, t.Bytes()) }

// WriteFile replaces path with data atomically, keeping its mode.
func WriteFile(path string, data []byte) error {
	mode := fs.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil {
		mode = fi.Mode().Perm()
	}
	return atomicfile.Write(path, data, mode)
}

// Add appends e. As in iocage, which re-reads the file before every
// change, the entries already there lose their comments: only the line
// added last carries one.
func (t *Table) Add(e Entry) {
	t.dropComments()
	t.Entries = append(t.Entries, e)
}

// Replace puts e at index i (0-based, file order); only e keeps a comment.
func (t *Table) Replace(i int, e Entry) error {
	if i < 0 || i >= len(t.Entries) {
		return fmt.Errorf("Index %d not found.", i)
	}
	t.dropComments()
	t.Entries[i] = e
	return nil
}

// Remove takes out the entry at index i and returns it; later entries move
// up by one, as in iocage.
func (t *Table) Remove(i int) (Entry, error) {
	if i < 0 || i >= len(t.Entries) {
		return Entry{}, ErrNoMatch
	}
	e := t.Entries[i]
	t.dropComments()
	t.Entries = append(t.Entries[:i:i], t.Entries[i+1:]...)
	return e, nil
}

// ErrNoMatch is iocage's answer when `fstab -r` finds nothing to remove.
var ErrNoMatch = errors.New("No matching fstab entry.")

// Find returns the index of the first entry with e's six fields, or -1.
func (t *Table) Find(e Entry) int {
	for i, o := range t.Entries {
		if o.Same(e) {
			return i
		}
	}
	return -1
}

// IndexOfDest returns the index of the first entry mounted on dest, or -1.
func (t *Table) IndexOfDest(dest string) int {
	dest = filepath.Clean(dest)
	for i, o := range t.Entries {
		if filepath.Clean(o.Dest) == dest {
			return i
		}
	}
	return -1
}

func (t *Table) dropComments() {
	for i := range t.Entries {
		t.Entries[i].Added = time.Time{}
	}
}
