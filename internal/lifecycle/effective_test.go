package lifecycle

import (
	"testing"

	"github.com/jcage/jcage/defaults"
	"github.com/jcage/jcage/internal/config"
)

// testDefaults is defaults.json as a fresh host has it.
func testDefaults(t *testing.T) *config.Config {
	t.Helper()
	id := "e3f5a6b4-0000-4000-8000-000000000001"
	d, err := config.BuiltinDefaults(config.ConfigVersion, defaults.Host{HostID: &id, MACPrefix: "02ff60"})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// effective overlays a thin jail config on the defaults.
func effective(t *testing.T, name string, props map[string]any) *config.Config {
	t.Helper()
	base := map[string]any{
		"CONFIG_VERSION": "34", "host_hostuuid": name, "host_hostname": name,
		"release": "14.3-RELEASE", "type": "jail", "jail_zfs_dataset": "iocage/jails/" + name + "/data",
	}
	for k, v := range props {
		base[k] = v
	}
	c, err := config.ConfigFromMap(base)
	if err != nil {
		t.Fatal(err)
	}
	return config.Effective(testDefaults(t), c)
}
