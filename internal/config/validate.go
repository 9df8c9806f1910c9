package config

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jcage/jcage/defaults"
	"github.com/jcage/jcage/internal/layout"
	"github.com/jcage/jcage/internal/lazyregexp"
)

// Refusal kinds. Every refusal is a *PropError whose Error() is iocage's
// message for it, and which unwraps to one of these.
var (
	ErrUnknownProperty = errors.New("not a valid property")
	ErrReadOnly        = errors.New("property cannot be changed by the user")
	ErrDefaultOnly     = errors.New("property can only be changed for defaults")
	ErrInvalidValue    = errors.New("invalid property value")
	ErrJailRunning     = errors.New("jail is running")
	ErrNATJailsUp      = errors.New("NAT jails are running")
)

// PropError is a refused property or value.
type PropError struct {
	Key   string
	Value string
	Err   error  // one of the Err* kinds above
	Msg   string // iocage's message, possibly several lines
}

func (e *PropError) Error() string { return e.Msg }
func (e *PropError) Unwrap() error { return e.Err }

// SetContext is what Validate needs to know beyond the key and value.
// Host lookups are functions so that only the properties that need them pay
// for them; a nil function skips that host check.
type SetContext struct {
	// Default is set when the target is the default pseudo-jail.
	Default bool
	// Create is set for properties given to create or clone, which may also
	// set type.
	Create bool
	// Name is the jail's name, used in messages.
	Name string
	// Config is the effective config of the target (Effective(defaults,
	// jail), or defaults alone for Default). It decides whether an unknown
	// key exists and backs the nat/bpf exclusion. May be nil.
	Config *Config
	// Running is set when the jail is running.
	Running bool
	// HostHasNIC reports whether the host has an interface of that name.
	HostHasNIC func(name string) bool
	// HostMaxCPU returns the highest CPU id (from cpuset -g -s 0), or a
	// negative number when unknown.
	HostMaxCPU func() int
	// RacctEnabled reports whether sysctl kern.racct.enable is 1.
	RacctEnabled func() bool
	// ActiveNATJails lists running jails with nat=1; default-only NAT
	// properties cannot change while there are any.
	ActiveNATJails func() []string
}

// ParseAssignment splits a KEY=VALUE argument of set or create. Spaces are
// removed from ip4_addr and ip6_addr values, as iocage does.
func ParseAssignment(arg string) (key, value string, err error) {
	key, value, ok := strings.Cut(arg, "=")
	if !ok {
		return "", "", &PropError{Key: arg, Err: ErrInvalidValue, Msg: Shown(arg) + " is missing a value!"}
	}
	if key == "" {
		// iocage looks the empty name up and answers " is not a valid
		// property!", which names nothing.
		return "", "", &PropError{Value: value, Err: ErrUnknownProperty, Msg: Shown(arg) + " is missing a property name!"}
	}
	if key == "ip4_addr" || key == "ip6_addr" {
		value = strings.ReplaceAll(value, " ", "")
	}
	return key, value, nil
}

// Validate checks one assignment for set (or create, or set on default) and
// returns the value to store, normalised where iocage normalises (truthy
// values become "0"/"1", DEFAULT| is dropped from addresses, bare NAT ports
// become tcp(PORT), a comma between MACs becomes a space, ruleset numbers
// lose leading zeros). Config.Set then stores it with the right JSON type.
//
// Validation is per property and strict where iocage only tests for a
// substring (iocage accepts "bogus1" as a boolean and "x(" as a priority),
// but every value iocage itself writes and every value in its default sets
// passes. Values already on disk are never validated on load.
func Validate(key, value string, ctx SetContext) (string, error) {
	refuse := func(kind error, msg string) (string, error) {
		return "", &PropError{Key: key, Value: value, Err: kind, Msg: msg}
	}
	p, known := Lookup(key)
	stored := ctx.Config != nil && ctx.Config.Has(key)
	switch {
	case !known && ctx.Default && !stored:
		return refuse(ErrUnknownProperty, Shown(key)+" is not a valid property for default!")
	case !known && !stored:
		return refuse(ErrUnknownProperty, Shown(key)+" is not a valid property!")
	case !known:
		return refuse(ErrReadOnly, key+" cannot be changed by the user.")
	case ctx.Default && p.Has(JailOnly):
		return refuse(ErrUnknownProperty, key+" is not a valid property for default!")
	case !ctx.Default && p.Has(DefaultOnly):
		return refuse(ErrDefaultOnly, key+" can only be changed for defaults!")
	case ctx.Default && p.Has(Special):
		// iocage would store template=1 in defaults.json and make every new
		// jail claim to be a template; jcage refuses it.
		return refuse(ErrReadOnly, key+" cannot be changed by the user.")
	case p.Has(ReadOnly) && !(ctx.Create && key == "type"):
		return refuse(ErrReadOnly, key+" cannot be changed by the user.")
	}
	if ctx.Default && p.Has(DefaultOnly) && ctx.ActiveNATJails != nil {
		if up := ctx.ActiveNATJails(); len(up) > 0 {
			lines := make([]string, len(up))
			for i, j := range up {
				lines[i] = "   - " + j
			}
			return refuse(ErrNATJailsUp, key+" cannot be changed with active NAT jails. Please stop the following active jails.\n"+strings.Join(lines, "\n"))
		}
	}
	if !ctx.Default && ctx.Running && p.Has(Stopped) {
		return refuse(ErrJailRunning, RunningMessage(ctx.Name))
	}
	if ctx.Create && key == "type" {
		p = Prop{Name: key, Class: ClassEnum, Enum: []string{"jail", "pluginv2", "plugin"}}
	}
	v, msg := checkClass(p, value, &ctx)
	if msg != "" {
		return refuse(ErrInvalidValue, msg)
	}
	if (key == "nat" || key == "bpf") && v == "1" && ctx.Config != nil {
		other := "nat"
		if key == "nat" {
			other = "bpf"
		}
		if ctx.Config.Bool(other) {
			return refuse(ErrInvalidValue, other+" should be disabled when "+key+" is being enabled.")
		}
	}
	return v, nil
}

