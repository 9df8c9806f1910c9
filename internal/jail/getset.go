package jail

import (
	"context"
	"fmt"
	"strings"

	"github.com/jcage/jcage/internal/argv"
	"github.com/jcage/jcage/internal/config"
	"github.com/jcage/jcage/internal/host"
	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/txn"
)

// LiveRuleset asks the kernel for a running jail's devfs ruleset, which
// may differ from the configured one (iocage generates rulesets).
func (h *Host) LiveRuleset(ctx context.Context, j *inventory.Jail) (string, error) {
	out, err := h.Run.Run(ctx, argv.JlsDevfsRuleset(inventory.JailName(j.Name)))
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

// SetRequest is one `set` invocation.
type SetRequest struct {
	Target  string   // jail name or prefix, or "default"
	Assigns []string // KEY=VALUE
}

// Set validates every assignment first, so that a refused one changes
// nothing, then applies ZFS properties, live jail parameters, and finally
// writes the config under its lock.
func (h *Host) Set(ctx context.Context, inv *inventory.Inventory, req SetRequest) error {
	j, sc, err := setTarget(inv, req.Target)
	if err != nil {
		return err
	}
	changes, template, err := validateAssigns(req.Assigns, sc, j)
	if err != nil {
		return err
	}
	if sc.Default {
		return h.setDefaults(inv, changes)
	}
	if err := h.setZFSProps(ctx, j, changes); err != nil {
		return err
	}
	if len(changes) > 0 {
		if err := h.setJailProps(ctx, inv, j, changes); err != nil {
			return err
		}
	}
	if template != "" {
		return h.SetTemplate(ctx, inv, j.Name, template == "1")
	}
	return nil
}

// propChange is one validated assignment, its value normalised.
type propChange struct{ key, value string }

// setTarget finds the jail set changes (nil for default) and what
// validation needs to know of it.
func setTarget(inv *inventory.Inventory, target string) (*inventory.Jail, config.SetContext, error) {
	var j *inventory.Jail
	sc := config.SetContext{Default: target == "default", Config: inv.Defaults}
	if !sc.Default {
		var err error
		if j, err = inv.Find(target); err != nil {
			return nil, sc, err
		}
		if j.Err != nil {
			return nil, sc, fmt.Errorf("%s: %w", j.Name, j.Err)
		}
		sc.Name, sc.Config, sc.Running = j.Name, j.Props, j.Running()
	}
	sc.ActiveNATJails = func() []string {
		var up []string
		for _, o := range inv.Jails {
			if o.Running() && config.CheckTruthy(o.Prop("nat")) {
				up = append(up, o.Name)
			}
		}
		return up
	}
	return j, sc, nil
}

// validateAssigns parses and validates every KEY=VALUE. template, which
// moves the jail rather than setting a value, comes back on its own.
func validateAssigns(assigns []string, sc config.SetContext, j *inventory.Jail) (changes []propChange, template string, err error) {
	for _, a := range assigns {
		key, value, err := config.ParseAssignment(a)
		if err != nil {
			return nil, "", err
		}
		v, err := config.Validate(key, value, sc)
		if err != nil {
			return nil, "", err
		}
		if key == "template" {
			if err := config.TemplateChange(j.Name, j.Template, v); err != nil {
				return nil, "", err
			}
			template = v
			continue
		}
		changes = append(changes, propChange{key, v})
	}
	return changes, template, nil
}

// setDefaults writes changes to defaults.json and reports each.
func (h *Host) setDefaults(inv *inventory.Inventory, changes []propChange) error {
	path := config.DefaultsPath(inv.Tree.Mountpoint)
	err := txn.UpdateConfig(path, nil, func(c *config.Config) error {
		for _, ch := range changes {
			c.Set(ch.key, ch.value)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, ch := range changes {
		h.Say("%s", config.DefaultChangeMessage(ch.key, ch.value))
	}
	return nil
}

// setZFSProps sets the changes that mirror a ZFS property on the jail's
// dataset, in one call.
func (h *Host) setZFSProps(ctx context.Context, j *inventory.Jail, changes []propChange) error {
	zfsProps := map[string]string{}
	for _, ch := range changes {
		if p, _ := config.Lookup(ch.key); p.Has(config.ZFS) {
			zfsProps[ch.key] = ch.value
		}
	}
	if len(zfsProps) == 0 {
		return nil
	}
	return h.ZFS.SetProps(ctx, j.Dataset.Name, zfsProps)
}

// setJailProps writes changes to the jail's config.json, then reports
// each and carries it where it also lives: rtsold_enable in the jail's
// rc.conf, and the running jail.
func (h *Host) setJailProps(ctx context.Context, inv *inventory.Inventory, j *inventory.Jail, changes []propChange) error {
	old := map[string]string{}
	err := txn.UpdateConfig(j.ConfigPath(), h.readonlyToggle(ctx, j), func(c *config.Config) error {
		for _, ch := range changes {
			prev, _ := config.Effective(inv.Defaults, c).Get(ch.key)
			if c.Thick() {
				prev, _ = c.Get(ch.key)
			}
			old[ch.key] = prev
			c.Set(ch.key, ch.value)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, ch := range changes {
		h.Say("%s", config.ChangeMessage(ch.key, old[ch.key], ch.value))
		if ch.key == "ip6_addr" {
			// iocage follows ip6_addr with rtsold_enable in the jail's
			// rc.conf: YES for accept_rtadv, NO otherwise.
			if err := SetRCConfVar(j.RootPath(), "rtsold_enable", RtsoldFor(ch.value)); err != nil {
				return err
			}
		}
		if j.Running() {
			if err := h.applyLive(ctx, j, ch.key, ch.value); err != nil {
				return err
			}
		}
	}
	return nil
}

// readonlyToggle lifts a template's readonly around a config write.
func (h *Host) readonlyToggle(ctx context.Context, j *inventory.Jail) config.ReadOnlyFunc {
	if !j.Template {
		return nil
	}
	return func(ro bool) error {
		v := "off"
		if ro {
			v = "on"
		}
		return h.ZFS.SetProps(ctx, j.Dataset.Name, map[string]string{"readonly": v})
	}
}

// LiveArgs returns the command that applies key=value to a running jail,
// or nil when the change waits for a restart.
func LiveArgs(j *inventory.Jail, key, value string) *host.Cmd {
	p, _ := config.Lookup(key)
	switch {
	case p.Has(config.Live):
		c := argv.JailModify(j.JID, p.Param, value)
		return &c
	case p.Has(config.RCTL):
		rule := "jail:" + inventory.JailName(j.Name) + ":" + key
		if value == "off" {
			c := argv.RctlRemoveFilter(rule)
			return &c
		}
		c := argv.RctlAddRule(rule + ":" + value)
		return &c
	}
	return nil
}

func (h *Host) applyLive(ctx context.Context, j *inventory.Jail, key, value string) error {
	p, _ := config.Lookup(key)
	if p.Has(config.Restart) {
		h.Say("%s", config.RestartNotice(key))
		return nil
	}
	c := LiveArgs(j, key, value)
	if c == nil {
		return nil
	}
	// allow.vmm exists only with vmm.ko loaded, and libjail does not load
	// it: load it to turn the parameter on; without it, off is the state.
	if key == "allow_vmm" && value == "1" {
		if _, err := h.Run.Run(ctx, argv.Kldload("vmm")); err != nil {
			return fmt.Errorf("apply %s to running jail %s: allow_vmm=1 needs the vmm kernel module: %w", key, j.Name, err)
		}
	}
	if _, err := h.Run.Run(ctx, *c); err != nil {
		// rctl -r of a rule that is not there is not a failure.
		if c.Name == "rctl" && c.Args[0] == "-r" && host.ExitCodeOf(err) == 1 {
			return nil
		}
		if key == "allow_vmm" && value == "0" && strings.Contains(JailStderr(err), "unknown parameter: allow.vmm") {
			return nil
		}
		return fmt.Errorf("apply %s to running jail %s: %w", key, j.Name, err)
	}
	return nil
}
