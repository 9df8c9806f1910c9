package lifecycle

import (
	"context"
	"fmt"
	"strings"

	"github.com/jcage/jcage/internal/argv"
	"github.com/jcage/jcage/internal/config"
	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/jail"
)

// ReadDHCPAddresses fills the long list's IP4 of each running DHCP jail,
// as root only, the way ioc_common.py retrieve_ip4_for_jail reads it:
// `jexec ioc-NAME ifconfig IF inet` inside the jail, IF being the first
// NIC of interfaces (vnet0 named epair0b, as the jail sees it), and the
// address of the third line. A failed command reads "DHCP - Network
// Issue: …", output without that line "DHCP - Failed Parsing: …". One
// call per running DHCP jail, only for list -l.
func (h *Host) ReadDHCPAddresses(ctx context.Context, inv *inventory.Inventory) {
	if h.UID != 0 {
		return
	}
	for _, j := range inv.Jails {
		if j.Props == nil || !j.Running() || !config.CheckTruthy(j.Prop("dhcp")) {
			continue
		}
		iface, _, _ := strings.Cut(j.Prop("interfaces"), ",")
		iface, _, _ = strings.Cut(iface, ":")
		if iface == "vnet0" {
			iface = "epair0b"
		}
		out, err := h.Run.Run(ctx, argv.JexecIfconfigInet(inventory.JailName(j.Name), iface))
		if err != nil {
			j.DhcpIP4 = fmt.Sprintf("DHCP - Network Issue: %s", jail.ErrorText(err))
			continue
		}
		lines := strings.Split(string(out), "\n")
		if len(lines) < 3 || len(strings.Fields(lines[2])) < 2 {
			j.DhcpIP4 = "DHCP - Failed Parsing: list index out of range"
			continue
		}
		j.DhcpIP4 = iface + "|" + strings.Fields(lines[2])[1]
	}
}