// RunningMessage is iocage's refusal for changes that need a stopped jail.
func RunningMessage(name string) string {
	return name + " is running.\nPlease stop it first!"
}

// ChangeMessage is iocage's INFO line after set changed a jail property;
// old and new are as Config.Get prints them (truthy values as 0/1).
func ChangeMessage(key, old, new string) string {
	return key + ": " + old + " -> " + new
}

// DefaultChangeMessage is iocage's INFO line after set changed a property
// of the default pseudo-jail.
func DefaultChangeMessage(key, value string) string {
	return "Default Property: " + key + " has been updated to " + value
}

// TemplateChange checks set template=VALUE against where the jail lives now
// and returns iocage's refusal when nothing would change.
func TemplateChange(name string, isTemplate bool, value string) error {
	want := CheckTruthy(value)
	switch {
	case want && isTemplate:
		return &PropError{Key: "template", Value: value, Err: ErrInvalidValue, Msg: name + " is already a template!"}
	case !want && !isTemplate:
		return &PropError{Key: "template", Value: value, Err: ErrInvalidValue, Msg: name + " is already a jail!"}
	}
	return nil
}

var truthVariations = []string{"0", "1", "off", "on", "no", "yes", "false", "true"}

func invalid(key, value, must string) string {
	return fmt.Sprintf("%s is not a valid value for %s.\n%s", Shown(value), key, must)
}

// checkClass returns the normalised value, or iocage's message on refusal.
func checkClass(p Prop, value string, ctx *SetContext) (string, string) {
	switch p.Class {
	case ClassBool, ClassEnum, ClassUint, ClassInt, ClassRuleset, ClassMTU:
		return checkScalar(p, value)
	case ClassIPList, ClassRouter, ClassIPv4, ClassNATForwards, ClassNATPrefix:
		return checkAddress(p, value)
	case ClassIfacePairs, ClassIface, ClassIfaceList, ClassMACPair, ClassMACPrefix:
		return checkInterface(p, value, ctx)
	case ClassHostname, ClassDomainname, ClassNames, ClassResolver, ClassUUID:
		return checkNaming(p, value, ctx)
	case ClassPath, ClassDatasets, ClassZFSSize, ClassZFSDedup, ClassZFSCompression:
		return checkStorage(p, value, ctx)
	case ClassRCTL:
		return checkRCTL(p.Name, value, ctx)
	case ClassCpuset:
		return checkCpuset(value, ctx)
	case ClassCommand, ClassText:
		return checkFreeText(p, value)
	}
	return "", unchangeable(p.Name)
}

// unchangeable is iocage's refusal of a property without a rule for its
// values.
func unchangeable(key string) string { return key + " cannot be changed by the user." }

