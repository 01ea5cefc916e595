# METADATA
# title: AppArmor (baseline)
# description: |
#   On supported hosts the RuntimeDefault AppArmor profile applies by default; overriding or disabling it must be
#   restricted to allowed profiles.
#   Restricted fields: spec.securityContext.appArmorProfile.type, securityContext.appArmorProfile.type of every
#   container, metadata.annotations["container.apparmor.security.beta.kubernetes.io/*"].
#   Allowed values: undefined/null, RuntimeDefault, Localhost; annotations: "", runtime/default, localhost/*.
# custom:
#   id: appArmorProfile
package checks.podsecurity.app_armor_profile

import data.tailor.lib.kube

check := {"id": "appArmorProfile", "level": "baseline", "since": 0}

annotation_prefix := "container.apparmor.security.beta.kubernetes.io/"

violation contains {
	"reason": "forbidden AppArmor profile",
	"detail": concat(", ", [b.text | some b in bad]),
	"fields": [b.field | some b in bad],
	"allowed": "RuntimeDefault or Localhost (annotation: runtime/default or localhost/*)",
} if {
	bad := array.concat(array.concat(_pod_field, _container_fields), _annotations)
	count(bad) > 0
}

_pod_field := [{"text": concat("", ["pod \"", t, "\""]), "field": concat("", [kube.pod.path, ".securityContext.appArmorProfile.type"])} |
	profile := kube.security_context(kube.pod.spec).appArmorProfile
	is_object(profile)
	t := object.get(profile, "type", "")
	not _allowed_type(t)
]

_container_fields := [{"text": concat("", ["container \"", c.name, "\" \"", t, "\""]), "field": concat("", [c.path, ".securityContext.appArmorProfile.type"])} |
	some c in kube.pod_containers
	profile := c.securityContext.appArmorProfile
	is_object(profile)
	t := object.get(profile, "type", "")
	not _allowed_type(t)
]

_annotations := [{"text": concat("", [key, "=\"", value, "\""]), "field": concat("", ["metadata.annotations[\"", key, "\"]"])} |
	some key, value in object.get(kube.pod.metadata, "annotations", {})
	startswith(key, annotation_prefix)
	not _allowed_annotation(value)
]

_allowed_type("RuntimeDefault")

_allowed_type("Localhost")

_allowed_annotation("")

_allowed_annotation("runtime/default")

_allowed_annotation(value) if startswith(value, "localhost/")
