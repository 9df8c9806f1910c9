package render

import (
	"unicode"

	"github.com/jcage/jcage/internal/natsort"
)

// This file ports the parts of Python's textwrap that texttable leans on.
// With iocage's max_width=0 a cell line only wraps when it has more code
// points than its column is wide, which takes combining marks; list -PR's
// max_width=80 wraps in earnest. Either way the chunking and whitespace
// dropping below decide the exact bytes, so they follow Python 3.11.

// pyIsWord is Python's \w for str patterns: alphanumerics and underscore.
func pyIsWord(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r)
}

// pyIsLetter is textwrap's letter class [^\d\W].
func pyIsLetter(r rune) bool { return pyIsWord(r) && !unicode.IsDigit(r) }

// pyIsWordPunct is textwrap's word_punct class [\w!"'&.,?].
func pyIsWordPunct(r rune) bool {
	switch r {
	case '!', '"', '\'', '&', '.', ',', '?':
		return true
	}
	return pyIsWord(r)
}

// isWrapSpace is textwrap's _whitespace set; only these split chunks.
func isWrapSpace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', ' ':
		return true
	}
	return false
}

func allPySpace(s []rune) bool {
	for _, r := range s {
		if !natsort.IsPySpace(r) {
			return false
		}
	}
	return true
}

// expandTabs is str.expandtabs(8): columns count code points and restart
// after '\r' or '\n'.
func expandTabs(s []rune) []rune {
	out := make([]rune, 0, len(s))
	col := 0
	for _, r := range s {
		switch r {
		case '\t':
			n := 8 - col%8
			for range n {
				out = append(out, ' ')
			}
			col += n
		case '\n', '\r':
			out = append(out, r)
			col = 0
		default:
			out = append(out, r)
			col++
		}
	}
	return out
}

// mungeWhitespace expands tabs, then turns the rest of textwrap's
// whitespace set into spaces.
func mungeWhitespace(s []rune) []rune {
	s = expandTabs(s)
	for i, r := range s {
		if isWrapSpace(r) {
			s[i] = ' '
		}
	}
	return s
}

// splitChunks is textwrap's wordsep_re.split: runs of whitespace, em-dashes
// between words, and words that may break after a hyphen.
func splitChunks(s []rune) [][]rune {
	at := func(i int) rune {
		if i < 0 || i >= len(s) {
			return -1
		}
		return s[i]
	}
	letter := func(i int) bool { r := at(i); return r >= 0 && pyIsLetter(r) }
	word := func(i int) bool { r := at(i); return r >= 0 && pyIsWord(r) }
	// dashesThenWord reports whether -{2,}\w matches at i.
	dashesThenWord := func(i int) (end int, ok bool) {
		j := i
		for at(j) == '-' {
			j++
		}
		if j-i >= 2 && word(j) {
			return j, true
		}
		return 0, false
	}

	var chunks [][]rune
	for i := 0; i < len(s); {
		if isWrapSpace(s[i]) {
			j := i
			for j < len(s) && isWrapSpace(s[j]) {
				j++
			}
			chunks = append(chunks, s[i:j])
			i = j
			continue
		}
		if i > 0 && pyIsWordPunct(s[i-1]) {
			if j, ok := dashesThenWord(i); ok {
				chunks = append(chunks, s[i:j])
				i = j
				continue
			}
		}
		// A word: the shortest run of non-whitespace that ends at a
		// hyphen between letters, before whitespace or the end, or
		// before an em-dash.
		end := len(s)
		for k := i + 1; k <= len(s); k++ {
			if at(k) == '-' &&
				((letter(k-2) && letter(k-1)) || (letter(k-3) && at(k-2) == '-' && letter(k-1))) &&
				letter(k+1) && (letter(k+2) || (at(k+2) == '-' && letter(k+3))) {
				end = k + 1
				break
			}
			if k == len(s) || isWrapSpace(s[k]) {
				end = k
				break
			}
			if pyIsWordPunct(s[k-1]) {
				if _, ok := dashesThenWord(k); ok {
					end = k
					break
				}
			}
		}
		chunks = append(chunks, s[i:end])
		i = end
	}
	return chunks
}

// wrapLine is textwrap.wrap(line, width) with its defaults. Lengths are
// code points, as in Python, not display columns.
func wrapLine(line string, width int) []string {
	chunks := splitChunks(mungeWhitespace([]rune(line)))
	if width < 1 {
		// Python raises here; a zero-width column only holds cells that
		// are blank or zero-width, so keep them unwrapped.
		width = 1
	}
	// Work on the chunks back to front, as textwrap does.
	for i, j := 0, len(chunks)-1; i < j; i, j = i+1, j-1 {
		chunks[i], chunks[j] = chunks[j], chunks[i]
	}
	var lines []string
	for len(chunks) > 0 {
		var cur [][]rune
		curLen := 0
		if len(lines) > 0 && allPySpace(chunks[len(chunks)-1]) {
			chunks = chunks[:len(chunks)-1]
		}
		for len(chunks) > 0 {
			l := len(chunks[len(chunks)-1])
			if curLen+l > width {
				break
			}
			cur = append(cur, chunks[len(chunks)-1])
			chunks = chunks[:len(chunks)-1]
			curLen += l
		}
		if len(chunks) > 0 && len(chunks[len(chunks)-1]) > width {
			cur = breakLongWord(&chunks, cur, curLen, width)
		}
		if len(cur) > 0 && allPySpace(cur[len(cur)-1]) {
			cur = cur[:len(cur)-1]
		}
		if len(cur) > 0 {
			var b []rune
			for _, c := range cur {
				b = append(b, c...)
			}
			lines = append(lines, string(b))
		}
	}
	return lines
}

// breakLongWord is textwrap's _handle_long_word with break_long_words and
// break_on_hyphens set.
func breakLongWord(chunks *[][]rune, cur [][]rune, curLen, width int) [][]rune {
	spaceLeft := width - curLen
	if width < 1 {
		spaceLeft = 1
	}
	cs := *chunks
	chunk := cs[len(cs)-1]
	end := spaceLeft
	if len(chunk) > spaceLeft {
		hyphen := -1
		for i := min(spaceLeft, len(chunk)) - 1; i >= 0; i-- {
			if chunk[i] == '-' {
				hyphen = i
				break
			}
		}
		if hyphen > 0 {
			for _, r := range chunk[:hyphen] {
				if r != '-' {
					end = hyphen + 1
					break
				}
			}
		}
	}
	end = min(end, len(chunk))
	cur = append(cur, chunk[:end])
	cs[len(cs)-1] = chunk[end:]
	return cur
}
