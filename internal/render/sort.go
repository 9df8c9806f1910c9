package render

import (
	"cmp"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jcage/jcage/internal/natsort"
)

// SortError is iocage's refusal of an unknown sort key; its message is the
// one iocage prints.
type SortError struct {
	Key   string   // the key that was asked for
	Valid []string // the keys the table accepts, in column order
}

func (e *SortError) Error() string {
	var b strings.Builder
	b.WriteString("Invalid sort type specified, use one of:")
	for _, k := range e.Valid {
		b.WriteString("\n  " + k)
	}
	return b.String()
}

// SortKeys lists the keys Sort accepts, in column order.
func (t *Table) SortKeys() []string {
	var keys []string
	for _, c := range t.Columns {
		if c.Compare != nil {
			keys = append(keys, c.Key)
		}
	}
	return keys
}

// Sort orders the rows by the column whose Key is key (case-insensitive,
// as iocage lowercases -s), breaking ties by the "name" column as every
// iocage sort does. Rows that still tie keep their order.
func (t *Table) Sort(key string) error {
	key = strings.ToLower(key)
	col, name := -1, -1
	for i, c := range t.Columns {
		if c.Key == key && c.Compare != nil {
			col = i
		}
		if c.Key == "name" && c.Compare != nil {
			name = i
		}
	}
	if col < 0 {
		return &SortError{Key: key, Valid: t.SortKeys()}
	}
	by, cc := t.Columns[col].Compare, t.Columns[col]
	var nc Column
	if name >= 0 {
		nc = t.Columns[name]
	}
	slices.SortStableFunc(t.Rows, func(a, b []string) int {
		if c := by(cc.shown(a, col), cc.shown(b, col)); c != 0 || name < 0 || name == col {
			return c
		}
		return CompareName(nc.shown(a, name), nc.shown(b, name))
	})
	return nil
}

// CompareName orders names as iocage's get_name_sortkey does, so that jails
// made with create -c come out foo_1, foo_2, foo_10. A name is cut at its
// last "_"; names without one sort by their whole text, ahead of any
// name_suffix sharing that text. For cut names the part before the "_"
// compares as text, then a suffix that is an integer comes before one that
// is not, integers compare by value and other suffixes as text. A "/..."
// tail on the suffix (snaplist's SNAP/root) compares last, so a snapshot
// sits just before its /root twin.
func CompareName(a, b string) int {
	ka, kb := nameKey(a), nameKey(b)
	if c := strings.Compare(ka.head, kb.head); c != 0 {
		return c
	}
	if c := cmp.Compare(ka.group, kb.group); c != 0 || ka.group == 0 {
		return c
	}
	if ka.group == groupInt {
		if c := natsort.CompareInts(ka.suffix, kb.suffix); c != 0 {
			return c
		}
	} else if c := strings.Compare(ka.suffix, kb.suffix); c != 0 {
		return c
	}
	return strings.Compare(ka.path, kb.path)
}

const (
	groupWhole = 0  // no "_" in the name
	groupInt   = 10 // the suffix parses as an integer
	groupText  = 20 // any other suffix
	groupNone  = 30 // Python's None, printed as "None"
)

type nameSortKey struct {
	head   string
	group  int
	suffix string // canonical digits for groupInt, text for groupText
	path   string
}

func nameKey(name string) nameSortKey {
	stripped := strings.TrimFunc(name, natsort.IsPySpace)
	i := strings.LastIndexByte(stripped, '_')
	if i < 0 {
		// iocage keeps the unstripped name here.
		return nameSortKey{head: name, group: groupWhole}
	}
	k := nameSortKey{head: stripped[:i]}
	suffix := stripped[i+1:]
	if j := strings.LastIndexByte(suffix, '/'); j >= 0 {
		suffix, k.path = suffix[:j], suffix[j+1:]
	}
	if n, ok := natsort.PyInt(suffix); ok {
		k.group, k.suffix = groupInt, n
	} else {
		k.group, k.suffix = groupText, suffix
	}
	return k
}

// CompareJID puts running jails first in JID order, then text such as "-",
// then "None", as iocage's get_natural_sortkey ranks int, str and None.
func CompareJID(a, b string) int {
	ga, na := jidKey(a)
	gb, nb := jidKey(b)
	if c := cmp.Compare(ga, gb); c != 0 {
		return c
	}
	if ga == groupInt {
		return natsort.CompareInts(na, nb)
	}
	return strings.Compare(na, nb)
}

