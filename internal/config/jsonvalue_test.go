package config

import (
	"reflect"
	"testing"
)

func TestJSONValue(t *testing.T) {
	for _, tc := range []struct {
		key, v string
		want   any
	}{
		{"boot", "1", true},
		{"boot", "on", true},
		{"boot", "0", false},
		{"boot", "off", false},
		{"template", "no", false},
		{"allow_mount", "1", true},
		{"priority", "99", int64(99)},
		{"securelevel", "-1", int64(-1)},
		{"devfs_ruleset", "4", int64(4)},
		{"enforce_statfs", "2", int64(2)},
		{"ip4", "new", "new"},
		{"ip4_addr", "none", nil},
		{"ip4_addr", "em0|10.0.0.5/24", "em0|10.0.0.5/24"},
		{"quota", "none", nil},
		{"quota", "10G", "10G"},
		{"notes", "none", "none"},
		{"notes", "", ""},
		{"exec_start", "/bin/sh /etc/rc", "/bin/sh /etc/rc"},
		{"jid", "3", int64(3)},
		{"jid", "-", nil},
		{"jid", "None", nil},
		{"state", "up", "up"},
		{"release", "14.3-RELEASE", "14.3-RELEASE"},
		{"priority", "N/A", "N/A"},
		{"my_own_key", "1", "1"},
	} {
		if got := JSONValue(tc.key, tc.v); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("JSONValue(%q, %q) = %#v, want %#v", tc.key, tc.v, got, tc.want)
		}
	}
}

// Every property has one JSON type whatever spelling of its value
// config.json holds: a boolean property is never a string or number.
func TestJSONValueTypesPerClass(t *testing.T) {
	for _, p := range Props() {
		if p.Class != ClassBool {
			continue
		}
		for _, v := range []string{"0", "1", "on", "off", "yes", "no", "true", "false"} {
			if _, ok := JSONValue(p.Name, v).(bool); !ok {
				t.Errorf("%s=%s is %T, not a boolean", p.Name, v, JSONValue(p.Name, v))
			}
		}
	}
}
