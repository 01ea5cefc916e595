# METADATA
# title: Namespace mode annotations
# description: |
#   tailor.dev/mode (audit | enforce) switches a namespace; tailor.dev/pod-security and
#   tailor.dev/pod-security-version set its Pod Security level and version. The label tailor.dev/mode mirrors
#   the mode (kept by the mutating webhook) because webhook namespaceSelectors match labels, not annotations.
package tailor.lib.mode

modes := {"audit", "enforce"}

mode_key := "tailor.dev/mode"

protected_annotations := {mode_key, "tailor.dev/pod-security", "tailor.dev/pod-security-version"}

default_mode := m if {
	m := data.config.defaultMode
	modes[m]
} else := "audit"

# The mode a Namespace object's annotations select.
mode_of(namespace) := m if {
	m := namespace.metadata.annotations[mode_key]
	modes[m]
} else := default_mode
