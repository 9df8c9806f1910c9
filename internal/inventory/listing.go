package inventory

import (
	"sort"
	"strconv"
	"strings"

	"github.com/jcage/jcage/internal/config"
	"github.com/jcage/jcage/internal/layout"
	"github.com/jcage/jcage/internal/lazyregexp"
	"github.com/jcage/jcage/internal/natsort"
)

// ListView selects one of iocage's list tables.
type ListView struct {
	Long      bool // -l
	Templates bool // -t: templates only
	Basejails bool // -B: basejail=1 jails only
	Quick     bool // -q
}

var UUID4Name = lazyregexp.New(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// ListRows are the rows of `list` in the chosen view, in inventory
// order, with the columns of render.ListColumns, ListLongColumns (-l) or
// ListQuickColumns (-q).
func (inv *Inventory) ListRows(v ListView) [][]string {
	var rows [][]string
	for _, j := range inv.Jails {
		if j.Template != v.Templates {
			continue
		}
		if v.Basejails && (j.Props == nil || !config.CheckTruthy(j.Prop("basejail"))) {
			continue
		}
		rows = append(rows, inv.listRow(j, v))
	}
	return rows
}

func (inv *Inventory) listRow(j *Jail, v ListView) []string {
	if v.Quick {
		// ioc_list.py list_all_quick: a corrupt jail is "NAME - CORRUPTED"
		// with IP4 N/A; DHCP is the dhcp property or DHCP in ip4_addr.
		if j.Err != nil {
			return []string{j.Name + " - CORRUPTED", "N/A"}
		}
		ip4 := j.Prop("ip4_addr")
		if ip4 == "" {
			ip4 = "none"
		}
		if config.CheckTruthy(j.Prop("dhcp")) || strings.Contains(strings.ToUpper(ip4), "DHCP") {
			ip4 = "DHCP"
		}
		return []string{j.Name, ip4}
	}
	if j.Err != nil {
		if v.Long {
			return []string{"-", j.Name, "N/A", "CORRUPT", "N/A", "N/A", "N/A", "N/A", "N/A", "N/A"}
		}
		return []string{"-", j.Name, "CORRUPT", "N/A", "N/A"}
	}
	jid := "None"
	state := "down"
	if j.Running() {
		jid = strconv.Itoa(j.JID)
		state = "up"
	}
	name := j.Name
	release := j.Prop("release")
	if !v.Long {
		// The table shortens a UUID name and the release (render.ListColumns).
		return []string{jid, name, state, release, shortIP4(j)}
	}
	boot := "off"
	if config.CheckTruthy(j.Prop("boot")) {
		boot = "on"
	}
	basejail := "no"
	if config.CheckTruthy(j.Prop("basejail")) {
		basejail = "yes"
	}
	return []string{jid, name, boot, state, j.Prop("type"), release, longIP4(j), dashNone(j.Prop("ip6_addr")), inv.templateOf(j), basejail}
}

func dashNone(s string) string {
	if s == "" || s == "none" {
		return "-"
	}
	return s
}

// shortIP4 is the short list's IP4 cell: the addresses without interface
// and prefix length.
func shortIP4(j *Jail) string {
	if config.CheckTruthy(j.Prop("dhcp")) {
		return "DHCP"
	}
	raw := j.Prop("ip4_addr")
	if raw == "" || raw == "none" {
		return "-"
	}
	var out []string
	for _, e := range strings.Split(raw, ",") {
		i := strings.IndexByte(e, '|')
		if i < 0 {
			return raw
		}
		a := e[i+1:]
		if k := strings.IndexByte(a, '/'); k >= 0 {
			a = a[:k]
		}
		out = append(out, a)
	}
	return strings.Join(out, ",")
}

func longIP4(j *Jail) string {
	if !config.CheckTruthy(j.Prop("dhcp")) {
		return dashNone(j.Prop("ip4_addr"))
	}
	if !j.Running() {
		return "DHCP (not running)"
	}
	if j.DhcpIP4 != "" {
		return j.DhcpIP4
	}
	return "DHCP (running -- address requires root)"
}

// templateOf names the template a jail was cloned from, or "-".
func (inv *Inventory) templateOf(j *Jail) string {
	if j.Template {
		return "-"
	}
	origin := j.Root.Origin
	if origin == "" {
		return "-"
	}
	ds, _, _ := layout.SplitSnap(origin)
	if owner, ok := layout.RootOwner(ds); ok {
		ds = owner
	}
	name := layout.Base(ds)
	// ioc_list.py tests the reduced name, not the whole origin: a jail
	// named "stable1" cloned from template "web" shows "web".
	low := strings.ToLower(name)
	if strings.Contains(low, "release") || strings.Contains(low, "stable") {
		return "-"
	}
	return name
}

// SortedReleases are the fetched releases in true version order
// (`list -r`).
func (inv *Inventory) SortedReleases() []string {
	rels := append([]string(nil), inv.Releases...)
	sort.SliceStable(rels, func(a, b int) bool { return natsort.Versions(rels[a], rels[b]) < 0 })
	return rels
}

// DfRows are `df`'s rows for every jail and template, with what zfs
// reports exactly: the name, compressratio (without its x),
// reservation, quota, used and available (bytes).
func (inv *Inventory) DfRows() [][]string {
	var rows [][]string
	for _, j := range inv.Jails {
		d := j.Dataset
		rows = append(rows, []string{j.Name,
			strings.TrimSuffix(d.Prop("compressratio"), "x"),
			d.Prop("reservation"),
			d.Prop("quota"),
			strconv.FormatUint(d.Used, 10),
			strconv.FormatUint(d.Avail, 10)})
	}
	return rows
}
