package fstab

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The fstab fields that name paths (the source and the mount point) are
// written with strvis(3) and the flags iocage passes,
// VIS_SP|VIS_TAB|VIS_NL|VIS_SHELL|VIS_DQ, and read back with strunvis(3),
// as getfsent(3) does. The code below follows FreeBSD's
// contrib/libc-vis/vis.c and unvis.c for those flags.

// shellChars are VIS_SHELL's characters; with VIS_SP, VIS_TAB, VIS_NL,
// VIS_DQ and the backslash (VIS_NOSLASH unset) they form the "extra" set
// that is always written as a three-digit octal escape.
const shellChars = "'`\";&<>()|{}]\\$!^~"

func visExtra(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '"' || r == '\\' || strings.ContainsRune(shellChars, r)
}

// isGraph stands for iswgraph(3) in a UTF-8 locale: printable and not
// blank. For ASCII this is exactly the C library's class; beyond ASCII it
// is Unicode's graphic class minus white space, which is what FreeBSD's
// UTF-8 ctype tables are generated from.
func isGraph(r rune) bool {
	if r < utf8.RuneSelf {
		return r > ' ' && r < 0x7f
	}
	return unicode.IsGraphic(r) && !unicode.IsSpace(r)
}

// Vis encodes s as strvis(3) does with iocage's flags in a UTF-8 locale,
// except where libc's output would not decode back to the same bytes:
// blanks, newlines, double quotes, backslashes and shell metacharacters
// become \ooo (a space is \040), other ASCII control bytes \^X, and
// printable characters, graphic UTF-8 included, stay as they are. Where
// libc writes the bytes of a non-graphic wide character's value (U+00A0
// as \240, U+2028 as "\040\-(", which strunvis refuses) or, after
// invalid UTF-8, each character's value as one byte, Vis writes every
// byte of the UTF-8 (or invalid) sequence as vis.c's do_mbyte writes one
// byte: \M-X, \M^X or \240. strunvis(3) gives back exactly s either way.
// (Unlike strvis, a NUL does not end the string; it is written \^@, as
// strvisx writes it.)
func Vis(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			visByte(&b, s[i], false)
			i++
			continue
		}
		if r >= utf8.RuneSelf {
			if isGraph(r) {
				b.WriteString(s[i : i+size])
			} else {
				for k := i; k < i+size; k++ {
					visByte(&b, s[k], false)
				}
			}
			i += size
			continue
		}
		i++
		extra := visExtra(r)
		if !extra && isGraph(r) {
			b.WriteByte(byte(r))
			continue
		}
		visByte(&b, byte(r), extra)
	}
	return b.String()
}

// visByte is vis.c's do_mbyte without VIS_CSTYLE, VIS_OCTAL or
// VIS_NOSLASH.
func visByte(b *strings.Builder, c byte, extra bool) {
	if extra || c&0o177 == ' ' {
		b.WriteByte('\\')
		b.WriteByte('0' + (c>>6)&0o3)
		b.WriteByte('0' + (c>>3)&0o7)
		b.WriteByte('0' + c&0o7)
		return
	}
	b.WriteByte('\\')
	if c&0o200 != 0 {
		c &= 0o177
		b.WriteByte('M')
	}
	if c < ' ' || c == 0o177 {
		b.WriteByte('^')
		if c == 0o177 {
			b.WriteByte('?')
		} else {
			b.WriteByte(c + '@')
		}
		return
	}
	b.WriteByte('-')
	b.WriteByte(c)
}

// ErrBadEscape is strunvis(3)'s failure: an escape it does not know.
var ErrBadEscape = errors.New("invalid backslash escape")

// unvis decoder states, as in unvis.c.
const (
	sGround = iota
	sStart
	sMeta
	sMeta1
	sCtrl
	sOctal2
	sOctal3
	sHex
	sHex2
)

