package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Align is how data cells sit in their column. Headers are always centred,
// which is texttable's default and what iocage never changes.
type Align int

const (
	Left Align = iota // texttable's default for data cells, used by every iocage table
	Center
	Right
)

// Kind says how a cell becomes a JSON value.
type Kind int

const (
	// Text cells are JSON strings holding exactly the table text.
	Text Kind = iota
	// Int cells are JSON numbers when they are base-10 integers, null when
	// they hold a placeholder ("None", "-" or ""), and strings otherwise.
	Int
	// Optional cells are JSON strings, or null for a placeholder.
	Optional
	// Bool cells are true for on, yes, true and 1, false for off, no,
	// false and 0 (iocage's truthy spellings), null for a placeholder.
	Bool
	// Number cells are JSON numbers: integers, decimals, and ratios as
	// zfs prints them ("1.03x" is 1.03); null for a placeholder or "none".
	Number
)

// SchemaVersion is the version of every --json document's shape. It goes
// up only when a key changes meaning or goes away; new keys may appear
// without it.
const SchemaVersion = 1

// Column defines one column for all three formats.
type Column struct {
	Header string // table header, exactly as iocage prints it
	Key    string // JSON key, and the name list -s and friends accept
	Align  Align
	Kind   Kind
	// Compare orders two cells of this column; nil means the column is
	// not a sort key.
	Compare func(a, b string) int
	// Display, when set, is how the cell is shown in the table and -h
	// rows and compared by Sort; JSON gets the cell itself. Rows then hold
	// the exact value (bytes, the full release) and the table iocage's
	// rendering of it.
	Display func(cell string) string
	// JSON, when set, is the cell's JSON value, given the whole row (a
	// get -r all value is typed by the property in its row); else Kind
	// decides.
	JSON func(cell string, row []string) any
}

// shown is the cell as the table and the -h rows show it.
func (c Column) shown(row []string, i int) string {
	if c.Display != nil {
		return c.Display(cellAt(row, i))
	}
	return cellAt(row, i)
}

// Table is a column definition plus rows of cell text. A row shorter than
// Columns is padded with empty cells; extra cells are ignored.
type Table struct {
	Columns []Column
	Rows    [][]string
	// MaxWidth is texttable's max_width: 0 never wraps, which is what
	// iocage uses everywhere except list -PR without -l (80).
	MaxWidth int
	// JSONKey names the array of rows in the JSON document ("rows" when
	// empty); JSONFields come before it, after "schema_version".
	JSONKey    string
	JSONFields []Field
}

// Field is one top-level key of a JSON document.
type Field struct {
	Key   string
	Value any
}

// Format selects one of the three renderings.
type Format int

const (
	FormatTable Format = iota // iocage's texttable box
	FormatTSV                 // iocage's -h: no header, cells joined by tabs
	FormatJSON                // --json: an array of objects keyed by Column.Key
)

// Add appends a row.
func (t *Table) Add(cells ...string) { t.Rows = append(t.Rows, cells) }

// Write renders t in format f.
func (t *Table) Write(w io.Writer, f Format) error {
	switch f {
	case FormatTable:
		return t.WriteTable(w)
	case FormatTSV:
		return t.WriteTSV(w)
	case FormatJSON:
		return t.WriteJSON(w)
	}
	return fmt.Errorf("render: unknown format %d", f)
}

// WriteTable writes the texttable box, byte for byte what iocage prints,
// including the header-only box for an empty table.
func (t *Table) WriteTable(w io.Writer) error {
	header := make([]string, len(t.Columns))
	align := make([]Align, len(t.Columns))
	for i, c := range t.Columns {
		header[i] = c.Header
		align[i] = c.Align
	}
	return writeTexttable(w, header, align, t.shownRows(), t.MaxWidth)
}

// shownRows is the rows as the table and -h show them.
func (t *Table) shownRows() [][]string {
	display := false
	for _, c := range t.Columns {
		display = display || c.Display != nil
	}
	if !display {
		return t.Rows
	}
	out := make([][]string, len(t.Rows))
	for r, row := range t.Rows {
		out[r] = make([]string, len(t.Columns))
		for i, c := range t.Columns {
			out[r][i] = c.shown(row, i)
		}
	}
	return out
}

