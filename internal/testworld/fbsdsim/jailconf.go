package fbsdsim

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// jail.conf(5) as jail(8) reads it (freebsd-interfaces.md §1.7):
// top-level parameters apply to every jail, `NAME { ... }` blocks to one
// jail, `*` and `foo.*` blocks are wildcards; `$var = value;` defines a
// variable; `+=` appends to a list; values are bare words or quoted
// strings, comma-separated; comments are #, // and /* */; `.include`
// reads more files.

// confPart is a piece of a value; pieces written next to each other
// ("a"'b'c) are concatenated.
type confPart struct {
	Text   string
	Expand bool // $var substitution applies (bare words and "..." strings)
}

type confValue []confPart

type confParam struct {
	Name   string
	Values []confValue
	Bare   bool // `name;` without a value
	Append bool // +=
	Line   int
}

type confBlock struct {
	Name   string
	Params []confParam
}

type jailConf struct {
	File   string
	Global []confParam
	Blocks []confBlock
}

// readJailConf reads a jail.conf file; "-" reads stdin.
func readJailConf(path string, stdin io.Reader) (*jailConf, error) {
	var src []byte
	var err error
	if path == "-" {
		src, err = io.ReadAll(stdin)
	} else {
		src, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, err
	}
	c := &jailConf{File: path}
	if err := c.parse(path, src, 0); err != nil {
		return nil, err
	}
	return c, nil
}

type confTok struct {
	kind  byte // 'w' word/string, or one of { } ; , = + (for +=)
	parts confValue
	line  int
	space bool // whitespace or a comment came before this token
}

func lexJailConf(file string, src []byte) ([]confTok, error) {
	var toks []confTok
	line := 1
	space := true
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == '\n':
			line++
			space = true
			i++
			continue
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			space = true
			i++
			continue
		case c == '#' || (c == '/' && i+1 < len(src) && src[i+1] == '/'):
			for i < len(src) && src[i] != '\n' {
				i++
			}
			space = true
			continue
		case c == '/' && i+1 < len(src) && src[i+1] == '*':
			end := strings.Index(string(src[i+2:]), "*/")
			if end < 0 {
				return nil, fmt.Errorf("%s line %d: unterminated comment", file, line)
			}
			line += strings.Count(string(src[i:i+2+end]), "\n")
			i += end + 4
			space = true
			continue
		case c == '{' || c == '}' || c == ';' || c == ',' || c == '=':
			toks = append(toks, confTok{kind: c, line: line, space: space})
			i++
			space = false
			continue
		case c == '+' && i+1 < len(src) && src[i+1] == '=':
			toks = append(toks, confTok{kind: '+', line: line, space: space})
			i += 2
			space = false
			continue
		}
		// A word or string; glue it to the previous one when nothing
		// separated them.
		var part confPart
		start := line
		switch c {
		case '"', '\'':
			var b strings.Builder
			i++
			closed := false
			for i < len(src) {
				ch := src[i]
				if ch == c {
					closed = true
					i++
					break
				}
				if ch == '\n' {
					line++
				}
				if ch == '\\' && i+1 < len(src) && c == '"' {
					i++
					if src[i] == '\n' {
						line++
						i++
						continue
					}
					if src[i] == '$' {
						// Keep an escaped $ literal through expansion.
						b.WriteString("\\$")
					} else {
						b.WriteByte(unescapeConf(src[i]))
					}
					i++
					continue
				}
				b.WriteByte(ch)
				i++
			}
			if !closed {
				return nil, fmt.Errorf("%s line %d: unterminated string", file, start)
			}
			part = confPart{Text: b.String(), Expand: c == '"'}
		default:
			var b strings.Builder
			for i < len(src) {
				ch := src[i]
				if strings.IndexByte(" \t\r\n\f\v{};,=\"'#", ch) >= 0 ||
					(ch == '+' && i+1 < len(src) && src[i+1] == '=') ||
					(ch == '/' && i+1 < len(src) && (src[i+1] == '/' || src[i+1] == '*')) {
					break
				}
				if ch == '\\' && i+1 < len(src) {
					i++
					if src[i] == '\n' {
						line++
						i++
						continue
					}
					if src[i] == '$' {
						b.WriteString("\\$")
					} else {
						b.WriteByte(unescapeConf(src[i]))
					}
					i++
					continue
				}
				// ${x.y} may contain characters that end a bare word.
				if ch == '$' && i+1 < len(src) && src[i+1] == '{' {
					end := strings.IndexByte(string(src[i:]), '}')
					if end < 0 {
						return nil, fmt.Errorf("%s line %d: syntax error", file, line)
					}
					b.Write(src[i : i+end+1])
					i += end + 1
					continue
				}
				b.WriteByte(ch)
				i++
			}
			part = confPart{Text: b.String(), Expand: true}
		}
		if n := len(toks); n > 0 && toks[n-1].kind == 'w' && !space {
			toks[n-1].parts = append(toks[n-1].parts, part)
		} else {
			toks = append(toks, confTok{kind: 'w', parts: confValue{part}, line: start, space: space})
		}
		space = false
	}
	return toks, nil
}