// checkScalar checks the classes whose values are a truth value, one of
// a list, or a number in a range.
func checkScalar(p Prop, value string) (string, string) {
	key := p.Name
	switch p.Class {
	case ClassBool:
		if slices.Contains(truthVariations, strings.ToLower(value)) {
			if CheckTruthy(value) {
				return "1", ""
			}
			return "0", ""
		}
		return "", invalid(key, value, "Value must be "+strings.Join(truthVariations, " or "))

	case ClassEnum:
		for _, e := range p.Enum {
			if strings.EqualFold(value, e) {
				return e, ""
			}
		}
		return "", invalid(key, value, "Value must be "+strings.Join(p.Enum, " or "))

	case ClassUint, ClassInt:
		n, ok := parseInt(value, p.Class == ClassInt)
		if !ok || n < p.Min || n > p.Max {
			return "", invalid(key, value, fmt.Sprintf("Value must be an integer from %d to %d", p.Min, p.Max))
		}
		return strconv.FormatInt(n, 10), ""

	case ClassRuleset:
		n, ok := parseInt(value, false)
		if !ok || n > maxPort {
			return "", fmt.Sprintf("Invalid %s value: %s", key, Shown(value))
		}
		return strconv.FormatInt(n, 10), ""

	case ClassMTU:
		if value == "auto" {
			return value, ""
		}
		n, ok := parseInt(value, false)
		if !ok || n < 68 || n > maxPort {
			return "", invalid(key, value, "Value must be auto or an integer from 68 to 65535")
		}
		return strconv.FormatInt(n, 10), ""
	}
	return "", unchangeable(key)
}

// checkAddress checks the classes whose values are IP addresses: the
// jail's own, its routers, and the NAT forwards and prefix.
func checkAddress(p Prop, value string) (string, string) {
	key := p.Name
	switch p.Class {
	case ClassIPList:
		return checkIPList(key, value)

	case ClassRouter:
		if value == "auto" || value == "none" {
			return value, ""
		}
		a, err := netip.ParseAddr(value)
		if err != nil || (key == "defaultrouter" && !a.Is4()) || (key == "defaultrouter6" && !a.Is6()) {
			family := "IPv4"
			if key == "defaultrouter6" {
				family = "IPv6"
			}
			return "", invalid(key, value, "Value must be auto or none or an "+family+" address")
		}
		return value, ""

	case ClassIPv4:
		if value == "none" {
			return value, ""
		}
		if a, err := netip.ParseAddr(value); err != nil || !a.Is4() {
			return "", fmt.Sprintf("Invalid IPv4 address: %q does not appear to be an IPv4 address", value)
		}
		return value, ""

	case ClassNATForwards:
		return checkNATForwards(value)

	case ClassNATPrefix:
		return checkNATPrefix(value)
	}
	return "", unchangeable(key)
}

// checkInterface checks the classes whose values name network interfaces
// or their MAC addresses.
func checkInterface(p Prop, value string, ctx *SetContext) (string, string) {
	key := p.Name
	switch p.Class {
	case ClassIfacePairs:
		if !validIfacePairs(value) {
			return "", invalid(key, value, "Interfaces must be specified as a pair.\nEXAMPLE: vnet0:bridge0, vnet1:bridge1")
		}
		return value, ""

	case ClassIface:
		if value == "none" || (value == "auto" && key == "vnet_default_interface") {
			return value, ""
		}
		if !ifaceRE.MatchString(value) || (ctx.HostHasNIC != nil && !ctx.HostHasNIC(value)) {
			if key == "vnet_default_interface" {
				return "", "Please provide a valid NIC to be used with vnet"
			}
			return "", invalid(key, value, "Value must be none or a host interface")
		}
		return value, ""

	case ClassIfaceList:
		if value == "none" {
			return value, ""
		}
		f := strings.Fields(value)
		if len(f) == 0 || !allMatch(f, ifaceRE) {
			return "", invalid(key, value, "Value must be none or space-separated interface names")
		}
		return strings.Join(f, " "), ""

	case ClassMACPair:
		if value == "" || value == "none" {
			return "none", ""
		}
		macs := strings.Fields(strings.ReplaceAll(value, ",", " "))
		if len(macs) != 2 || !validMAC(macs[0]) || !validMAC(macs[1]) || strings.EqualFold(macs[0], macs[1]) {
			return "", "Please enter two valid and different space/comma-delimited MAC addresses for " + key + "."
		}
		return macs[0] + " " + macs[1], ""

	case ClassMACPrefix:
		if !defaults.ValidMACPrefix(value) {
			return "", "Invalid mac_prefix. Must match `?X????` where ? can be any valid hex digit (0-9, A-F) and X is one of 2, 6, A or E."
		}
		return value, ""
	}
	return "", unchangeable(key)
}

