package config

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Marshal returns the config exactly as iocage writes it, which is Python's
// json.dump(data, sort_keys=True, indent=4, ensure_ascii=False): keys sorted
// at every level, four-space indent, ", " never used (the item separator is
// "," at line end), ": " between key and value, no trailing newline.
//
// Strings differ from encoding/json: only '"', '\\' and the C0 controls are
// escaped ("\n", "\r", "\t", "\b", "\f" by name, the rest as lower-case
// "\u00XX"); '/', '<', '>', '&', DEL, U+2028/U+2029 and all non-ASCII text
// are written raw. Numbers are written the way Python reads and re-prints
// them: integers in full, floats in repr form ("1.0", "1e-05", "1e+16"),
// out-of-range floats as Infinity.
func (c *Config) Marshal() []byte {
	var b bytes.Buffer
	encodeValue(&b, c.values, 0)
	return b.Bytes()
}

func encodeValue(b *bytes.Buffer, v any, depth int) {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		if x {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case string:
		encodeString(b, x)
	case json.Number:
		b.WriteString(pyNumber(x))
	case []any:
		if len(x) == 0 {
			b.WriteString("[]")
			return
		}
		b.WriteString("[")
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			newline(b, depth+1)
			encodeValue(b, e, depth+1)
		}
		newline(b, depth)
		b.WriteString("]")
	case map[string]any:
		if len(x) == 0 {
			b.WriteString("{}")
			return
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		// Byte order of UTF-8 equals code point order, which is what
		// Python's sorted() uses for str keys.
		slices.Sort(keys)
		b.WriteString("{")
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			newline(b, depth+1)
			encodeString(b, k)
			b.WriteString(": ")
			encodeValue(b, x[k], depth+1)
		}
		newline(b, depth)
		b.WriteString("}")
	}
}

func newline(b *bytes.Buffer, depth int) {
	b.WriteByte('\n')
	for range depth {
		b.WriteString("    ")
	}
}

const hexDigits = "0123456789abcdef"

func encodeString(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch ch {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			if ch < 0x20 {
				b.WriteString(`\u00`)
				b.WriteByte(hexDigits[ch>>4])
				b.WriteByte(hexDigits[ch&0xf])
			} else {
				b.WriteByte(ch)
			}
		}
	}
	b.WriteByte('"')
}

// pyNumber renders a JSON number literal the way Python's json module
// re-prints it after reading it.
func pyNumber(n json.Number) string {
	num, err := parseNumber(n)
	if err != nil {
		// Values are checked when stored; keep the literal rather than lose it.
		return string(n)
	}
	if num.isInt {
		return num.i.String()
	}
	switch {
	case math.IsNaN(num.f):
		return "NaN"
	case math.IsInf(num.f, 1):
		return "Infinity"
	case math.IsInf(num.f, -1):
		return "-Infinity"
	}
	return pyFloatRepr(num.f)
}

// pyFloatRepr is Python's float.__repr__: the shortest digits that read back
// to f, in positional form when the decimal exponent is in [-4, 16) and
// scientific form ("1e-05", "1.5e+16") otherwise.
func pyFloatRepr(f float64) string {
	s := strconv.FormatFloat(f, 'e', -1, 64) // e.g. "-1.2345e+06"
	sign := ""
	if s[0] == '-' {
		sign, s = "-", s[1:]
	}
	mant, expStr, _ := strings.Cut(s, "e")
	exp, _ := strconv.Atoi(expStr)
	digits := strings.Replace(mant, ".", "", 1)
	if exp < -4 || exp >= 16 {
		m := digits[:1]
		if len(digits) > 1 {
			m += "." + digits[1:]
		}
		es := "+"
		if exp < 0 {
			es, exp = "-", -exp
		}
		e := strconv.Itoa(exp)
		if len(e) < 2 {
			e = "0" + e
		}
		return sign + m + "e" + es + e
	}
	if exp < 0 {
		return sign + "0." + strings.Repeat("0", -exp-1) + digits
	}
	intLen := exp + 1
	if len(digits) <= intLen {
		return sign + digits + strings.Repeat("0", intLen-len(digits)) + ".0"
	}
	return sign + digits[:intLen] + "." + digits[intLen:]
}

// pyStr is Python's str() of a value read by json.load, which is what
// iocage prints for get, list and messages.
func pyStr(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return "None"
	case bool:
		if x {
			return "True"
		}
		return "False"
	case json.Number:
		s := pyNumber(x)
		switch s {
		case "Infinity":
			return "inf"
		case "-Infinity":
			return "-inf"
		case "NaN":
			return "nan"
		}
		return s
	}
	return pyRepr(v)
}

// pyRepr is Python's repr() of a value read by json.load. Object keys come
// out sorted, where Python would keep file order.
func pyRepr(v any) string {
	switch x := v.(type) {
	case string:
		return pyReprString(x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = pyRepr(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = pyReprString(k) + ": " + pyRepr(x[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return pyStr(v)
}

func pyReprString(s string) string {
	quote := byte('\'')
	if strings.ContainsRune(s, '\'') && !strings.ContainsRune(s, '"') {
		quote = '"'
	}
	var b strings.Builder
	b.WriteByte(quote)
	for _, r := range s {
		switch {
		case r == rune(quote) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == utf8.RuneError || (r >= 0x20 && r < 0x7f) || (r >= 0x7f && unicode.IsPrint(r)):
			b.WriteRune(r)
		case r < 0x100:
			b.WriteString(`\x`)
			b.WriteByte(hexDigits[r>>4])
			b.WriteByte(hexDigits[r&0xf])
		case r < 0x10000:
			b.WriteString(`\u` + leftPad(strconv.FormatInt(int64(r), 16), 4))
		default:
			b.WriteString(`\U` + leftPad(strconv.FormatInt(int64(r), 16), 8))
		}
	}
	b.WriteByte(quote)
	return b.String()
}

func leftPad(s string, n int) string {
	if len(s) >= n {
		return s
	}
	return strings.Repeat("0", n-len(s)) + s
}
