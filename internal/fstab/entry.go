package fstab

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Entry is one fstab(5) line. Source and Dest are held decoded; String
// encodes them. Dest is a host path (under the jail root for a jail's
// fstab), as iocage stores it.
type Entry struct {
	Source  string
	Dest    string
	FSType  string
	Options string
	Dump    int
	Pass    int
	// Added, when set, makes String end with iocage's comment
	// "# Added by iocage on YYYY-MM-DD HH:MM:SS" in UTC. Entries read from
	// a file never carry it: libc drops comments, and so do the rewrites
	// iocage makes on every change.
	Added time.Time
}

// CommentPrefix starts the comment iocage appends to the line it adds.
const CommentPrefix = "# Added by iocage on "

// commentTime is Python's "%F %T".
const commentTime = "2006-01-02 15:04:05"

// String is the line as iocage writes it, without the newline: the six
// fields joined by tabs, Source and Dest vis-encoded, then the comment
// when Added is set.
func (e Entry) String() string {
	s := Vis(e.Source) + "\t" + Vis(e.Dest) + "\t" + e.FSType + "\t" + e.Options + "\t" +
		strconv.Itoa(e.Dump) + "\t" + strconv.Itoa(e.Pass)
	if !e.Added.IsZero() {
		s += " " + CommentPrefix + e.Added.UTC().Format(commentTime)
	}
	return s
}

// Fields returns the six fields decoded, as `fstab -l -h` prints them.
func (e Entry) Fields() []string {
	return []string{e.Source, e.Dest, e.FSType, e.Options, strconv.Itoa(e.Dump), strconv.Itoa(e.Pass)}
}

// Display is the "FSTAB ENTRY" cell of `fstab -l`: the decoded fields
// joined by tabs.
func (e Entry) Display() string { return strings.Join(e.Fields(), "\t") }

// Same reports whether two entries have the same six fields (the comment
// does not count), which is how `fstab -r` matches an entry given in full.
func (e Entry) Same(o Entry) bool {
	return e.Source == o.Source && filepath.Clean(e.Dest) == filepath.Clean(o.Dest) &&
		e.FSType == o.FSType && e.Options == o.Options && e.Dump == o.Dump && e.Pass == o.Pass
}

// ParseFields builds an entry from the six fields a user gives (SRC DST
// FSTYPE OPTIONS DUMP PASS, decoded), checking DUMP and PASS as iocage
// does: each must be a single digit.
func ParseFields(f []string) (Entry, error) {
	if len(f) != 6 {
		return Entry{}, ErrFieldCount
	}
	dump, err := digit("Dump", f[4])
	if err != nil {
		return Entry{}, err
	}
	pass, err := digit("Pass", f[5])
	if err != nil {
		return Entry{}, err
	}
	return Entry{Source: f[0], Dest: f[1], FSType: f[2], Options: f[3], Dump: dump, Pass: pass}, nil
}

// ErrFieldCount is iocage's answer to an entry that is not six fields.
var ErrFieldCount = errors.New("Please specify a valid fstab entry!\n\nExample:\n  /the/source /dest FSTYPE FSOPTIONS FSDUMP FSPASS")

func digit(name, s string) (int, error) {
	if s == "" || strings.Trim(s, "0123456789") != "" {
		return 0, fmt.Errorf("%s: %s must be a digit!", name, s)
	}
	if len(s) > 1 {
		return 0, fmt.Errorf("%s: %s must be one digit long!", name, s)
	}
	return int(s[0] - '0'), nil
}

// BasejailEntry is the line create adds for one base-jail directory: a
// read-only nullfs mount of src (the release's directory) on dst (the
// jail's), with iocage's comment stamped now. Added with Table.Add one
// after the other, as iocage adds them, only the last line keeps its
// comment.
func BasejailEntry(src, dst string, now time.Time) Entry {
	return Entry{Source: src, Dest: dst, FSType: "nullfs", Options: "ro", Added: now}
}

// basejailDirs are the directories a base jail takes read-only from its
// release, in iocage's order.
var basejailDirs = []string{
	"bin", "boot", "lib", "libexec", "rescue", "sbin",
	"usr/bin", "usr/include", "usr/lib", "usr/libexec", "usr/sbin", "usr/share", "usr/libdata", "usr/lib32",
}

// BasejailDirs lists the directories of a base jail made from release:
// 14, or 13 for a -STABLE release, which has no usr/lib32.
func BasejailDirs(release string) []string {
	var out []string
	for _, d := range basejailDirs {
		if d == "usr/lib32" && strings.Contains(release, "-STABLE") {
			continue
		}
		out = append(out, d)
	}
	return out
}
