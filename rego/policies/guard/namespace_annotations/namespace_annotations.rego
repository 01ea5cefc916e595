# METADATA
# title: Who may switch a namespace
# description: |
#   Only the configured admins (data.config.admins: users and groups, by default the group system:masters and
#   the group tailor-admins) may set or change the annotations tailor.dev/mode, tailor.dev/pod-security and
#   tailor.dev/pod-security-version — in every mode, so a namespace owner cannot switch their own namespace back
#   to audit. Their values must be valid, and the label tailor.dev/mode must mirror the mode. Denied in audit
#   mode too ("always").
# custom:
#   id: namespaceAnnotationGuard
package checks.guard.namespace_annotations

import data.tailor.lib.admins
import data.tailor.lib.kube
import data.tailor.lib.mode

check := {"id": "namespaceAnnotationGuard"}

valid_values := {
	"tailor.dev/mode": {"audit", "enforce"},
	"tailor.dev/pod-security": {"privileged", "baseline", "restricted"},
}

annotations := object.get(kube.admitted, ["metadata", "annotations"], {})

old_annotations := object.get(kube.old_admitted, ["metadata", "annotations"], {}) if input.request.operation == "UPDATE"

default old_annotations := {}

changed contains key if {
	some key in mode.protected_annotations
	object.get(annotations, key, null) != object.get(old_annotations, key, null)
}

violation contains {
	"reason": "not allowed to switch this namespace",
	"detail": concat("", [
		"user \"", input.request.userInfo.username, "\" may not change ", kube.join_quoted(sort(changed)),
		", only ", concat(", ", admins.names), " may",
	]),
	"fields": [concat("", ["metadata.annotations[\"", key, "\"]"]) | some key in sort(changed)],
	"allowed": "changes by configured admins only",
	"always": true,
} if {
	_is_namespace_write
	count(changed) > 0
	not admins.requester_is_admin
}

violation contains {
	"reason": "invalid annotation value",
	"detail": concat("", [key, "=\"", value, "\" is not one of ", kube.join_quoted(sort(allowed))]),
	"fields": [concat("", ["metadata.annotations[\"", key, "\"]"])],
	"allowed": concat(", ", sort(allowed)),
	"always": true,
} if {
	_is_namespace_write
	some key, allowed in valid_values
	value := annotations[key]
	not allowed[value]
}

violation contains {
	"reason": "invalid annotation value",
	"detail": concat("", ["tailor.dev/pod-security-version=\"", value, "\" is neither \"latest\" nor \"v1.<minor>\""]),
	"fields": ["metadata.annotations[\"tailor.dev/pod-security-version\"]"],
	"allowed": "latest or v1.<minor>",
	"always": true,
} if {
	_is_namespace_write
	value := annotations["tailor.dev/pod-security-version"]
	not _is_valid_version(value)
}

violation contains {
	"reason": "mode label out of sync",
	"detail": concat("", [
		"label tailor.dev/mode=\"", label, "\" but the namespace's mode is \"", wanted,
		"\"; set the annotation tailor.dev/mode instead",
	]),
	"fields": ["metadata.labels[\"tailor.dev/mode\"]"],
	"allowed": wanted,
	"always": true,
} if {
	_is_namespace_write
	label := kube.admitted.metadata.labels[mode.mode_key]
	wanted := mode.admitted_namespace_mode
	label != wanted
}

_is_namespace_write if {
	kube.kind == "Namespace"
	input.request.operation in {"CREATE", "UPDATE"}
}

_is_valid_version("latest")

_is_valid_version(value) if {
	startswith(value, "v1.")
	minor := trim_prefix(value, "v1.")
	count(minor) > 0
	count(minor) <= 3
	every digit in split(minor, "") {
		digit in {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}
	}
}
