package config

import (
	"strconv"
	"strings"
)

// JSONValue is a property's value as --json shows it, the same in every
// command: iocage's truthy properties are true or false; integer
// properties (and enums whose every value is an integer, like
// enforce_statfs) are numbers; "none" and an empty value are null, except
// for free text and commands, which are strings as stored; jid is a
// number, or null for a stopped jail; every other value is the string get
// prints. A value a property's type cannot hold (an iocage host's odd
// entry, "N/A" of a corrupt jail) stays a string.
func JSONValue(key, v string) any {
	if key == "jid" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return n
		}
		if v == "" || v == "-" || v == "None" {
			return nil
		}
		return v
	}
	p, known := Lookup(key)
	if !known {
		return v
	}
	switch p.Class {
	case ClassText, ClassCommand:
		return v
	}
	if v == "" || v == "none" {
		return nil
	}
	switch {
	case p.Class == ClassBool:
		switch strings.ToLower(v) {
		case "1", "on", "yes", "true":
			return true
		case "0", "off", "no", "false":
			return false
		}
	case p.Class == ClassUint || p.Class == ClassInt || p.Class == ClassRuleset || numericEnum(p):
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return n
		}
	}
	return v
}

func numericEnum(p Prop) bool {
	if p.Class != ClassEnum || len(p.Enum) == 0 {
		return false
	}
	for _, e := range p.Enum {
		if _, err := strconv.Atoi(e); err != nil {
			return false
		}
	}
	return true
}