// checkNaming checks the classes whose values are names: host and domain
// names, jail names, resolver lines and the host UUID.
func checkNaming(p Prop, value string, ctx *SetContext) (string, string) {
	key := p.Name
	switch p.Class {
	case ClassHostname:
		if m := LimitMessage(key, value, maxHostnameLen, "MAXHOSTNAMELEN"); m != "" {
			return "", m
		}
		if !validHostname(value) {
			return "", invalid(key, value, "Value must be a host name")
		}
		return value, ""

	case ClassDomainname:
		if m := LimitMessage(key, value, maxHostnameLen, "MAXHOSTNAMELEN"); m != "" {
			return "", m
		}
		if value == "" || value == "none" || validHostname(value) {
			return value, ""
		}
		return "", invalid(key, value, "Value must be empty, none or a domain name")

	case ClassNames:
		if value == "none" {
			return value, ""
		}
		names := strings.Fields(value)
		if len(names) == 0 {
			return "", invalid(key, value, "Value must be none or space-separated jail names")
		}
		for _, n := range names {
			if !ValidName(n) {
				return "", invalid(key, value, "Value must be none or space-separated jail names")
			}
			if ctx.Name != "" && n == ctx.Name {
				return "", invalid(key, value, "A jail cannot depend on itself")
			}
		}
		return strings.Join(names, " "), ""

	case ClassResolver:
		if !validResolver(value) {
			return "", "Invalid resolver value: " + Shown(value) + " (none, /etc/resolv.conf, /dev/null, or resolv.conf lines separated by ; such as nameserver 192.0.2.53;search example.org)"
		}
		return value, ""

	case ClassUUID:
		if !uuidRE.MatchString(value) {
			return "", invalid(key, value, "Value must be a host UUID as in /etc/hostid")
		}
		return value, ""
	}
	return "", unchangeable(key)
}

// checkStorage checks the classes whose values are paths, datasets and
// ZFS properties.
func checkStorage(p Prop, value string, ctx *SetContext) (string, string) {
	key := p.Name
	switch p.Class {
	case ClassPath:
		if value == "none" || (strings.HasPrefix(value, "/") && !strings.ContainsAny(value, "\x00\n")) {
			return value, ""
		}
		return "", invalid(key, value, "Value must be none or an absolute path")

	case ClassDatasets:
		return CheckDatasets(key, value, ctx)

	case ClassZFSSize:
		if value == "none" || zfsSizeRE.MatchString(value) {
			return value, ""
		}
		return "", Shown(value) + " should have a suffix ending in M, G, or T."

	case ClassZFSDedup:
		if slices.Contains(dedupValues, value) {
			return value, ""
		}
		return "", invalid(key, value, "Value must be "+strings.Join(dedupValues, " or "))

	case ClassZFSCompression:
		if compressionRE.MatchString(value) {
			return value, ""
		}
		return "", invalid(key, value, "Value must be on, off, lz4, zstd[-N], zstd-fast[-N], gzip[-N], lzjb or zle")
	}
	return "", unchangeable(key)
}

// checkFreeText checks commands and free text.
func checkFreeText(p Prop, value string) (string, string) {
	key := p.Name
	switch p.Class {
	case ClassCommand:
		if strings.TrimSpace(value) == "" || strings.ContainsRune(value, 0) {
			return "", invalid(key, value, "Value must be a command")
		}
		return value, ""

	case ClassText:
		if msg := checkText(value, MaxTextLen); msg != "" {
			return "", "Invalid " + key + " value: " + msg
		}
		return value, ""
	}
	return "", unchangeable(key)
}