// Unvis decodes s as strunvis(3) does: \ooo (one to three octal digits),
// \M-X, \M^X, \^X, \xHH, the C escapes \n \r \b \a \v \t \f, \s (space),
// \E (escape), \\ and the hidden forms \<newline> and \$. Anything else
// after a backslash is ErrBadEscape; a string ending inside an escape is
// not (the unfinished escape is dropped, as strnunvisx does). Decoding stops at a NUL, as in C.
func Unvis(s string) (string, error) {
	if !strings.Contains(s, `\`) {
		if i := strings.IndexByte(s, 0); i >= 0 {
			return s[:i], nil
		}
		return s, nil
	}
	var u unvisDecoder
	for i := 0; i < len(s) && s[i] != 0; {
		again, err := u.step(s[i])
		if err != nil {
			return string(u.out), err
		}
		if !again {
			i++
		}
	}
	// strnunvisx() flushes a pending octal or hex value at the end and
	// ignores the UNVIS_SYNBAD the final UNVIS_END call gives for a string
	// cut inside any other escape: strunvis accepts "a\" as "a".
	switch u.state {
	case sOctal2, sOctal3, sHex2:
		u.out = append(u.out, u.cp)
	}
	return string(u.out), nil
}

// unvisDecoder is unvis(3)'s state machine: the decoded bytes, the state
// and the character an escape is building.
type unvisDecoder struct {
	out   []byte
	state int
	cp    byte
}

// step feeds c to the decoder, as one unvis(3) call does. again is set
// when c ended an octal or hex escape without belonging to it, and must
// be fed again (unvis's UNVIS_VALIDPUSH).
func (u *unvisDecoder) step(c byte) (again bool, err error) {
	switch u.state {
	case sGround:
		if c == '\\' {
			u.cp, u.state = 0, sStart
			return false, nil
		}
		u.out = append(u.out, c)
	case sStart:
		return false, u.escape(c)
	case sMeta:
		switch c {
		case '-':
			u.state = sMeta1
		case '^':
			u.state = sCtrl
		default:
			return false, ErrBadEscape
		}
	case sMeta1:
		u.out, u.state = append(u.out, u.cp|c), sGround
	case sCtrl:
		if c == '?' {
			u.cp |= 0o177
		} else {
			u.cp |= c & 0o37
		}
		u.out, u.state = append(u.out, u.cp), sGround
	case sOctal2, sOctal3:
		if c >= '0' && c <= '7' {
			u.cp = u.cp<<3 + (c - '0')
			if u.state == sOctal2 {
				u.state = sOctal3
			} else {
				u.out, u.state = append(u.out, u.cp), sGround
			}
			return false, nil
		}
		// The escape ended early: emit it and read c again.
		u.out, u.state = append(u.out, u.cp), sGround
		return true, nil
	case sHex:
		if !isHex(c) {
			return false, ErrBadEscape
		}
		u.cp, u.state = hexVal(c), sHex2
	case sHex2:
		u.state = sGround
		if isHex(c) {
			u.out = append(u.out, hexVal(c)|u.cp<<4)
			return false, nil
		}
		u.out = append(u.out, u.cp)
		return true, nil
	}
	return false, nil
}

// escape reads the character after a backslash: it starts a longer
// escape, or stands for one character, or is ErrBadEscape.
func (u *unvisDecoder) escape(c byte) error {
	u.state = sGround
	switch c {
	case '0', '1', '2', '3', '4', '5', '6', '7':
		u.cp, u.state = c-'0', sOctal2
	case 'M':
		u.cp, u.state = 0o200, sMeta
	case '^':
		u.state = sCtrl
	case 'x':
		u.state = sHex
	case '\n', '$':
		// hidden newline, hidden marker: nothing
	default:
		b, ok := singleEscape(c)
		if !ok {
			return ErrBadEscape
		}
		u.out = append(u.out, b)
	}
	return nil
}

// singleEscape is the character \c stands for: a C escape, \s or \E.
func singleEscape(c byte) (byte, bool) {
	switch c {
	case '\\':
		return '\\', true
	case 'n':
		return '\n', true
	case 'r':
		return '\r', true
	case 'b':
		return '\b', true
	case 'a':
		return '\a', true
	case 'v':
		return '\v', true
	case 't':
		return '\t', true
	case 'f':
		return '\f', true
	case 's':
		return ' ', true
	case 'E':
		return 0o33, true
	}
	return 0, false
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func hexVal(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
