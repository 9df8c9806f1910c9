package render

import (
	"io"
	"strings"
)

// cellWidth is texttable's _len_cell: the widest line of the cell, where a
// tab advances to the next multiple of 8 columns.
func cellWidth(cell string) int {
	widest := 0
	for line := range strings.SplitSeq(cell, "\n") {
		n := 0
		parts := strings.Split(line, "\t")
		for i, part := range parts {
			n += displayWidth(part)
			if i < len(parts)-1 {
				n = (n/8 + 1) * 8
			}
		}
		widest = max(widest, n)
	}
	return widest
}

// cellLines is texttable's _splitit for one cell: each '\n' line wrapped to
// width, and blank lines kept as empty.
func cellLines(cell string, width int) []string {
	var out []string
	for line := range strings.SplitSeq(cell, "\n") {
		if allPySpace([]rune(line)) {
			out = append(out, "")
			continue
		}
		out = append(out, wrapLine(line, width)...)
	}
	return out
}

// columnWidths is texttable's _compute_cols_width. With maxWidth > 0 and a
// table that would be wider, the space is dealt out one column at a time.
func columnWidths(header []string, rows [][]string, maxWidth int) []int {
	widths := make([]int, len(header))
	for i, h := range header {
		widths[i] = cellWidth(h)
	}
	for _, row := range rows {
		for i := range widths {
			widths[i] = max(widths[i], cellWidth(cellAt(row, i)))
		}
	}
	ncols := len(widths)
	content := 0
	for _, w := range widths {
		content += w
	}
	deco := 3*(ncols-1) + 4
	if maxWidth <= 0 || content+deco <= maxWidth {
		return widths
	}
	// Python raises ValueError when even one column each does not fit;
	// give every column what little there is instead.
	available := min(max(maxWidth-deco, ncols), content)
	dealt := make([]int, ncols)
	for i := 0; available > 0; i = (i + 1) % ncols {
		if dealt[i] < widths[i] {
			dealt[i]++
			available--
		}
	}
	return dealt
}

func cellAt(row []string, i int) string {
	if i < len(row) {
		return row[i]
	}
	return ""
}

// writeTexttable draws header and rows exactly as Python's texttable does
// with its default decoration (border, header rule, a rule between rows,
// vertical lines), centred headers and the given data alignment, then adds
// the newline that iocage's logger appends to table.draw().
func writeTexttable(w io.Writer, header []string, align []Align, rows [][]string, maxWidth int) error {
	if len(header) == 0 {
		return nil
	}
	widths := columnWidths(header, rows, maxWidth)
	var b strings.Builder
	rule := func(ch string) {
		b.WriteString("+" + ch)
		for i, wd := range widths {
			if i > 0 {
				b.WriteString(ch + "+" + ch)
			}
			b.WriteString(strings.Repeat(ch, wd))
		}
		b.WriteString(ch + "+\n")
	}
	line := func(cells []string, isHeader bool) {
		wrapped := make([][]string, len(widths))
		height := 0
		for i, wd := range widths {
			wrapped[i] = cellLines(cellAt(cells, i), wd)
			height = max(height, len(wrapped[i]))
		}
		for l := range height {
			b.WriteString("| ")
			for i, wd := range widths {
				if i > 0 {
					b.WriteString(" | ")
				}
				text := ""
				if l < len(wrapped[i]) {
					text = wrapped[i][l]
				}
				a := Center
				if !isHeader && i < len(align) {
					a = align[i]
				}
				pad(&b, text, wd-displayWidth(text), a)
			}
			b.WriteString(" |\n")
		}
	}

	rule("-")
	line(header, true)
	rule("=")
	for i, row := range rows {
		line(row, false)
		if i < len(rows)-1 {
			rule("-")
		}
	}
	rule("-")
	_, err := io.WriteString(w, b.String())
	return err
}

// pad writes text into fill extra columns; a negative fill, from wide
// characters in a wrapped line, pads nothing, as in Python.
func pad(b *strings.Builder, text string, fill int, a Align) {
	fill = max(fill, 0)
	switch a {
	case Right:
		b.WriteString(strings.Repeat(" ", fill))
		b.WriteString(text)
	case Center:
		b.WriteString(strings.Repeat(" ", fill/2))
		b.WriteString(text)
		b.WriteString(strings.Repeat(" ", fill-fill/2))
	default:
		b.WriteString(text)
		b.WriteString(strings.Repeat(" ", fill))
	}
}
