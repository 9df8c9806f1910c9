package zfsshim

import (
	"fmt"
	"strings"
)

// The field lists the shim asks zfs-fuse's `zfs get` for; the caller's
// own -o is applied afterwards. The received column costs zfs-fuse an
// extra lookup per dataset (five times slower over a tree), so it is asked
// for only when wanted.
const (
	getFields         = "name,property,value,source"
	getFieldsReceived = "name,property,value,received,source"
)

// row is one line of `zfs get -H -o name,property,value[,received],source`.
type row struct {
	name, prop, value, received, source string
}

// parseGetRows splits get output. Names, property names, received values
// of native properties and sources hold no TAB, so a value containing one
// is what lies between the fixed fields.
func parseGetRows(out []byte, received bool) ([]row, error) {
	text := string(out)
	rows := make([]row, 0, strings.Count(text, "\n"))
	for text != "" {
		var line string
		line, text, _ = strings.Cut(text, "\n")
		if line == "" {
			continue
		}
		name, rest, ok1 := strings.Cut(line, "\t")
		prop, rest, ok2 := strings.Cut(rest, "\t")
		i := strings.LastIndexByte(rest, '\t')
		if !ok1 || !ok2 || i < 0 {
			return nil, fmt.Errorf("unexpected zfs get line %q", line)
		}
		r := row{name: name, prop: prop, value: rest[:i], received: "-", source: rest[i+1:]}
		if received {
			j := strings.LastIndexByte(r.value, '\t')
			if j < 0 {
				return nil, fmt.Errorf("unexpected zfs get line %q", line)
			}
			r.value, r.received = r.value[:j], r.value[j+1:]
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// dsQuery selects datasets and properties the way list and get do.
type dsQuery struct {
	parsable  bool
	recursive bool
	depth     string // -d argument, "" for none
	all       bool   // "get all"
	received  bool   // the received column is wanted
	props     []string
	operands  []string
}

// value is one property of one dataset as the shim reports it.
type value struct {
	prop, value, received, source string
}

// dataset is one dataset with its requested properties, in request order
// (or, for "all", zfs-fuse's order followed by the emulated ones).
type dataset struct {
	name, typ string
	values    []value
}

// fetch is how one requested property is answered from the real rows.
type fetch struct {
	name     string // reported property name
	native   int    // index into the real property list, -1 if none
	shadow   int    // index of the shadow user property, -1 if none
	emulated bool
	def      string
}

// plan builds the real property list for q.props. Index 0 is always
// "type": it tells the shim each dataset's type and keeps the call valid
// when every requested property is emulated.
func (q dsQuery) plan() (real []string, fetches []fetch) {
	real = []string{"type"}
	add := func(p string) int {
		real = append(real, p)
		return len(real) - 1
	}
	for _, p := range q.props {
		c := canonical(p)
		switch {
		case c == "compression" || c == readonlyProp:
			fetches = append(fetches, fetch{name: c, native: add(c), shadow: add(shadowOf(c))})
		case c == jailedProp:
			fetches = append(fetches, fetch{name: c, native: add(zonedProp), shadow: -1})
		default:
			if e, ok := emulated(c); ok {
				f := fetch{name: c, native: -1, shadow: -1, emulated: true, def: e.def}
				if e.settable {
					f.shadow = add(shadowOf(c))
				}
				fetches = append(fetches, f)
				continue
			}
			fetches = append(fetches, fetch{name: p, native: add(p), shadow: -1})
		}
	}
	return real, fetches
}

// args renders the real `zfs get` argv.
func (q dsQuery) args(real []string) []string {
	a := []string{"get", "-H"}
	if q.parsable {
		a = append(a, "-p")
	}
	if q.received {
		a = append(a, "-o", getFieldsReceived)
	} else {
		a = append(a, "-o", getFields)
	}
	if q.recursive {
		a = append(a, "-r")
	}
	if q.depth != "" {
		a = append(a, "-d", q.depth)
	}
	if q.all {
		a = append(a, "all")
	} else {
		a = append(a, strings.Join(real, ","))
	}
	return append(a, q.operands...)
}

// query runs one real `zfs get` for q and pivots its rows into datasets.
// The Result carries zfs-fuse's stderr and status: datasets found are
// returned even when another operand doesn't exist, as zfs prints what it
// can and then fails.
func (s *Shim) query(q dsQuery) ([]dataset, Result, error) {
	real, fetches := q.plan()
	res := s.Real.Run(ZFS, q.args(real))
	if res.Code == 2 {
		// A usage error (an unknown property or option) prints nothing
		// useful on stdout.
		return nil, res, nil
	}
	rows, err := parseGetRows(res.Stdout, q.received)
	if err != nil {
		return nil, res, err
	}
	var out []dataset
	if q.all {
		out = pivotAll(rows, q.parsable)
	} else {
		out, err = pivot(rows, real, fetches, q.parsable)
	}
	if err == nil {
		s.fillClones(out)
	}
	return out, res, err
}

// pivot groups rows into datasets: zfs get prints, per dataset, one row
// per requested property in request order, so each run of len(real) rows
// is one dataset.
func pivot(rows []row, real []string, fetches []fetch, parsable bool) ([]dataset, error) {
	n := len(real)
	if len(rows)%n != 0 {
		return nil, fmt.Errorf("zfs get printed %d rows for %d properties", len(rows), n)
	}
	var out []dataset
	for i := 0; i < len(rows); i += n {
		block := rows[i : i+n]
		for _, r := range block {
			if r.name != block[0].name {
				return nil, fmt.Errorf("zfs get rows out of order at %q", r.name)
			}
		}
		d := dataset{name: block[0].name, typ: block[0].value}
		for _, f := range fetches {
			d.values = append(d.values, f.answer(block, parsable))
		}
		out = append(out, d)
	}
	return out, nil
}

func (f fetch) answer(block []row, parsable bool) value {
	var shadow *row
	if f.shadow >= 0 && block[f.shadow].value != "-" {
		shadow = &block[f.shadow]
	}
	if f.emulated {
		if shadow != nil {
			return value{prop: f.name, value: shadow.value, received: shadow.received, source: shadow.source}
		}
		src := "-"
		if f.shadow >= 0 {
			src = "default"
		}
		return value{prop: f.name, value: f.def, received: "-", source: src}
	}
	r := block[f.native]
	v := value{prop: r.prop, value: r.value, received: r.received, source: r.source}
	switch f.name {
	case jailedProp, "compression":
		v.prop = f.name
	case readonlyProp:
		v.prop = f.name
		return configuredReadonly(v, shadow)
	}
	return finish(v, shadow, parsable)
}

// finish applies what every natively answered value needs: the stored
// compression name, and OpenZFS' -p form of ratios.
func finish(v value, compShadow *row, parsable bool) value {
	if v.prop == "compression" && v.value == "on" && compShadow != nil && openzfsOnlyCompression(compShadow.value) {
		v.value = compShadow.value
	}
	if parsable && (v.prop == "compressratio" || v.prop == "refcompressratio") {
		v.value = strings.TrimSuffix(v.value, "x")
	}
	return v
}

// pivotAll groups "get all" rows by dataset, hides the shadow properties,
// renames zoned to jailed and adds the emulated properties after the
// native ones (before the user properties, as OpenZFS orders them).
func pivotAll(rows []row, parsable bool) []dataset {
	var out []dataset
	for i := 0; i < len(rows); {
		j := i
		for j < len(rows) && rows[j].name == rows[i].name {
			j++
		}
		out = append(out, pivotAllOne(rows[i:j], parsable))
		i = j
	}
	return out
}

func pivotAllOne(block []row, parsable bool) dataset {
	d := dataset{name: block[0].name}
	shadows := map[string]*row{}
	for k := range block {
		r := &block[k]
		if name, ok := strings.CutPrefix(r.prop, shadowPrefix); ok && r.value != "-" {
			shadows[name] = r
		}
		if r.prop == "type" {
			d.typ = r.value
		}
	}
	var natives, users []value
	for _, r := range block {
		switch {
		case strings.HasPrefix(r.prop, shadowPrefix):
			continue
		case isUserProp(r.prop):
			users = append(users, value{prop: r.prop, value: r.value, received: r.received, source: r.source})
			continue
		}
		v := value{prop: r.prop, value: r.value, received: r.received, source: r.source}
		switch v.prop {
		case zonedProp:
			v.prop = jailedProp
		case readonlyProp:
			v = configuredReadonly(v, shadows[readonlyProp])
		}
		natives = append(natives, finish(v, shadows["compression"], parsable))
	}
	for _, p := range emulatedOrder {
		e := emulatedProps[p]
		if d.typ == "snapshot" && !e.snap {
			continue
		}
		if !e.settable {
			natives = append(natives, value{prop: p, value: e.def, received: "-", source: "-"})
			continue
		}
		if sh := shadows[p]; sh != nil {
			natives = append(natives, value{prop: p, value: sh.value, received: sh.received, source: sh.source})
			continue
		}
		natives = append(natives, value{prop: p, value: e.def, received: "-", source: "default"})
	}
	d.values = append(natives, users...)
	return d
}

// typeSet is a set of dataset types as zfs -t names them.
type typeSet map[string]bool

// parseTypes reads a -t argument as OpenZFS does (which knows "snap" but
// neither "fs" nor "vol").
func parseTypes(arg string) (typeSet, bool) {
	ts := typeSet{}
	for _, t := range strings.Split(arg, ",") {
		switch t {
		case "filesystem":
			ts["filesystem"] = true
		case "snapshot", "snap":
			ts["snapshot"] = true
		case "volume":
			ts["volume"] = true
		case "bookmark":
			ts["bookmark"] = true
		case "all":
			ts["filesystem"], ts["snapshot"], ts["volume"], ts["bookmark"] = true, true, true, true
		default:
			return nil, false
		}
	}
	return ts, true
}

// onlySnapshots reports whether ts selects only snapshots or only
// bookmarks: then OpenZFS reads a named filesystem as "its snapshots".
func (ts typeSet) onlySnapshots() bool {
	return len(ts) == 1 && (ts["snapshot"] || ts["bookmark"])
}
