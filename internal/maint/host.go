package maint

import "github.com/jcage/jcage/internal/jail"

// Host updates and upgrades the jails of a jail.Host.
type Host struct{ *jail.Host }

// Of is h's update and upgrade.
func Of(h *jail.Host) *Host { return &Host{h} }
