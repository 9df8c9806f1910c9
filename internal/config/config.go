package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jcage/jcage/defaults"
	"github.com/jcage/jcage/internal/atomicfile"
)

// Config versions jcage reads. A thin jail config carries no CONFIG_VERSION;
// defaults.json and thick configs do.
const (
	// MinConfigVersion is the version iocage 1.2 writes; older files need
	// iocage's own migration, which also touches datasets.
	MinConfigVersion = 29
	// ConfigVersion is the newest version whose properties jcage knows
	// (the freebsd/iocage fork). Newer files are still read and written
	// unchanged: jcage never lowers CONFIG_VERSION.
	ConfigVersion = defaults.Version
)

// Errors returned when a config cannot be used. Test with errors.Is.
var (
	// ErrCorrupt marks a config.json (or defaults.json) that is not a JSON
	// object; list shows such a jail as CORRUPT.
	ErrCorrupt = errors.New("corrupt configuration")
	// ErrVersion marks a CONFIG_VERSION jcage does not read.
	ErrVersion = errors.New("unsupported CONFIG_VERSION")
)

// CorruptError says which file failed to parse, and why.
type CorruptError struct {
	Path string // empty when parsing bytes
	Err  error
}

func (e *CorruptError) Error() string {
	if e.Path == "" {
		return fmt.Sprintf("corrupt configuration: %v", e.Err)
	}
	return fmt.Sprintf("%s: corrupt configuration: %v", e.Path, e.Err)
}

func (e *CorruptError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrCorrupt) hold.
func (e *CorruptError) Is(target error) bool { return target == ErrCorrupt }

// VersionError reports a CONFIG_VERSION outside what jcage reads.
type VersionError struct {
	Path    string
	Version string
}

func (e *VersionError) Error() string {
	where := "configuration"
	if e.Path != "" {
		where = e.Path
	}
	if _, err := strconv.Atoi(e.Version); err != nil {
		return fmt.Sprintf("%s: CONFIG_VERSION %q is not a number", where, e.Version)
	}
	return fmt.Sprintf("%s: CONFIG_VERSION %s predates %d; run any iocage command as root once to migrate it, then retry",
		where, e.Version, MinConfigVersion)
}

// Is makes errors.Is(err, ErrVersion) hold.
func (e *VersionError) Is(target error) bool { return target == ErrVersion }

// Config is one iocage property file (a jail's config.json or defaults.json):
// a map from property name to the JSON value stored for it, iterated in key
// order. Values keep their JSON type so that a file re-saves byte for byte:
//
//   - string: string
//   - number: json.Number, holding the literal as read
//   - true/false: bool
//   - null: nil (iocage's hostid when /etc/hostid is unreadable)
//   - array / object: []any / map[string]any (only under unknown keys)
//
// Truthy properties (IsTruthy) are held as the integers 0 and 1 after Parse,
// exactly as iocage normalises them on every load; every other value is kept
// as found, including unknown keys and numbers under non-truthy keys.
// A Config is not safe for concurrent use.
type Config struct {
	values     map[string]any
	normalized bool
}

// NewConfig returns an empty Config.
func NewConfig() *Config {
	return &Config{values: map[string]any{}}
}