func unescapeConf(c byte) byte {
	switch c {
	case 'n':
		return '\n'
	case 't':
		return '\t'
	case 'r':
		return '\r'
	case 'a':
		return '\a'
	case 'b':
		return '\b'
	case 'f':
		return '\f'
	case 'v':
		return '\v'
	}
	return c
}

func (v confValue) literal() string {
	var b strings.Builder
	for _, p := range v {
		b.WriteString(p.Text)
	}
	return b.String()
}

func (c *jailConf) parse(file string, src []byte, depth int) error {
	toks, err := lexJailConf(file, src)
	if err != nil {
		return err
	}
	syntax := func(t confTok) error { return fmt.Errorf("%s line %d: syntax error", file, t.line) }
	var block *confBlock
	i := 0
	for i < len(toks) {
		t := toks[i]
		switch {
		case t.kind == '}' && block != nil:
			c.Blocks = append(c.Blocks, *block)
			block = nil
			i++
			continue
		case t.kind == ';':
			i++
			continue
		case t.kind != 'w':
			return syntax(t)
		}
		word := t.parts.literal()
		if word == ".include" && block == nil {
			if i+1 >= len(toks) || toks[i+1].kind != 'w' {
				return syntax(t)
			}
			if err := c.include(file, toks[i+1].parts.literal(), depth); err != nil {
				return err
			}
			i += 2
			continue
		}
		if i+1 < len(toks) && toks[i+1].kind == '{' {
			if block != nil {
				// Nested blocks (hierarchical jails) are not simulated.
				return syntax(toks[i+1])
			}
			block = &confBlock{Name: word}
			i += 2
			continue
		}
		p := confParam{Name: word, Line: t.line}
		i++
		if i < len(toks) && (toks[i].kind == '=' || toks[i].kind == '+') {
			p.Append = toks[i].kind == '+'
			i++
			for {
				if i >= len(toks) || toks[i].kind != 'w' {
					// `name = ;` sets an empty value.
					if i < len(toks) && toks[i].kind == ';' && len(p.Values) == 0 {
						p.Values = append(p.Values, confValue{{Text: ""}})
						break
					}
					if i >= len(toks) {
						return fmt.Errorf("%s line %d: syntax error", file, t.line)
					}
					return syntax(toks[i])
				}
				p.Values = append(p.Values, toks[i].parts)
				i++
				if i < len(toks) && toks[i].kind == ',' {
					i++
					continue
				}
				break
			}
		} else {
			p.Bare = true
		}
		if i >= len(toks) || toks[i].kind != ';' {
			if i < len(toks) && toks[i].kind == '}' && block != nil {
				// The last parameter of a block may omit its ';'.
			} else if i >= len(toks) {
				return fmt.Errorf("%s line %d: syntax error", file, t.line)
			} else {
				return syntax(toks[i])
			}
		} else {
			i++
		}
		if block != nil {
			block.Params = append(block.Params, p)
		} else {
			c.Global = append(c.Global, p)
		}
	}
	if block != nil {
		return fmt.Errorf("%s: syntax error: unterminated block %q", file, block.Name)
	}
	return nil
}

