package jail

import (
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/jcage/jcage/internal/lazyregexp"
	"github.com/jcage/jcage/internal/render"
	"github.com/jcage/jcage/internal/zfs"
)

// ListView selects one of iocage's list tables.
type ListView struct {
	Long      bool // -l
	Templates bool // -t: templates only
	Basejails bool // -B: basejail=1 jails only
	Quick     bool // -q
}

var uuid4 = lazyregexp.New(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// ListTable builds `list` in the chosen view.
func (inv *Inventory) ListTable(v ListView) *render.Table {
	t := &render.Table{Columns: render.ListColumns()}
	switch {
	case v.Quick:
		t.Columns = render.ListQuickColumns()
	case v.Long:
		t.Columns = render.ListLongColumns()
	}
	for _, j := range inv.Jails {
		if j.Template != v.Templates {
			continue
		}
		if v.Basejails && (j.Props == nil || !CheckTruthy(j.Prop("basejail"))) {
			continue
		}
		t.Rows = append(t.Rows, inv.listRow(j, v))
	}
	return t
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
		if CheckTruthy(j.Prop("dhcp")) || strings.Contains(strings.ToUpper(ip4), "DHCP") {
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
	if CheckTruthy(j.Prop("boot")) {
		boot = "on"
	}
	basejail := "no"
	if CheckTruthy(j.Prop("basejail")) {
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
	if CheckTruthy(j.Prop("dhcp")) {
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
	if !CheckTruthy(j.Prop("dhcp")) {
		return dashNone(j.Prop("ip4_addr"))
	}
	if !j.Running() {
		return "DHCP (not running)"
	}
	if j.dhcpIP4 != "" {
		return j.dhcpIP4
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
	ds, _, _ := zfs.SplitSnap(origin)
	ds = strings.TrimSuffix(ds, "/root")
	name := zfs.Base(ds)
	// ioc_list.py tests the reduced name, not the whole origin: a jail
	// named "stable1" cloned from template "web" shows "web".
	low := strings.ToLower(name)
	if strings.Contains(low, "release") || strings.Contains(low, "stable") {
		return "-"
	}
	return name
}

// ReleaseTable is `list -r`, in true version order.
func (inv *Inventory) ReleaseTable() *render.Table {
	t := &render.Table{Columns: render.ReleaseColumns()}
	rels := append([]string(nil), inv.Releases...)
	sort.SliceStable(rels, func(a, b int) bool { return render.CompareVersions(rels[a], rels[b]) < 0 })
	for _, r := range rels {
		t.Add(r)
	}
	return t
}

// DfTable is `df`: iocage's columns for every jail and template.
func (inv *Inventory) DfTable() *render.Table {
	t := &render.Table{Columns: render.DfColumns(), JSONKey: "jails"}
	// Rows hold what zfs reports exactly (bytes, the ratio); the table
	// shows it as zfs get does, JSON as numbers, null for no quota or
	// reservation.
	for i, prop := range []string{"compressratio", "reservation", "quota", "used", "available"} {
		c := &t.Columns[i+1]
		c.Display = func(raw string) string { return zfs.HumanProp(prop, raw) }
		c.JSON = func(raw string, _ []string) any { return dfJSON(prop, raw) }
	}
	for _, j := range inv.Jails {
		d := j.Dataset
		t.Add(j.Name,
			strings.TrimSuffix(d.Prop("compressratio"), "x"),
			d.Prop("reservation"),
			d.Prop("quota"),
			strconv.FormatUint(d.Used, 10),
			strconv.FormatUint(d.Avail, 10))
	}
	return t
}

func dfJSON(prop, raw string) any {
	if (prop == "quota" || prop == "reservation") && (raw == "0" || raw == "none") || raw == "" || raw == "-" {
		return nil
	}
	if n, err := strconv.ParseFloat(raw, 64); err == nil {
		return n
	}
	// A size as typed (quota=10G) when zfs did not answer in bytes.
	if i := strings.IndexByte("KMGTPE", raw[len(raw)-1]); i >= 0 {
		if n, err := strconv.ParseFloat(raw[:len(raw)-1], 64); err == nil {
			return math.Round(n * math.Pow(1024, float64(i+1)))
		}
	}
	return raw
}
