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
)

// Column defines one column for all three formats.
type Column struct {
	Header string // table header, exactly as iocage prints it
	Key    string // JSON key, and the name list -s and friends accept
	Align  Align
	Kind   Kind
	// Compare orders two cells of this column; nil means the column is
	// not a sort key.
	Compare func(a, b string) int
}

// Table is a column definition plus rows of cell text. A row shorter than
// Columns is padded with empty cells; extra cells are ignored.
type Table struct {
	Columns []Column
	Rows    [][]string
	// MaxWidth is texttable's max_width: 0 never wraps, which is what
	// iocage uses everywhere except list -PR without -l (80).
	MaxWidth int
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
	return writeTexttable(w, header, align, t.Rows, t.MaxWidth)
}

// WriteTSV writes iocage's -h output: one line per row, cells joined by a
// single tab, no header. Cells are written raw, as iocage does, so a cell
// holding a tab or newline is the caller's to avoid.
func (t *Table) WriteTSV(w io.Writer) error {
	var b strings.Builder
	for _, row := range t.Rows {
		for i := range t.Columns {
			if i > 0 {
				b.WriteByte('\t')
			}
			b.WriteString(cellAt(row, i))
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSON writes a JSON array with one object per row, keys in column
// order, indented by two spaces and followed by a newline. An empty table
// is "[]".
func (t *Table) WriteJSON(w io.Writer) error {
	var compact bytes.Buffer
	compact.WriteByte('[')
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
			writeJSONValue(&compact, cellAt(row, i), c.Kind)
		}
		compact.WriteByte('}')
	}
	compact.WriteByte(']')
	var out bytes.Buffer
	if err := json.Indent(&out, compact.Bytes(), "", "  "); err != nil {
		return err
	}
	out.WriteByte('\n')
	_, err := w.Write(out.Bytes())
	return err
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
	}
	writeJSONString(b, cell)
}

// writeJSONString quotes s without HTML escaping, so that paths and
// portal URLs with & or < stay readable.
func writeJSONString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	b.Truncate(b.Len() - 1)
}
