package zfsshim

import (
	"strings"
)

// shadowPrefix names the user properties in which the shim keeps values
// that zfs-fuse cannot store natively (compression=lz4, sync=disabled, ...).
// User properties are inherited and travel with `zfs send -R/-p`, which is
// how the native properties behave too. They never appear in the shim's
// output.
const shadowPrefix = "jcage.zfsshim:"

func shadowOf(prop string) string { return shadowPrefix + prop }

// emulatedProp is an OpenZFS dataset property that zfs-fuse (pool v23)
// doesn't have.
type emulatedProp struct {
	// def is the value reported while nothing is stored; "-" for the
	// read-only statistics, the OpenZFS (FreeBSD) default for the others.
	def string
	// settable properties are kept in a shadow user property.
	settable bool
	// snap marks properties that OpenZFS also reports for snapshots, so
	// that `get all` shows them there.
	snap bool
}

// emulatedOrder lists the emulated properties in the order `get all` adds
// them after zfs-fuse's own.
var emulatedOrder = []string{
	"logicalused", "logicalreferenced", "written", "refcompressratio",
	"guid", "createtxg", "objsetid", "clones", "filesystem_count", "snapshot_count",
	"filesystem_limit", "snapshot_limit",
	"sync", "dnodesize", "relatime", "redundant_metadata", "volmode", "snapdev",
	"acltype", "special_small_blocks", "overlay", "prefetch",
	"encryption", "keyformat", "keylocation", "pbkdf2iters", "encryptionroot", "keystatus",
	"receive_resume_token", "redact_snaps", "snapshots_changed",
	"context", "fscontext", "defcontext", "rootcontext",
}

var emulatedProps = map[string]emulatedProp{
	// Statistics zfs-fuse doesn't keep. go-zfs asks for written and
	// logicalused on every dataset; "-" parses as 0 there.
	"logicalused":          {def: "-", snap: false},
	"logicalreferenced":    {def: "-", snap: true},
	"written":              {def: "-", snap: true},
	"refcompressratio":     {def: "-", snap: true},
	"guid":                 {def: "-", snap: true},
	"createtxg":            {def: "-", snap: true},
	"objsetid":             {def: "-", snap: true},
	"clones":               {def: "-", snap: true},
	"filesystem_count":     {def: "-"},
	"snapshot_count":       {def: "-"},
	"encryptionroot":       {def: "-"},
	"keystatus":            {def: "-"},
	"receive_resume_token": {def: "-"},
	"redact_snaps":         {def: "-", snap: true},
	"snapshots_changed":    {def: "-"},

	// Settable properties newer than pool v23.
	"filesystem_limit":     {def: "none", settable: true},
	"snapshot_limit":       {def: "none", settable: true},
	"sync":                 {def: "standard", settable: true},
	"dnodesize":            {def: "legacy", settable: true},
	"relatime":             {def: "off", settable: true},
	"redundant_metadata":   {def: "all", settable: true},
	"volmode":              {def: "default", settable: true},
	"snapdev":              {def: "hidden", settable: true},
	"acltype":              {def: "nfsv4", settable: true},
	"special_small_blocks": {def: "0", settable: true},
	"overlay":              {def: "on", settable: true},
	"prefetch":             {def: "all", settable: true},
	"encryption":           {def: "off", settable: true},
	"keyformat":            {def: "none", settable: true},
	"keylocation":          {def: "none", settable: true},
	"pbkdf2iters":          {def: "0", settable: true},
	"context":              {def: "none", settable: true},
	"fscontext":            {def: "none", settable: true},
	"defcontext":           {def: "none", settable: true},
	"rootcontext":          {def: "none", settable: true},
}

// propAliases maps OpenZFS short names that zfs-fuse doesn't know, or
// that the shim must recognise, to the full property name.
var propAliases = map[string]string{
	"lused":    "logicalused",
	"lrefer":   "logicalreferenced",
	"refratio": "refcompressratio",
	"compress": "compression",
	"dnsize":   "dnodesize",
	"rdonly":   "readonly",
}

// canonical returns the full name of a requested property.
func canonical(prop string) string {
	if c, ok := propAliases[prop]; ok {
		return c
	}
	return prop
}

// isUserProp reports whether prop is a user property (module:property).
func isUserProp(prop string) bool { return strings.Contains(prop, ":") }

