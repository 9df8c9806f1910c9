package zfsshim

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Zpool runs one `zpool` call.
func (s *Shim) Zpool(args []string) int {
	if len(args) > 0 {
		var code int
		var handled bool
		switch args[0] {
		case "list":
			code, handled = s.zpoolList(args[1:])
		case "get":
			code, handled = s.zpoolGet(args[1:])
		}
		if handled {
			return code
		}
	}
	return s.Real.Pass(Zpool, args)
}

// zpoolValue turns a zfs-fuse pool property value into what OpenZFS
// prints, exact (-p) or not.
func zpoolValue(prop, v string, parsable bool) string {
	if !parsable || v == "-" {
		return v
	}
	switch {
	case zpoolSizeProps[prop]:
		if n, ok := parseHuman(v); ok {
			return strconv.FormatUint(n, 10)
		}
	case prop == "capacity" || prop == "fragmentation":
		return strings.TrimSuffix(v, "%")
	case prop == "dedupratio":
		return strings.TrimSuffix(v, "x")
	}
	return v
}

const defaultZpoolListFields = "name,size,allocated,free,checkpoint,expandsize,fragmentation,capacity,dedupratio,health,altroot"

// zpoolList answers `zpool list -p` and columns zfs-fuse lacks from a plain
// `zpool list -H -o name,...`.
func (s *Shim) zpoolList(args []string) (int, bool) {
	p, err := parseOpts(args, optSpec{bools: "HgLpPv", withArg: "oT"})
	if err != nil || p.has('g') || p.has('L') || p.has('P') || p.has('v') || p.has('T') {
		return 0, false
	}
	for _, op := range p.operands {
		if _, err := strconv.ParseFloat(op, 64); err == nil {
			// An interval: a repeating listing is left to zfs-fuse.
			return 0, false
		}
	}
	fieldArg, given := p.last('o')
	if !given {
		fieldArg = defaultZpoolListFields
	}
	var fields []string
	needed := p.has('p')
	for _, f := range strings.Split(fieldArg, ",") {
		c := zpoolCanonical(f)
		fields = append(fields, c)
		if _, ok := zpoolEmulated[c]; ok {
			needed = true
		}
	}
	if !needed || (!given && !p.has('p')) {
		// A plain `zpool list` keeps zfs-fuse's own columns.
		return 0, false
	}
	real := []string{"name"}
	for _, f := range fields {
		if _, ok := zpoolEmulated[f]; !ok && !slices.Contains(real, f) {
			real = append(real, f)
		}
	}
	res := s.Real.Run(Zpool, append([]string{"list", "-H", "-o", strings.Join(real, ",")}, p.operands...))
	if res.Code != 0 && len(res.Stdout) == 0 {
		return s.forward(res), true
	}
	var rows [][]string
	for _, line := range strings.Split(strings.TrimSuffix(string(res.Stdout), "\n"), "\n") {
		if line == "" {
			continue
		}
		cells := strings.Split(line, "\t")
		if len(cells) != len(real) {
			fmt.Fprintf(s.Stderr, "zpool: unexpected zpool list line %q\n", line)
			return 1, true
		}
		got := map[string]string{}
		for i, f := range real {
			got[f] = cells[i]
		}
		row := make([]string, len(fields))
		for i, f := range fields {
			v, ok := got[f]
			if !ok {
				v = zpoolEmulated[f]
			}
			row[i] = zpoolValue(f, v, p.has('p'))
		}
		rows = append(rows, row)
	}
	header := make([]string, len(fields))
	right := make([]bool, len(fields))
	for i, f := range fields {
		header[i] = zpoolHeader(f)
		right[i] = zpoolNumeric[f]
	}
	if len(rows) > 0 {
		writeTable(s.Stdout, p.has('H'), header, right, rows)
	}
	s.Stderr.Write(res.Stderr)
	return res.Code, true
}

// poolRow is one line of zfs-fuse's `zpool get` table.
type poolRow struct{ name, prop, value, source string }

