package render

import (
	"strings"

	"github.com/jcage/jcage/internal/lazyregexp"
	"github.com/jcage/jcage/internal/natsort"
)

// Column sets for each table iocage prints. Headers are iocage's, byte for
// byte; keys are the lowercased headers, which are also the names iocage's
// -s accepts. Each function returns a fresh slice.

func jidCol() Column {
	return Column{Header: "JID", Key: "jid", Kind: Int, Compare: CompareJID}
}

func nameCol() Column {
	return Column{Header: "NAME", Key: "name", Compare: CompareName}
}

// ListColumns is plain "list" (and list -t, list -B): the sort keys are
// jid, name, state, release and ip4. Rows hold the full name and release;
// the table shows (and sorts by) iocage's short forms, JSON the full ones.
func ListColumns() []Column {
	name := nameCol()
	name.Display = shortUUID
	return []Column{
		jidCol(),
		name,
		{Header: "STATE", Key: "state", Compare: CompareState},
		{Header: "RELEASE", Key: "release", Compare: natsort.Versions, Display: shortRelease},
		{Header: "IP4", Key: "ip4", Kind: Optional, Compare: CompareIP4},
	}
}

var uuid4 = lazyregexp.New(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// shortUUID is iocage's short list name: a UUID name cut to its first 8
// characters.
func shortUUID(name string) string {
	if uuid4.MatchString(name) {
		return name[:8]
	}
	return name
}

// shortRelease is iocage's short list release: 14.3-RELEASE-p2 shows as
// 14.3-RELEASE.
func shortRelease(rel string) string {
	if parts := strings.SplitN(rel, "-", 3); len(parts) >= 2 {
		return parts[0] + "-" + parts[1]
	}
	return rel
}

// longHead is what list -l and list -P share before their last columns.
func longHead() []Column {
	return []Column{
		jidCol(),
		nameCol(),
		{Header: "BOOT", Key: "boot", Kind: Bool, Compare: CompareBoot},
		{Header: "STATE", Key: "state", Compare: CompareState},
		{Header: "TYPE", Key: "type", Compare: strings.Compare},
		{Header: "RELEASE", Key: "release", Compare: natsort.Versions},
		{Header: "IP4", Key: "ip4", Kind: Optional, Compare: CompareIP4},
		{Header: "IP6", Key: "ip6", Kind: Optional, Compare: CompareIP6},
		{Header: "TEMPLATE", Key: "template", Kind: Optional, Compare: CompareTemplate},
	}
}

// ListLongColumns is "list -l" (and -tl, -Bl). BASEJAIL is not a sort key
// in iocage.
func ListLongColumns() []Column {
	return append(longHead(), Column{Header: "BASEJAIL", Key: "basejail", Kind: Bool})
}

// ListPluginColumns is "list -P", installed plugin jails, always long.
func ListPluginColumns() []Column {
	return append(longHead(),
		Column{Header: "PORTAL", Key: "portal"},
		Column{Header: "DOC_URL", Key: "doc_url", Kind: Optional},
	)
}

// ListQuickColumns is "list -q". iocage ignores -s there and lists in
// dataset order; the keys are offered for callers that choose to sort.
func ListQuickColumns() []Column {
	return []Column{
		nameCol(),
		{Header: "IP4", Key: "ip4", Compare: CompareIP4},
	}
}

// PluginIndexColumns is "list -PR", the remote plugin index. iocage draws
// it 80 columns wide unless -l is given; set Table.MaxWidth to match.
func PluginIndexColumns() []Column {
	return []Column{
		nameCol(),
		{Header: "DESCRIPTION", Key: "description"},
		{Header: "PKG", Key: "pkg"},
		{Header: "ICON", Key: "icon"},
	}
}

// PluginIndexWidth is the max_width iocage gives list -PR without -l.
const PluginIndexWidth = 80

// ReleaseColumns is "list -r", the fetched releases. Sort by "release".
func ReleaseColumns() []Column {
	return []Column{{Header: "Bases fetched", Key: "release", Compare: natsort.Versions}}
}

// DfColumns is "df": compressratio, reservation, quota, used and available
// as zfs get prints them.
func DfColumns() []Column {
	return []Column{
		nameCol(),
		{Header: "CRT", Key: "crt", Compare: CompareRatio},
		{Header: "RES", Key: "res", Compare: CompareSize},
		{Header: "QTA", Key: "qta", Compare: CompareSize},
		{Header: "USE", Key: "use", Compare: CompareSize},
		{Header: "AVA", Key: "ava", Compare: CompareSize},
	}
}

// SnaplistColumns is "snaplist"; allJails adds the leading JAIL column that
// the freebsd/iocage fork prints for "snaplist ALL". iocage's default sort
// key here is "created".
func SnaplistColumns(allJails bool) []Column {
	var cols []Column
	if allJails {
		cols = append(cols, Column{Header: "JAIL", Key: "jail"})
	}
	return append(cols,
		nameCol(),
		Column{Header: "CREATED", Key: "created", Compare: CompareCreated},
		Column{Header: "RSIZE", Key: "rsize", Compare: CompareSize},
		Column{Header: "USED", Key: "used", Compare: CompareSize},
	)
}

// GetRecursiveColumns is "get -r PROP": the header names the property, the
// JSON key does not ("value"), so the schema stays the same for every PROP.
func GetRecursiveColumns(prop string) []Column {
	return []Column{
		nameCol(),
		{Header: "PROP - " + prop, Key: "value"},
	}
}

// FstabColumns is "fstab -l": the entry is the six fstab fields joined by
// tabs, which the table expands to 8-column stops as texttable does.
func FstabColumns() []Column {
	return []Column{
		{Header: "INDEX", Key: "index", Kind: Int},
		{Header: "FSTAB ENTRY", Key: "entry"},
	}
}
