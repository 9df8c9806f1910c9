package fbsdsim

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// splitLibxo removes libxo's own arguments (`--libxo json`,
// `--libxo=json,pretty`, `--libxo:J`) from argv, wherever they appear, as
// xo_parse_args does before getopt runs. It returns the output style:
// "text" or "json".
func splitLibxo(args []string) (style string, pretty bool, rest []string, errMsg string) {
	style = "text"
	for i := 0; i < len(args); i++ {
		a := args[i]
		var spec string
		switch {
		case a == "--libxo":
			if i+1 >= len(args) {
				return "", false, nil, "missing libxo option"
			}
			i++
			spec = args[i]
		case strings.HasPrefix(a, "--libxo="):
			spec = a[len("--libxo="):]
		case strings.HasPrefix(a, "--libxo:"):
			spec = a[len("--libxo:"):]
			if strings.Contains(spec, "J") {
				style = "json"
			}
			if strings.Contains(spec, "P") {
				pretty = true
			}
			continue
		default:
			rest = append(rest, a)
			continue
		}
		for _, w := range strings.Split(spec, ",") {
			switch w {
			case "json":
				style = "json"
			case "text":
				style = "text"
			case "pretty":
				pretty = true
			case "warn", "flush", "flush-line", "no-top", "underscores", "dash", "color", "no-color", "keys", "not-first":
			default:
				return "", false, nil, "libxo: unknown libxo option value: '" + w + "'"
			}
		}
	}
	return style, pretty, rest, ""
}

// xoObject builds one JSON object with keys in emission order, the way
// libxo writes them: no spaces inside instances, HTML characters left as
// they are.
type xoObject struct {
	b     strings.Builder
	count int
}

func (o *xoObject) key(k string) {
	if o.count > 0 {
		o.b.WriteByte(',')
	}
	o.count++
	o.b.WriteString(xoQuote(k))
	o.b.WriteByte(':')
}

func (o *xoObject) str(k, v string) { o.key(k); o.b.WriteString(xoQuote(v)) }
func (o *xoObject) num(k string, v int) {
	o.key(k)
	o.b.WriteString(strconv.Itoa(v))
}
func (o *xoObject) boolean(k string, v bool) {
	o.key(k)
	o.b.WriteString(strconv.FormatBool(v))
}
func (o *xoObject) list(k string, vs []string) {
	o.key(k)
	o.b.WriteByte('[')
	for i, v := range vs {
		if i > 0 {
			o.b.WriteByte(',')
		}
		o.b.WriteString(xoQuote(v))
	}
	o.b.WriteByte(']')
}
func (o *xoObject) String() string { return "{" + o.b.String() + "}" }

func xoQuote(s string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	return strings.TrimSuffix(buf.String(), "\n")
}

// xoPretty re-indents a one-line libxo document for --libxo json,pretty.
func xoPretty(doc string) string {
	var out bytes.Buffer
	if err := json.Indent(&out, []byte(doc), "", "  "); err != nil {
		return doc
	}
	return out.String()
}