// emulated returns the emulation entry for prop, if zfs-fuse lacks it.
func emulated(prop string) (emulatedProp, bool) {
	prop = canonical(prop)
	if strings.HasPrefix(prop, "written@") {
		return emulatedProp{def: "-", snap: true}, true
	}
	e, ok := emulatedProps[prop]
	return e, ok
}

// FreeBSD's OpenZFS calls the "dataset belongs to a jail" property jailed;
// zfs-fuse has Solaris' name for the same bit, zoned. It behaves alike
// (setting it unmounts, and the host refuses to mount the dataset).
const (
	jailedProp = "jailed"
	zonedProp  = "zoned"
)

// openzfsOnlyCompression lists the values OpenZFS accepts that zfs-fuse
// does not; the shim stores them as compression=on.
func openzfsOnlyCompression(v string) bool {
	return v == "lz4" || v == "zstd" || strings.HasPrefix(v, "zstd-")
}

// assignment is one prop=value pair of set, create -o, clone -o or
// snapshot -o.
type assignment struct{ prop, value string }

func (a assignment) String() string { return a.prop + "=" + a.value }

func splitAssignment(s string) (assignment, bool) {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return assignment{}, false
	}
	return assignment{prop: k, value: v}, true
}

// translateAssignment turns one OpenZFS prop=value into what zfs-fuse
// stores. changed is false when zfs-fuse takes it as it is.
func translateAssignment(a assignment) (out []assignment, changed bool) {
	prop := canonical(a.prop)
	switch {
	case prop == "compression":
		if openzfsOnlyCompression(a.value) {
			// Real data compression stays on; the shadow keeps the name so
			// that get/list report back what was set.
			return []assignment{{"compression", "on"}, {shadowOf("compression"), a.value}}, true
		}
		if a.value == "on" {
			// An inherited lz4 shadow must not make an explicit "on" read
			// back as lz4.
			return []assignment{{"compression", "on"}, {shadowOf("compression"), "on"}}, true
		}
		return []assignment{{"compression", a.value}}, prop != a.prop
	case prop == jailedProp:
		return []assignment{{zonedProp, a.value}}, true
	case prop == readonlyProp:
		// The native setting does the work; the copy is what get and list
		// report while the dataset is mounted.
		return []assignment{{readonlyProp, a.value}, {shadowOf(readonlyProp), a.value}}, true
	}
	if e, ok := emulated(prop); ok && e.settable {
		return []assignment{{shadowOf(prop), a.value}}, true
	}
	return []assignment{a}, false
}

// translateAssignments applies translateAssignment to each pair.
func translateAssignments(in []assignment) (out []assignment, changed bool) {
	for _, a := range in {
		t, c := translateAssignment(a)
		out = append(out, t...)
		changed = changed || c
	}
	return out, changed
}

// zpool properties zfs-fuse lacks, with the value OpenZFS shows for a pool
// of this age: no fragmentation statistics (the spacemap_histogram
// feature), no checkpoint, nothing being freed in the background.
var zpoolEmulatedOrder = []string{
	"expandsize", "fragmentation", "checkpoint", "freeing", "leaked", "readonly",
	"comment", "multihost", "autotrim", "load_guid", "bcloneused", "bclonesaved", "bcloneratio",
}

var zpoolEmulated = map[string]string{
	"expandsize":    "-",
	"fragmentation": "-",
	"checkpoint":    "-",
	"freeing":       "0",
	"leaked":        "0",
	"readonly":      "off",
	"comment":       "-",
	"multihost":     "off",
	"autotrim":      "off",
	"load_guid":     "-",
	"bcloneused":    "0",
	"bclonesaved":   "0",
	"bcloneratio":   "1.00x",
}

var zpoolAliases = map[string]string{
	"expandsz": "expandsize",
	"frag":     "fragmentation",
	"ckpoint":  "checkpoint",
	"rdonly":   "readonly",
	"alloc":    "allocated",
	"cap":      "capacity",
	"dedup":    "dedupratio",
}

func zpoolCanonical(prop string) string {
	if c, ok := zpoolAliases[prop]; ok {
		return c
	}
	return prop
}

// zpoolSizeProps are reported by zfs-fuse in human units only.
var zpoolSizeProps = map[string]bool{
	"size": true, "allocated": true, "free": true, "freeing": true, "leaked": true,
	"checkpoint": true, "expandsize": true, "bcloneused": true, "bclonesaved": true,
}
