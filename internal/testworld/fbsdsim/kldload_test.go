package fbsdsim

import (
	"reflect"
	"testing"
)

func TestKldload(t *testing.T) {
	h := ulNewHarness(t)
	h.run("kldload", "", "if_bridge").want(t, 0, "", "")
	h.run("kldload", "", "if_bridge").want(t, 1, "", "kldload: can't load if_bridge: module already loaded or in kernel\n")
	if r := h.run("kldload", "", "-n", "if_bridge"); r.code != 0 || r.stdout != "" || r.stderr != "" {
		t.Fatalf("-n: %+v", r)
	}
	h.run("kldload", "", "-nv", "if_bridge").want(t, 0, "if_bridge is already loaded\n", "")
	h.run("kldload", "", "-v", "/boot/kernel/if_epair.ko").want(t, 0, "Loaded /boot/kernel/if_epair.ko, id=4\n", "")
	h.run("kldload", "", "zfs").want(t, 1, "", "module already loaded or in kernel") // loaded at boot
	h.run("kldload", "", "nosuchmod", "pf").want(t, 1, "", "kldload: can't load nosuchmod: No such file or directory\n")
	got, err := KldLoaded(h.state)
	if err != nil || !reflect.DeepEqual(got, []string{"if_bridge", "if_epair", "kernel", "pf", "zfs"}) {
		t.Fatalf("%v %v", got, err)
	}
	h.env["JCAGE_SIM_KMODS"] = "mymod"
	h.run("kldload", "", "mymod.ko").want(t, 0, "", "")
	h.env["JCAGE_SIM_UID"] = "1001"
	h.run("kldload", "", "vmm").want(t, 1, "", "kldload: can't load vmm: Operation not permitted\n")
}

func TestKldloadRefusals(t *testing.T) {
	h := ulNewHarness(t)
	h.run("kldload", "").want(t, 1, "", "usage: kldload [-nqv] file ...\n")
	h.run("kldload", "", "-x", "pf").want(t, 1, "", "kldload: illegal option -- x\nusage: kldload [-nqv] file ...\n")
}
