# METADATA
# title: Namespace mode annotations
# description: |
#   tailor.dev/mode (audit | enforce) switches a namespace; tailor.dev/pod-security and
#   tailor.dev/pod-security-version set its Pod Security level and version. The label tailor.dev/mode mirrors
#   the mode (kept by the mutating webhook) because webhook namespaceSelectors match labels, not annotations.
#   The values an annotation may take are checked here (modes); which mode applies is the webhook's to resolve.
package tailor.lib.mode

modes := {"audit", "enforce"}

mode_key := "tailor.dev/mode"

protected_annotations := {mode_key, "tailor.dev/pod-security", "tailor.dev/pod-security-version"}

# Which mode a namespace is in is decided once, by the webhook (dev.tailor.contract.Mode.selectedBy): input.mode is
# the mode in force for the request, and on a Namespace write input.admittedNamespaceMode is the mode the written
# object selects (its annotation when that names a mode, else the webhook's default).
admitted_namespace_mode := input.admittedNamespaceMode