func parseInt(s string, signed bool) (int64, bool) {
	digits := s
	if signed && strings.HasPrefix(s, "-") {
		digits = s[1:]
	}
	if digits == "" || len(digits) > 18 || strings.Trim(digits, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

func allMatch(items []string, re *lazyregexp.Regexp) bool {
	for _, s := range items {
		if !re.MatchString(s) {
			return false
		}
	}
	return true
}

var (
	// FreeBSD interface names: IFNAMSIZ is 16 including the NUL.
	ifaceRE       = lazyregexp.New(`^[A-Za-z][A-Za-z0-9_.-]{0,14}$`)
	nameRE        = lazyregexp.New(`^[A-Za-z0-9._-]+$`)
	hostLabelRE   = lazyregexp.New(`^[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$`)
	datasetPartRE = lazyregexp.New(`^[A-Za-z0-9_.:-]+$`)
	uuidRE        = lazyregexp.New(`^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$`)
	zfsSizeRE     = lazyregexp.New(`^[0-9]+(\.[0-9]+)?[MGTmgt]$`)
	compressionRE = lazyregexp.New(`^(on|off|lzjb|zle|lz4|gzip(-[1-9])?|zstd(-([1-9]|1[0-9]))?|zstd-fast(-[0-9]{1,4})?)$`)
	rctlRE        = lazyregexp.New(`^(deny|log|devctl|sig[a-z0-9]+|throttle)=([0-9]+)([bkmgtpBKMGTP]?)$`)
	natFwdRE      = lazyregexp.New(`^(tcp|udp|tcp/udp)\(([0-9]{1,5})(?:([:-])([0-9]{1,5}))?\)$`)
)

var dedupValues = []string{
	"off", "on", "verify", "sha256", "sha256,verify", "sha512", "sha512,verify",
	"skein", "skein,verify", "edonr,verify", "blake3", "blake3,verify",
}

// ValidName reports whether s is made of the characters a jail name may
// hold: letters, digits, '.', '_' and '-', and is not "." or "..". It is
// what a name already on disk must be; CheckName is what a new one must be.
func ValidName(s string) bool {
	return nameRE.MatchString(s) && s != "." && s != ".."
}

// MaxNameLen is the longest jail or template name, in bytes. jail.conf
// sets host.hostuuid to the name, and the kernel keeps it in
// pr_hostuuid[HOSTUUIDLEN], HOSTUUIDLEN being 64 with the NUL
// (sys/sys/jail.h, FreeBSD 14); kern_jail_set (sys/kern/kern_jail.c)
// refuses a longer one with ENAMETOOLONG, so a longer name would make a
// jail that never starts.
const MaxNameLen = 64 - 1

// reservedNames are the names a new jail or template cannot take. iocage
// reserves default and help (ioc_create.py, _create_jail); ALL means every
// jail to start, stop, update, snapshot and the rest; none is the "no
// jail" of depends; the rest are the datasets of the iocage tree, which
// the commands that take a jail name would read as the tree's.
var reservedNames = map[string]bool{
	"ALL": true, "default": true, "help": true, "none": true,
	layout.RootName: true, "download": true, "images": true, "jails": true,
	"log": true, "releases": true, "templates": true,
}

// CheckName refuses a name for a new jail or template (create, clone,
// rename, import), with iocage's messages where iocage has one.
func CheckName(name string) error {
	switch {
	case name == "" || name == "." || name == "..":
		return fmt.Errorf("Invalid name %q, please choose another.", name)
	case !ValidName(name):
		return fmt.Errorf("Invalid character in %s, please remove it.", Shown(name))
	case len(name) > MaxNameLen:
		return fmt.Errorf("Invalid name %s: %d bytes, the most is %d (the kernel's host.hostuuid), please choose another.", Shown(name), len(name), MaxNameLen)
	case name[0] == '-' || name[0] == '.':
		// A leading "-" reads as a flag, a leading "." hides the jail's
		// directory.
		return fmt.Errorf("Invalid name %s: a name cannot start with %q, please choose another.", name, name[:1])
	case strings.Contains(name, ".."):
		return fmt.Errorf("Invalid name %s: a name cannot contain \"..\", please choose another.", name)
	case reservedNames[name]:
		return fmt.Errorf("You cannot name a jail %s, that is a reserved name.", name)
	}
	return nil
}

// MaxTextLen caps free-text properties (notes, comment, owner, the
// exec_*_user names, login_flags, plugin_name, plugin_repository): enough
// for any note, small enough that list, get and config.json stay sane.
const MaxTextLen = 1024

// checkText returns why s cannot be free text, or "".
func checkText(s string, max int) string {
	switch {
	case len(s) > max:
		return fmt.Sprintf("%d bytes, the most is %d", len(s), max)
	case !utf8.ValidString(s):
		return Shown(s) + " is not UTF-8 text"
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return Shown(s) + " holds a control character"
	}
	return ""
}

// Shown is s as a message shows it: as it is when it is short printable
// text, else quoted and cut, so that a refusal stays one line.
func Shown(s string) string {
	if len(s) <= shownMax && utf8.ValidString(s) && strings.IndexFunc(s, unicode.IsControl) < 0 {
		return s
	}
	return quoted(s)
}

// quoted is s as a Go string literal, cut after shownMax bytes (on a rune
// boundary) and then followed by "...".
func quoted(s string) string {
	if len(s) <= shownMax {
		return strconv.Quote(s)
	}
	cut := s[:shownMax]
	for len(cut) > 0 && !utf8.RuneStart(s[len(cut)]) {
		cut = cut[:len(cut)-1]
	}
	return strconv.Quote(cut) + "..."
}

const shownMax = 80

func validHostname(s string) bool {
	if s == "" || len(s) > 255 {
		return false
	}
	for _, l := range strings.Split(strings.TrimSuffix(s, "."), ".") {
		if !hostLabelRE.MatchString(l) {
			return false
		}
	}
	return true
}

// validMAC accepts six octets written as 12 hex digits, or separated
// throughout by ':' or by '-' (iocage's pattern, which needs a backreference
// RE2 lacks).
func validMAC(s string) bool {
	s = strings.ToLower(s)
	isHex := func(t string) bool { return t != "" && strings.Trim(t, "0123456789abcdef") == "" }
	switch len(s) {
	case 12:
		return isHex(s)
	case 17:
		sep := s[2]
		if sep != ':' && sep != '-' {
			return false
		}
		parts := strings.Split(s, string(sep))
		if len(parts) != 6 {
			return false
		}
		for _, p := range parts {
			if len(p) != 2 || !isHex(p) {
				return false
			}
		}
		return true
	}
	return false
}

func validIfacePairs(v string) bool {
	for _, pair := range strings.Split(v, ",") {
		nic, bridge, ok := strings.Cut(strings.TrimSpace(pair), ":")
		if !ok || !ifaceRE.MatchString(nic) || !ifaceRE.MatchString(bridge) {
			return false
		}
	}
	return true
}

// checkIPList validates ip4_addr / ip6_addr: "none", or a comma list whose
// items are [iface|]addr[/mask], iface|DHCP / DHCP (IPv4) or
// iface|accept_rtadv / accept_rtadv (IPv6). "DEFAULT|" is dropped, as
// iocage does: at start the default-route interface is used.
func checkIPList(key, value string) (string, string) {
	value = strings.ReplaceAll(value, " ", "")
	if value == "none" {
		return value, ""
	}
	v6 := key == "ip6_addr"
	var out []string
	for _, item := range strings.Split(value, ",") {
		iface, addr, hasIface := strings.Cut(item, "|")
		if !hasIface {
			iface, addr = "", item
		}
		if hasIface {
			if iface == "" || strings.Contains(addr, "|") || (iface != "DEFAULT" && !ifaceRE.MatchString(iface)) {
				return "", "Please provide a valid interface"
			}
			if iface == "DEFAULT" {
				hasIface = false
			}
		}
		switch {
		case !v6 && strings.EqualFold(addr, "dhcp"), v6 && strings.EqualFold(addr, "accept_rtadv"):
		default:
			if msg := checkNetwork(addr, v6); msg != "" {
				return "", "Please provide a valid ip: " + msg
			}
		}
		if hasIface {
			out = append(out, iface+"|"+addr)
		} else {
			out = append(out, addr)
		}
	}
	return strings.Join(out, ","), ""
}

// checkNetwork accepts what Python's ipaddress.IPv4Network/IPv6Network
// accept with strict=False: an address, optionally with a prefix length or
// (IPv4) a dotted netmask or hostmask.
func checkNetwork(s string, v6 bool) string {
	family := "IPv4"
	if v6 {
		family = "IPv6"
	}
	bad := fmt.Sprintf("%q does not appear to be an %s network", s, family)
	addrPart, mask, hasMask := strings.Cut(s, "/")
	a, err := netip.ParseAddr(addrPart)
	if err != nil || (v6 && !a.Is6()) || (!v6 && !a.Is4()) {
		return bad
	}
	if !hasMask {
		return ""
	}
	maxBits := int64(32)
	if v6 {
		maxBits = 128
	}
	if n, ok := parseInt(mask, false); ok && n <= maxBits {
		return ""
	}
	if !v6 {
		if m, err := netip.ParseAddr(mask); err == nil && m.Is4() && validMask(m) {
			return ""
		}
	}
	return bad
}

// validMask reports whether m is a contiguous netmask or hostmask.
func validMask(m netip.Addr) bool {
	b := m.As4()
	u := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	contiguous := func(x uint32) bool { inv := ^x; return inv&(inv+1) == 0 }
	return contiguous(u) || contiguous(^u)
}

var (
	rctlNoSuffix   = []string{"cputime", "maxproc", "openfiles", "pseudoterminals", "nthr", "msgqqueued", "nmsgq", "nsem", "nsemop", "nshm", "wallclock", "pcpu"}
	rctlNoDeny     = []string{"cputime", "wallclock", "readbps", "writebps", "readiops", "writeiops"}
	rctlIOThrottle = []string{"readbps", "writebps", "readiops", "writeiops"}
)

func checkRCTL(key, value string, ctx *SetContext) (string, string) {
	if value == "off" {
		return value, ""
	}
	if ctx.RacctEnabled != nil && !ctx.RacctEnabled() {
		return "", "Please set kern.racct.enable -> 1 to set rctl rules"
	}
	m := rctlRE.FindStringSubmatch(value)
	if m == nil {
		return "", "Please supply a valid value for rctl property " + key +
			` following format "action=amount" or "off" where valid actions are "deny|log|devctl|sig*|throttle"`
	}
	action, suffix := m[1], m[3]
	if suffix != "" && slices.Contains(rctlNoSuffix, key) {
		return "", "suffix " + suffix + " is not allowed with " + key
	}
	if action == "deny" && slices.Contains(rctlNoDeny, key) {
		return "", "Deny action is not supported with prop " + key
	}
	if action == "throttle" && !slices.Contains(rctlIOThrottle, key) {
		return "", `Throttle action is only supported with properties "readbps, writebps, readiops, writeiops"`
	}
	return value, ""
}

var cpusetListRE = lazyregexp.New(`^[0-9]+(,[0-9]+)*$`)
var cpusetRangeRE = lazyregexp.New(`^([0-9]+)-([0-9]+)$`)

func checkCpuset(value string, ctx *SetContext) (string, string) {
	if value == "off" || value == "all" {
		return value, ""
	}
	var ids []int64
	rangeForm := false
	switch {
	case cpusetListRE.MatchString(value):
		for _, s := range strings.Split(value, ",") {
			n, ok := parseInt(s, false)
			if !ok {
				return "", cpusetFormatMessage
			}
			ids = append(ids, n)
		}
	case cpusetRangeRE.MatchString(value):
		m := cpusetRangeRE.FindStringSubmatch(value)
		lo, ok1 := parseInt(m[1], false)
		hi, ok2 := parseInt(m[2], false)
		if !ok1 || !ok2 {
			return "", cpusetFormatMessage
		}
		ids, rangeForm = []int64{lo, hi}, true
	default:
		return "", cpusetFormatMessage
	}
	maxCPU := int64(-1)
	if ctx.HostMaxCPU != nil {
		maxCPU = int64(ctx.HostMaxCPU())
	}
	bad := false
	if rangeForm {
		bad = ids[0] >= ids[1]
	} else {
		seen := map[int64]bool{}
		for _, id := range ids {
			bad = bad || seen[id]
			seen[id] = true
		}
	}
	for _, id := range ids {
		bad = bad || (maxCPU >= 0 && id > maxCPU)
	}
	if bad {
		msg := "Please make sure the provided cpus fall in the correct range of cpus."
		if maxCPU >= 0 {
			all := make([]string, maxCPU+1)
			for i := range all {
				all[i] = strconv.Itoa(i)
			}
			msg += "\nFor this system it is: " + strings.Join(all, ",")
		}
		return "", msg
	}
	return value, ""
}

const cpusetFormatMessage = "Please specify a valid format for cpuset value.\n" +
	"Following 4 formats are supported:\n" +
	"1) comma delimited string i.e 0,1,2,3\n" +
	"2) a range of values i.e 0-2\n" +
	"3) \"all\" - all would mean using all cores\n" +
	"4) off"

// checkNATForwards validates proto(port), proto(jailport:hostport) and
// proto(first-last). A bare port means tcp(port), as in iocage. Unlike
// iocage's pattern, single-digit ports are accepted and ports above 65535
// are not.
func checkNATForwards(value string) (string, string) {
	if value == "none" {
		return value, ""
	}
	bad := "Invalid nat_forwards value: " + Shown(value)
	var out []string
	for _, fwd := range strings.Split(value, ",") {
		if n, ok := parseInt(fwd, false); ok && n >= 1 && n <= maxPort {
			fwd = "tcp(" + fwd + ")"
		}
		m := natFwdRE.FindStringSubmatch(fwd)
		if m == nil {
			return "", bad
		}
		ports := []string{m[2]}
		if m[4] != "" {
			ports = append(ports, m[4])
		}
		var nums []int64
		for _, p := range ports {
			n, ok := parseInt(p, false)
			if !ok || n < 1 || n > maxPort {
				return "", bad
			}
			nums = append(nums, n)
		}
		if m[3] == "-" && nums[0] > nums[1] {
			return "", bad
		}
		out = append(out, fwd)
	}
	return strings.Join(out, ","), ""
}

// checkNATPrefix accepts the first two octets of an RFC 1918 range. iocage
// asks Python's is_private, which also admits loopback, link-local and
// documentation ranges that cannot carry NAT traffic.
func checkNATPrefix(value string) (string, string) {
	a, err := netip.ParseAddr(value + ".0.0")
	if err != nil || !a.Is4() || strings.Count(value, ".") != 1 {
		return "", "Invalid nat_prefix value: " + Shown(value) + "\nSupply the first two octets only (XXX.XXX)"
	}
	if !a.IsPrivate() {
		return "", "Invalid nat_prefix value: " + Shown(value) + "\nMust be a private range"
	}
	return value, ""
}

// CheckDatasets validates jail_zfs_dataset: space-separated datasets
// named relative to the pool. start creates each, sets jailed=on and hands
// it to the jail with zfs jail, so none may leave the pool (an absolute
// name, ".."), and inside the iocage tree only the jail's own directory
// (iocage/jails/NAME/..., iocage's default iocage/jails/NAME/data) may be
// handed over: never the tree, another jail, a release or the jail's root.
func CheckDatasets(key, value string, ctx *SetContext) (string, string) {
	f := strings.Fields(value)
	if len(f) == 0 {
		return "", "Invalid " + key + " value: " + quoted(value) + " (space-separated datasets relative to the pool)"
	}
	name := ctx.Name
	if name == "" && ctx.Config != nil {
		name, _ = ctx.Config.Get("host_hostuuid")
	}
	for _, ds := range f {
		if why := poolRelative(ds); why != "" {
			return "", "Invalid " + key + " value: " + Shown(ds) + " (" + why + ")"
		}
		if !ownDataset(ds, name) {
			own := layout.Layout{}.Jail(name) + "/..."
			if name == "" {
				own = "nothing"
			}
			return "", "Invalid " + key + " value: " + Shown(ds) + " (inside the iocage tree a jail may only be given " + own + ")"
		}
	}
	return strings.Join(f, " "), ""
}

// poolRelative returns why ds cannot name a dataset below the pool, or "".
// The components follow OpenZFS's entity_namecheck (zfs_namecheck.c:
// letters, digits and "-_.:", never "." or ".."), without the space
// jail_zfs_dataset separates on and the "%" of zfs receive's temporary
// names.
func poolRelative(ds string) string {
	if strings.HasPrefix(ds, "/") {
		return "a dataset relative to the pool, not an absolute name"
	}
	if len(ds) > zfsMaxNameLen {
		return fmt.Sprintf("%d bytes, the most is %d", len(ds), zfsMaxNameLen)
	}
	for _, part := range strings.Split(ds, "/") {
		switch {
		case part == "":
			return "a dataset name has no empty components"
		case part == "." || part == "..":
			return "a dataset relative to the pool, without . or .. components"
		case !datasetPartRE.MatchString(part):
			return "a dataset name holds letters, digits and _.:- only"
		}
	}
	return ""
}

// zfsMaxNameLen is ZFS_MAX_DATASET_NAME_LEN (256, with the NUL). It
// bounds the whole name, POOL/DS, so it is a loose bound on DS; zfs create
// reports what the pool's name leaves no room for.
const zfsMaxNameLen = 256 - 1

// ownDataset reports whether ds, relative to the pool, is outside the
// iocage tree or inside the directory of the jail called name (and not its
// root).
func ownDataset(ds, name string) bool {
	parts := strings.Split(ds, "/")
	if parts[0] != layout.RootName {
		return true
	}
	// iocage/jails/NAME/<child>, where child is not the root or below it
	return name != "" && len(parts) > 3 && parts[1] == "jails" && parts[2] == name && parts[3] != "root"
}

var resolverKeywords = []string{"nameserver", "domain", "search", "sortlist", "options"}

// MaxResolverLen caps the resolver property, which start writes as the
// jail's resolv.conf.
const MaxResolverLen = 1024

// validResolver accepts the forms start understands: none and
// /etc/resolv.conf (a copy of the host's), /dev/null (the jail's own file
// is left alone), or resolv.conf(5) lines joined by ';'. iocage writes any
// other path literally as the file's content; jcage refuses it. Lines may
// be comments; a nameserver line holds one address; there are no control
// characters but tab.
func validResolver(v string) bool {
	switch v {
	case "none", "/etc/resolv.conf", "/dev/null":
		return true
	}
	if len(v) > MaxResolverLen || !utf8.ValidString(v) ||
		strings.IndexFunc(v, func(r rune) bool { return r != '\t' && unicode.IsControl(r) }) >= 0 {
		return false
	}
	lines := 0
	for _, line := range strings.Split(v, ";") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		lines++
		if strings.HasPrefix(f[0], "#") {
			continue
		}
		if !slices.Contains(resolverKeywords, f[0]) || len(f) < 2 {
			return false
		}
		if f[0] == "nameserver" {
			if _, err := netip.ParseAddr(f[1]); err != nil || len(f) != 2 {
				return false
			}
		}
	}
	return lines > 0
}
