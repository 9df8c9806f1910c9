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

// Vis encodes s as strvis(3) does with iocage's flags in a UTF-8 locale:
// blanks, newlines, double quotes, backslashes and shell metacharacters
// become \ooo (a space is \040), other non-graphic bytes \^X, \M-X or
// \M^X, and everything printable stays as it is. After the first byte
// that is not valid UTF-8 the rest is read byte by byte, and then every
// character up to U+00FF is written back as one byte rather than as
// UTF-8, as libc does after a conversion error. (Unlike strvis, a NUL
// does not end the string; it is written \^@, as strvisx writes it.)
func Vis(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	bytewise := false
	raw := !utf8.ValidString(s)
	for i := 0; i < len(s); {
		r, size := rune(s[i]), 1
		if !bytewise && s[i] >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size <= 1 {
				bytewise, r, size = true, rune(s[i]), 1
			}
		}
		i += size
		extra := visExtra(r)
		if !extra && (isGraph(r) || r == ' ' || r == '\t' || r == '\n') {
			if raw && r <= 0xff {
				// libc writes the value's bytes; for a wider character that
				// would put raw control bytes (even a tab) into the field, so
				// jcage writes it as UTF-8 instead.
				b.WriteByte(byte(r))
			} else {
				b.WriteRune(r)
			}
			continue
		}
		// Each byte of the wide character's value, most significant
		// first, leading zero bytes skipped.
		started := false
		for shift := 24; shift >= 0; shift -= 8 {
			c := byte(uint32(r) >> uint(shift))
			if c == 0 && !started && shift > 0 {
				continue
			}
			started = true
			visByte(&b, c, extra)
		}
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

// ErrBadEscape is strunvis(3)'s failure: an escape it does not know, or
// one cut short by the end of the string.
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
// after a backslash, or a string ending inside an escape, is
// ErrBadEscape. Decoding stops at a NUL, as in C.
func Unvis(s string) (string, error) {
	if !strings.Contains(s, `\`) {
		if i := strings.IndexByte(s, 0); i >= 0 {
			return s[:i], nil
		}
		return s, nil
	}
	var out []byte
	state := sGround
	var cp byte
	for i := 0; i < len(s); {
		c := s[i]
		if c == 0 {
			break
		}
		i++
		switch state {
		case sGround:
			if c == '\\' {
				cp, state = 0, sStart
				continue
			}
			out = append(out, c)
		case sStart:
			state = sGround
			switch c {
			case '\\':
				out = append(out, '\\')
			case '0', '1', '2', '3', '4', '5', '6', '7':
				cp, state = c-'0', sOctal2
			case 'M':
				cp, state = 0o200, sMeta
			case '^':
				state = sCtrl
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 'b':
				out = append(out, '\b')
			case 'a':
				out = append(out, '\a')
			case 'v':
				out = append(out, '\v')
			case 't':
				out = append(out, '\t')
			case 'f':
				out = append(out, '\f')
			case 's':
				out = append(out, ' ')
			case 'E':
				out = append(out, 0o33)
			case 'x':
				state = sHex
			case '\n', '$':
				// hidden newline, hidden marker: nothing
			default:
				return string(out), ErrBadEscape
			}
		case sMeta:
			switch c {
			case '-':
				state = sMeta1
			case '^':
				state = sCtrl
			default:
				return string(out), ErrBadEscape
			}
		case sMeta1:
			out, state = append(out, cp|c), sGround
		case sCtrl:
			if c == '?' {
				cp |= 0o177
			} else {
				cp |= c & 0o37
			}
			out, state = append(out, cp), sGround
		case sOctal2, sOctal3:
			if c >= '0' && c <= '7' {
				cp = cp<<3 + (c - '0')
				if state == sOctal2 {
					state = sOctal3
				} else {
					out, state = append(out, cp), sGround
				}
				continue
			}
			// The escape ended early: emit it and read c again.
			out, state = append(out, cp), sGround
			i--
		case sHex:
			if !isHex(c) {
				return string(out), ErrBadEscape
			}
			cp, state = hexVal(c), sHex2
		case sHex2:
			state = sGround
			if isHex(c) {
				out = append(out, hexVal(c)|cp<<4)
				continue
			}
			out = append(out, cp)
			i--
		}
	}
	switch state {
	case sGround:
	case sOctal2, sOctal3, sHex2:
		out = append(out, cp)
	default:
		return string(out), ErrBadEscape
	}
	return string(out), nil
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