// ConfigFromMap returns a Config holding a deep copy of m. Values must be of
// the types listed on Config (int is also accepted and stored as a number).
func ConfigFromMap(m map[string]any) (*Config, error) {
	c := NewConfig()
	for k, v := range m {
		if err := c.SetValue(k, v); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Parse decodes a config file and applies iocage's load-time fixes: truthy
// properties become 0/1 and ip4/ip6 "none" becomes "disable". Normalized
// reports whether that changed anything. Bytes that are not one JSON object
// give a *CorruptError; a CONFIG_VERSION below MinConfigVersion (or not a
// number) gives a *VersionError.
func Parse(data []byte) (*Config, error) {
	// encoding/json would silently turn bad bytes into U+FFFD and a re-save
	// would then change them; iocage cannot read such a file at all.
	if !utf8.Valid(data) {
		return nil, &CorruptError{Err: errors.New("not valid UTF-8")}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, &CorruptError{Err: err}
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &CorruptError{Err: errors.New("extra data after the JSON object")}
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, &CorruptError{Err: fmt.Errorf("top level is %s, not an object", jsonKind(v))}
	}
	c := &Config{values: m}
	if err := c.checkVersion(); err != nil {
		return nil, err
	}
	c.normalized = c.fix()
	return c, nil
}

// Load reads and parses the config file at path. A missing file gives an
// error satisfying errors.Is(err, fs.ErrNotExist).
func Load(path string) (*Config, error) {
	data, err := atomicfile.ReadStable(path)
	if err != nil {
		return nil, err
	}
	c, err := Parse(data)
	if err != nil {
		return nil, WithPath(err, path)
	}
	return c, nil
}

func WithPath(err error, path string) error {
	var ce *CorruptError
	if errors.As(err, &ce) {
		return &CorruptError{Path: path, Err: ce.Err}
	}
	var ve *VersionError
	if errors.As(err, &ve) {
		return &VersionError{Path: path, Version: ve.Version}
	}
	return err
}

func (c *Config) checkVersion() error {
	raw, ok := c.values["CONFIG_VERSION"]
	if !ok {
		return nil
	}
	s := pyStr(raw)
	n, err := strconv.Atoi(s)
	if err != nil || n < MinConfigVersion {
		return &VersionError{Version: s}
	}
	return nil
}

// fix applies iocage's fix_properties rules that need no filesystem access
// and reports whether anything changed.
func (c *Config) fix() bool {
	changed := false
	for _, k := range []string{"ip4", "ip6"} {
		if s, ok := c.values[k].(string); ok && s == "none" {
			c.values[k] = "disable"
			changed = true
		}
	}
	for k, v := range c.values {
		if !IsTruthy(k) {
			continue
		}
		want := boolNumber(Truthy(v))
		if n, ok := v.(json.Number); !ok || n != want {
			c.values[k] = want
			changed = true
		}
	}
	return changed
}

// Normalized reports whether Parse rewrote values into iocage's canonical
// form, i.e. whether Marshal differs from the bytes that were parsed even
// before any change. iocage rewrites such a file on its next load.
func (c *Config) Normalized() bool { return c.normalized }

// Keys returns the property names in sorted order.
func (c *Config) Keys() []string {
	keys := make([]string, 0, len(c.values))
	for k := range c.values {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Len returns the number of properties.
func (c *Config) Len() int { return len(c.values) }

// Has reports whether key is stored.
func (c *Config) Has(key string) bool {
	_, ok := c.values[key]
	return ok
}

// Get returns the value of key as iocage prints it (Python's str()):
// strings as they are, numbers as Python writes them, null as "None",
// true/false as "True"/"False".
func (c *Config) Get(key string) (string, bool) {
	v, ok := c.values[key]
	if !ok {
		return "", false
	}
	return pyStr(v), true
}

// Value returns a deep copy of the stored JSON value of key.
func (c *Config) Value(key string) (any, bool) {
	v, ok := c.values[key]
	if !ok {
		return nil, false
	}
	return deepCopy(v), true
}

// Bool reports whether key holds a true value by iocage's rule (Truthy).
// A missing key is false.
func (c *Config) Bool(key string) bool {
	v, ok := c.values[key]
	return ok && Truthy(v)
}

// Set stores value for key as iocage does: the integer 0 or 1 for a truthy
// property (Truthy decides which), a string for everything else. It does
// not validate; see Validate.
func (c *Config) Set(key, value string) {
	if IsTruthy(key) {
		c.values[key] = boolNumber(CheckTruthy(value))
		return
	}
	c.values[key] = value
}

// SetValue stores a JSON value for key (types as listed on Config; int is
// stored as a number). A truthy property is normalised to 0/1.
func (c *Config) SetValue(key string, v any) error {
	v, err := normalizeValue(v)
	if err != nil {
		return fmt.Errorf("property %s: %w", key, err)
	}
	if IsTruthy(key) {
		v = boolNumber(Truthy(v))
	}
	c.values[key] = v
	return nil
}

// Delete removes key.
func (c *Config) Delete(key string) { delete(c.values, key) }

// Clone returns a deep copy of c.
func (c *Config) Clone() *Config {
	return &Config{values: deepCopy(c.values).(map[string]any), normalized: c.normalized}
}

// Version returns CONFIG_VERSION as a number; ok is false when the key is
// absent (a thin jail config) or not a number.
func (c *Config) Version() (v int, ok bool) {
	raw, present := c.values["CONFIG_VERSION"]
	if !present {
		return 0, false
	}
	n, err := strconv.Atoi(pyStr(raw))
	if err != nil {
		return 0, false
	}
	return n, true
}

// Thick reports whether the config holds every property itself
// (CONFIG_TYPE THICK, written by create -C) rather than inheriting from
// defaults.json.
func (c *Config) Thick() bool {
	s, _ := c.values["CONFIG_TYPE"].(string)
	return s == "THICK"
}

// Template reports whether the config belongs to a template.
func (c *Config) Template() bool { return c.Bool("template") }

// Equal reports whether c and o hold the same keys and values.
func (c *Config) Equal(o *Config) bool {
	return bytes.Equal(c.Marshal(), o.Marshal())
}

// Effective overlays the layers in order, later ones winning, and
// normalises truthy properties to 0/1: Effective(defaults, jail) is the view
// iocage's get, list and start use. A thin jail thus follows later changes
// of defaults.json; a thick jail shadows it with its own copy of every key.
// nil layers are skipped.
func Effective(layers ...*Config) *Config {
	out := NewConfig()
	for _, l := range layers {
		if l == nil {
			continue
		}
		for k, v := range l.values {
			out.values[k] = deepCopy(v)
		}
	}
	out.fixTruthy()
	return out
}

func (c *Config) fixTruthy() {
	for k, v := range c.values {
		if IsTruthy(k) {
			c.values[k] = boolNumber(Truthy(v))
		}
	}
}

// GetDisplay returns what `iocage get KEY` prints for key in an effective
// config: last_started "none" reads "never". A key that is not stored gives
// iocage's "KEY is not a valid property!". The pseudo-properties state and
// jid, and the live devfs_ruleset of a running jail, are the caller's.
func GetDisplay(eff *Config, key string) (string, error) {
	v, ok := eff.Get(key)
	if !ok {
		return "", &PropError{Key: key, Err: ErrUnknownProperty, Msg: key + " is not a valid property!"}
	}
	if key == "last_started" && v == "none" {
		return "never", nil
	}
	return v, nil
}

// CheckTruthy is iocage's check_truthy for a string: true for 1, on, yes and
// true in any case, false for everything else.
func CheckTruthy(s string) bool {
	switch strings.ToLower(s) {
	case "1", "on", "yes", "true":
		return true
	}
	return false
}

// Truthy applies CheckTruthy to Python's str() of a stored JSON value, as
// iocage does: the integer 1 and JSON true are true, 2 or 1.0 are not.
func Truthy(v any) bool { return CheckTruthy(pyStr(v)) }

func boolNumber(b bool) json.Number {
	if b {
		return "1"
	}
	return "0"
}

func normalizeValue(v any) (any, error) {
	switch x := v.(type) {
	case nil, bool, string:
		return x, nil
	case json.Number:
		if _, err := parseNumber(x); err != nil {
			return nil, err
		}
		return x, nil
	case int:
		return json.Number(strconv.Itoa(x)), nil
	case int64:
		return json.Number(strconv.FormatInt(x, 10)), nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			n, err := normalizeValue(e)
			if err != nil {
				return nil, err
			}
			out[i] = n
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			n, err := normalizeValue(e)
			if err != nil {
				return nil, err
			}
			out[k] = n
		}
		return out, nil
	}
	return nil, fmt.Errorf("unsupported value type %T", v)
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepCopy(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = deepCopy(e)
		}
		return out
	}
	return v
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case []any:
		return "an array"
	}
	return "an object"
}

// number is a parsed JSON number: an integer of any size, or a float64 as
// Python's json module reads it.
type number struct {
	isInt bool
	i     *big.Int
	f     float64
}

func parseNumber(n json.Number) (number, error) {
	s := string(n)
	if !strings.ContainsAny(s, ".eE") {
		i, ok := new(big.Int).SetString(s, 10)
		if !ok {
			return number{}, fmt.Errorf("invalid number %q", s)
		}
		return number{isInt: true, i: i}, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		// Python reads an out-of-range literal as ±inf.
		var ne *strconv.NumError
		if !errors.As(err, &ne) || ne.Err != strconv.ErrRange {
			return number{}, fmt.Errorf("invalid number %q", s)
		}
	}
	return number{f: f}, nil
}