func jidKey(s string) (int, string) {
	if s == "None" {
		return groupNone, ""
	}
	if n, ok := natsort.PyInt(s); ok {
		return groupInt, n
	}
	return groupText, s
}

// CompareState puts every state but "down" (up, CORRUPT) first.
func CompareState(a, b string) int {
	return cmp.Compare(btoi(a == "down"), btoi(b == "down"))
}

// CompareBoot puts truthy boot values (on, yes, true, 1) first.
func CompareBoot(a, b string) int {
	return cmp.Compare(btoi(!isTruthy(a)), btoi(!isTruthy(b)))
}

// isTruthy is iocage's check_truthy.
func isTruthy(s string) bool {
	switch strings.ToLower(s) {
	case "1", "on", "yes", "true":
		return true
	}
	return false
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// CompareTemplate puts jails made from a template first, by template name;
// "-" (no template) goes last.
func CompareTemplate(a, b string) int {
	if c := cmp.Compare(btoi(a == "-"), btoi(b == "-")); c != 0 || a == "-" {
		return c
	}
	return CompareName(a, b)
}

// CompareIP4 orders by the lowest IPv4 address among a cell's
// comma-separated entries ("iface|addr/prefix", "addr", ...), numerically.
// Cells with no address at all ("-", "DHCP", "none") go last, by text.
func CompareIP4(a, b string) int { return compareIP(a, b, false) }

// CompareIP6 is CompareIP4 for IPv6 addresses. iocage's version of this
// crashes on any address with hex groups or "::"; jcage orders by value.
func CompareIP6(a, b string) int { return compareIP(a, b, true) }

func compareIP(a, b string, v6 bool) int {
	ia, oka := lowestIP(a, v6)
	ib, okb := lowestIP(b, v6)
	switch {
	case oka && okb:
		return ia.Compare(ib)
	case oka:
		return -1
	case okb:
		return 1
	}
	return strings.Compare(a, b)
}

func lowestIP(cell string, v6 bool) (netip.Addr, bool) {
	var best netip.Addr
	found := false
	for entry := range strings.SplitSeq(cell, ",") {
		if parts := strings.Split(entry, "|"); len(parts) > 1 {
			entry = parts[1]
		}
		entry, _, _ = strings.Cut(entry, "/")
		addr, err := netip.ParseAddr(strings.TrimFunc(entry, natsort.IsPySpace))
		if err != nil || addr.Is4() == v6 {
			continue
		}
		addr = addr.WithZone("")
		if !found || addr.Less(best) {
			best, found = addr, true
		}
	}
	return best, found
}

// CompareSize orders ZFS human-readable sizes (512, 81.4K, 1.32G) by
// value; text that is not a size ("none", "-") counts as zero, as in
// iocage. Units are powers of 1024 as ZFS means them; iocage's powers of
// 1000 would put 1023K after 1.00M.
func CompareSize(a, b string) int {
	return cmp.Compare(sizeValue(a), sizeValue(b))
}

func sizeValue(s string) float64 {
	s = strings.TrimSpace(s)
	mult := 1.0
	if s != "" {
		if i := strings.IndexByte("BKMGTPEZ", s[len(s)-1]); i >= 0 {
			s = s[:len(s)-1]
			for range i {
				mult *= 1024
			}
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != f {
		return 0
	}
	return f * mult
}

// CompareRatio orders compressratio values (1.03x) by value, where iocage
// compares them as text and puts 10.00x before 2.00x; non-ratios go last.
func CompareRatio(a, b string) int {
	fa, erra := strconv.ParseFloat(strings.TrimSuffix(a, "x"), 64)
	fb, errb := strconv.ParseFloat(strings.TrimSuffix(b, "x"), 64)
	switch {
	case erra == nil && errb == nil:
		return cmp.Compare(fa, fb)
	case erra == nil:
		return -1
	case errb == nil:
		return 1
	}
	return strings.Compare(a, b)
}

// createdLayout is ZFS's creation property as zfs get prints it, and the
// format iocage parses with strptime("%a %b %d %H:%M %Y").
const createdLayout = "Mon Jan _2 15:04 2006"

// CompareCreated orders snapshot creation times chronologically; values
// that are not such times go last, by text.
func CompareCreated(a, b string) int {
	ta, erra := time.Parse(createdLayout, a)
	tb, errb := time.Parse(createdLayout, b)
	switch {
	case erra == nil && errb == nil:
		return ta.Compare(tb)
	case erra == nil:
		return -1
	case errb == nil:
		return 1
	}
	return strings.Compare(a, b)
}