// WriteTSV writes iocage's -h output: one line per row, cells joined by a
// single tab, no header. Cells are written raw, as iocage does, so a cell
// holding a tab or newline is the caller's to avoid.
func (t *Table) WriteTSV(w io.Writer) error {
	var b strings.Builder
	for _, row := range t.Rows {
		for i, c := range t.Columns {
			if i > 0 {
				b.WriteByte('\t')
			}
			b.WriteString(c.shown(row, i))
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSON writes one JSON object: "schema_version", then JSONFields,
// then the rows as an array (under JSONKey) with one object per row, keys
// in column order, indented by two spaces and followed by a newline.
func (t *Table) WriteJSON(w io.Writer) error {
	var compact bytes.Buffer
	compact.WriteString(`{"schema_version":` + strconv.Itoa(SchemaVersion))
	for _, f := range t.JSONFields {
		compact.WriteByte(',')
		writeJSONString(&compact, f.Key)
		compact.WriteByte(':')
		if err := writeJSONAny(&compact, f.Value); err != nil {
			return err
		}
	}
	key := t.JSONKey
	if key == "" {
		key = "rows"
	}
	compact.WriteByte(',')
	writeJSONString(&compact, key)
	compact.WriteString(":[")
	for r, row := range t.Rows {
		if r > 0 {
			compact.WriteByte(',')
		}
		compact.WriteByte('{')
		for i, c := range t.Columns {
			if i > 0 {
				compact.WriteByte(',')
			}
			writeJSONString(&compact, c.Key)
			compact.WriteByte(':')
			if c.JSON != nil {
				if err := writeJSONAny(&compact, c.JSON(cellAt(row, i), row)); err != nil {
					return err
				}
				continue
			}
			writeJSONValue(&compact, cellAt(row, i), c.Kind)
		}
		compact.WriteByte('}')
	}
	compact.WriteString("]}")
	return writeIndented(w, compact.Bytes())
}

// WriteDocument writes a JSON document that is not a table, in the same
// shape: "schema_version" first, then fields in order, two-space indent,
// a trailing newline.
func WriteDocument(w io.Writer, fields ...Field) error {
	var compact bytes.Buffer
	compact.WriteString(`{"schema_version":` + strconv.Itoa(SchemaVersion))
	for _, f := range fields {
		compact.WriteByte(',')
		writeJSONString(&compact, f.Key)
		compact.WriteByte(':')
		if err := writeJSONAny(&compact, f.Value); err != nil {
			return err
		}
	}
	compact.WriteByte('}')
	return writeIndented(w, compact.Bytes())
}

// writeIndented writes a compact JSON document with two-space indent and
// a trailing newline.
func writeIndented(w io.Writer, compact []byte) error {
	var out bytes.Buffer
	if err := json.Indent(&out, compact, "", "  "); err != nil {
		return err
	}
	out.WriteByte('\n')
	_, err := w.Write(out.Bytes())
	return err
}

func writeJSONAny(b *bytes.Buffer, v any) error {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	b.Truncate(b.Len() - 1)
	return nil
}

// isPlaceholder reports iocage's spellings of "no value": None for a
// stopped jail's JID, - for a missing address, template or JID.
func isPlaceholder(s string) bool { return s == "" || s == "-" || s == "None" }

func writeJSONValue(b *bytes.Buffer, cell string, k Kind) {
	switch k {
	case Int:
		if isPlaceholder(cell) {
			b.WriteString("null")
			return
		}
		if n, err := strconv.ParseInt(cell, 10, 64); err == nil {
			b.WriteString(strconv.FormatInt(n, 10))
			return
		}
	case Optional:
		if isPlaceholder(cell) {
			b.WriteString("null")
			return
		}
	case Bool:
		switch strings.ToLower(cell) {
		case "on", "yes", "true", "1":
			b.WriteString("true")
			return
		case "off", "no", "false", "0":
			b.WriteString("false")
			return
		}
		if isPlaceholder(cell) {
			b.WriteString("null")
			return
		}
	case Number:
		if isPlaceholder(cell) || cell == "none" {
			b.WriteString("null")
			return
		}
		if n, ok := ParseNumber(cell); ok {
			b.WriteString(strconv.FormatFloat(n, 'f', -1, 64))
			return
		}
	}
	writeJSONString(b, cell)
}

// ParseNumber reads a decimal number, or a ratio as zfs prints it
// ("1.03x").
func ParseNumber(s string) (float64, bool) {
	n, err := strconv.ParseFloat(strings.TrimSuffix(s, "x"), 64)
	return n, err == nil
}

// writeJSONString quotes s without HTML escaping, so that paths and
// portal URLs with & or < stay readable.
func writeJSONString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	b.Truncate(b.Len() - 1)
}