// parseZpoolGet reads zfs-fuse's `zpool get` table: NAME PROPERTY VALUE
// SOURCE, columns at least two spaces apart but not aligned when a value
// is wider than its column. Names, properties and sources hold no spaces;
// the value is what lies between.
func parseZpoolGet(out []byte) ([]poolRow, error) {
	var rows []poolRow
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	for i, line := range lines {
		if line == "" || (i == 0 && strings.HasPrefix(line, "NAME ")) {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 4 {
			return nil, fmt.Errorf("unexpected zpool get line %q", line)
		}
		rest := strings.TrimSpace(line)
		rest = strings.TrimSpace(rest[len(f[0]):])
		rest = strings.TrimSpace(rest[len(f[1]):])
		src := f[len(f)-1]
		val := strings.TrimSpace(rest[:len(rest)-len(src)])
		rows = append(rows, poolRow{name: f[0], prop: f[1], value: val, source: src})
	}
	return rows, nil
}

// zpoolGet answers `zpool get` with OpenZFS's options (-H, -p, -o), none
// of which zfs-fuse has, and with the properties it lacks.
func (s *Shim) zpoolGet(args []string) (int, bool) {
	p, err := parseOpts(args, optSpec{bools: "Hp", withArg: "o"})
	if err != nil || len(p.operands) == 0 {
		return 0, false
	}
	fields := []string{"name", "property", "value", "source"}
	if f, ok := p.last('o'); ok {
		fields = strings.Split(f, ",")
		for _, f := range fields {
			switch f {
			case "name", "property", "value", "source":
			default:
				return 0, false
			}
		}
	}
	propArg, pools := p.operands[0], p.operands[1:]
	all := propArg == "all"
	var props []string
	needed := len(p.opts) > 0 || all
	if !all {
		for _, pr := range strings.Split(propArg, ",") {
			c := zpoolCanonical(pr)
			props = append(props, c)
			if _, ok := zpoolEmulated[c]; ok {
				needed = true
			}
		}
	}
	if !needed {
		return 0, false
	}

	// "name" first: it is valid for every pool, so the call stays valid
	// when every requested property is emulated.
	real := []string{"name"}
	for _, pr := range props {
		if _, ok := zpoolEmulated[pr]; !ok && !slices.Contains(real, pr) {
			real = append(real, pr)
		}
	}
	realArg := strings.Join(real, ",")
	if all {
		realArg = "all"
	}
	res := s.Real.Run(Zpool, append([]string{"get", realArg}, pools...))
	if res.Code == 2 || (res.Code != 0 && len(res.Stdout) == 0) {
		return s.forward(res), true
	}
	rows, err := parseZpoolGet(res.Stdout)
	if err != nil {
		fmt.Fprintf(s.Stderr, "zpool: %v\n", err)
		return 1, true
	}

	var out [][]string
	emit := func(r poolRow) {
		line := make([]string, len(fields))
		for i, f := range fields {
			switch f {
			case "name":
				line[i] = r.name
			case "property":
				line[i] = r.prop
			case "value":
				line[i] = zpoolValue(r.prop, r.value, p.has('p'))
			case "source":
				line[i] = r.source
			}
		}
		out = append(out, line)
	}
	for i := 0; i < len(rows); {
		j := i
		for j < len(rows) && rows[j].name == rows[i].name {
			j++
		}
		block := rows[i:j]
		i = j
		if all {
			for _, r := range block {
				emit(r)
			}
			for _, pr := range zpoolEmulatedOrder {
				emit(poolRow{name: block[0].name, prop: pr, value: zpoolEmulated[pr], source: "-"})
			}
			continue
		}
		got := map[string]poolRow{}
		for _, r := range block {
			got[r.prop] = r
		}
		for _, pr := range props {
			r, ok := got[pr]
			if !ok {
				r = poolRow{name: block[0].name, prop: pr, value: zpoolEmulated[pr], source: "-"}
			}
			emit(r)
		}
	}
	header := make([]string, len(fields))
	for i, f := range fields {
		header[i] = strings.ToUpper(f)
	}
	if len(out) > 0 {
		writeTable(s.Stdout, p.has('H'), header, make([]bool, len(fields)), out)
	}
	s.Stderr.Write(res.Stderr)
	return res.Code, true
}
