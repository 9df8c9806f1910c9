// Package plugin reads iocage's plugin index and plugin manifests
// (plugin_manifest.json) and installs, updates and upgrades plugin jails.
package plugin