func (c *jailConf) include(from, pattern string, depth int) error {
	if depth > 8 {
		return fmt.Errorf("%s: .include nested too deeply", from)
	}
	if !filepath.IsAbs(pattern) {
		pattern = filepath.Join(filepath.Dir(from), pattern)
	}
	files, err := filepath.Glob(pattern)
	if err != nil {
		return fmt.Errorf("%s: %v", pattern, err)
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		if err := c.parse(f, src, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// jailNames lists the jails the file defines (no wildcards), in order.
func (c *jailConf) jailNames() []string {
	var names []string
	seen := map[string]bool{}
	for _, b := range c.Blocks {
		if strings.Contains(b.Name, "*") || seen[b.Name] {
			continue
		}
		seen[b.Name] = true
		names = append(names, b.Name)
	}
	return names
}

func (c *jailConf) has(name string) bool {
	for _, b := range c.Blocks {
		if b.Name == name {
			return true
		}
	}
	return false
}

func wildcardMatches(pattern, name string) bool {
	if pattern == "*" {
		return true
	}
	if prefix, ok := strings.CutSuffix(pattern, ".*"); ok {
		return strings.HasPrefix(name, prefix+".")
	}
	return false
}

// resolve computes the parameters of jail name: the top level first,
// then matching wildcard blocks, then the jail's own blocks; later
// settings override earlier ones and += appends. Variables are expanded
// last, so `path = "/jails/$name"` at the top level works for each jail.
func (c *jailConf) resolve(name string) (*jparams, error) {
	p := newJparams()
	raw := map[string][]confValue{}
	apply := func(params []confParam) {
		for _, cp := range params {
			if strings.HasPrefix(cp.Name, "$") {
				raw[cp.Name] = cp.Values
				continue
			}
			pname, val, isNo := normalizeBoolName(cp.Name)
			switch {
			case isNo:
				p.set(pname, []string{val}, false)
				delete(raw, pname)
			case cp.Bare:
				p.set(pname, nil, true)
				delete(raw, pname)
			case cp.Append:
				raw[pname] = append(raw[pname], cp.Values...)
				p.touch(pname)
			default:
				raw[pname] = append([]confValue(nil), cp.Values...)
				p.touch(pname)
			}
		}
	}
	apply(c.Global)
	for _, b := range c.Blocks {
		if b.Name != name && wildcardMatches(b.Name, name) {
			apply(b.Params)
		}
	}
	for _, b := range c.Blocks {
		if b.Name == name {
			apply(b.Params)
		}
	}
	if _, ok := raw["name"]; !ok && !p.bare["name"] {
		p.set("name", []string{name}, false)
	}
	var expand func(v confValue, depth int) (string, error)
	lookup := func(key string, depth int) (string, error) {
		if depth > 16 {
			return "", fmt.Errorf("%s: %s: variable %q loops", c.File, name, key)
		}
		if vals, ok := raw["$"+key]; ok {
			var out []string
			for _, v := range vals {
				s, err := expand(v, depth+1)
				if err != nil {
					return "", err
				}
				out = append(out, s)
			}
			return strings.Join(out, ","), nil
		}
		if vals, ok := raw[key]; ok {
			var out []string
			for _, v := range vals {
				s, err := expand(v, depth+1)
				if err != nil {
					return "", err
				}
				out = append(out, s)
			}
			return strings.Join(out, ","), nil
		}
		if vs, ok := p.vals[key]; ok {
			return strings.Join(vs, ","), nil
		}
		if p.bare[key] {
			return "", nil
		}
		return "", fmt.Errorf("%s: %s: unknown variable %q", c.File, name, key)
	}
	expand = func(v confValue, depth int) (string, error) {
		var b strings.Builder
		for _, part := range v {
			s := part.Text
			if !part.Expand {
				b.WriteString(s)
				continue
			}
			for i := 0; i < len(s); i++ {
				if s[i] == '\\' && i+1 < len(s) && s[i+1] == '$' {
					b.WriteByte('$')
					i++
					continue
				}
				if s[i] != '$' {
					b.WriteByte(s[i])
					continue
				}
				var key string
				if i+1 < len(s) && s[i+1] == '{' {
					end := strings.IndexByte(s[i:], '}')
					if end < 0 {
						return "", fmt.Errorf("%s: %s: unterminated variable in %q", c.File, name, s)
					}
					key = s[i+2 : i+end]
					i += end
				} else {
					j := i + 1
					for j < len(s) && (isAlnum(s[j]) || s[j] == '_') {
						j++
					}
					key = s[i+1 : j]
					i = j - 1
				}
				if key == "" {
					b.WriteByte('$')
					continue
				}
				val, err := lookup(key, depth)
				if err != nil {
					return "", err
				}
				b.WriteString(val)
			}
		}
		return b.String(), nil
	}
	for _, k := range p.order {
		vals, ok := raw[k]
		if !ok {
			continue
		}
		var out []string
		for _, v := range vals {
			s, err := expand(v, 0)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		p.vals[k] = out
		delete(p.bare, k)
	}
	return p, nil
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// jparams is an ordered parameter set for one jail, as jail(8) collects
// it from the command line or jail.conf before checking it.
type jparams struct {
	order []string
	vals  map[string][]string
	bare  map[string]bool
}

func newJparams() *jparams {
	return &jparams{vals: map[string][]string{}, bare: map[string]bool{}}
}

func (p *jparams) touch(name string) {
	for _, n := range p.order {
		if n == name {
			return
		}
	}
	p.order = append(p.order, name)
}

// set replaces a parameter's values; bare records the boolean spelling.
func (p *jparams) set(name string, vals []string, bare bool) {
	p.touch(name)
	if bare {
		delete(p.vals, name)
		p.bare[name] = true
		return
	}
	delete(p.bare, name)
	p.vals[name] = vals
}

// add appends values (multi-valued parameters).
func (p *jparams) add(name string, vals ...string) {
	p.touch(name)
	delete(p.bare, name)
	p.vals[name] = append(p.vals[name], vals...)
}

func (p *jparams) has(name string) bool {
	_, ok := p.vals[name]
	return ok || p.bare[name]
}

// get returns a single-valued parameter ("" if unset).
func (p *jparams) get(name string) string {
	return strings.Join(p.vals[name], ",")
}

func (p *jparams) list(name string) []string { return p.vals[name] }

// boolean reports a boolean parameter's value (false if unset or invalid).
func (p *jparams) boolean(name string) bool {
	if !p.has(name) {
		return false
	}
	v, msg := importParam(name, p.vals[name], p.bare[name])
	return msg == "" && v == "true"
}

// merge applies q over p (q's single values win, multi-valued append).
func (p *jparams) merge(q *jparams) {
	for _, n := range q.order {
		if q.bare[n] {
			p.set(n, nil, true)
		} else if multiValued(n) {
			p.add(n, q.vals[n]...)
		} else {
			p.set(n, q.vals[n], false)
		}
	}
}
