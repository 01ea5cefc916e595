# METADATA
# title: Mirror a namespace's mode into its labels
# description: |
#   Webhook namespaceSelectors match labels, not annotations, and Tailor's webhook configuration has one entry
#   for audit-mode namespaces (failurePolicy Ignore) and one for enforce-mode namespaces (failurePolicy Fail). So
#   on every Namespace write the label tailor.dev/mode is set to the mode the annotation selects.
package mutations.namespace_mode_label

import data.tailor.lib.kube
import data.tailor.lib.mode

patch contains {"op": "add", "path": "/metadata/labels", "value": {mode.mode_key: wanted}} if {
	_applies
	wanted := mode.admitted_namespace_mode
	not is_object(object.get(kube.admitted.metadata, "labels", null))
}

patch contains {"op": "add", "path": "/metadata/labels/tailor.dev~1mode", "value": wanted} if {
	_applies
	wanted := mode.admitted_namespace_mode
	is_object(kube.admitted.metadata.labels)
	object.get(kube.admitted.metadata.labels, mode.mode_key, null) != wanted
}

_applies if {
	kube.kind == "Namespace"
	input.request.operation in {"CREATE", "UPDATE"}
}
