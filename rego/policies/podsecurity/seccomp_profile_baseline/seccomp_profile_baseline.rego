# METADATA
# title: Seccomp (baseline)
# description: |
#   If a seccomp profile is set, only the runtime default and localhost profiles are allowed.
#   Policy v1.0-v1.18: metadata.annotations["seccomp.security.alpha.kubernetes.io/pod"] and
#   ["container.seccomp.security.alpha.kubernetes.io/<container>"]; allowed runtime/default, docker/default,
#   localhost/*, undefined.
#   Policy v1.19+: seccompProfile.type of the pod and of every container; allowed RuntimeDefault, Localhost,
#   undefined.
# custom:
#   id: seccompProfile_baseline
package checks.podsecurity.seccomp_profile_baseline

import data.tailor.lib.kube
import data.tailor.lib.psa

check := {"id": "seccompProfile_baseline", "level": "baseline", "since": 0}

pod_annotation := "seccomp.security.alpha.kubernetes.io/pod"

container_annotation_prefix := "container.seccomp.security.alpha.kubernetes.io/"

violation contains {
	"reason": "seccompProfile",
	"detail": concat(" ", [_annotations_noun(bad), concat(", ", [b.text | some b in bad])]),
	"fields": [b.field | some b in bad],
	"allowed": "runtime/default, docker/default or localhost/*",
} if {
	psa.minor < 19
	annotations := object.get(kube.pod.metadata, "annotations", {})
	keys := {pod_annotation} | {concat("", [container_annotation_prefix, c.name]) | some c in kube.pod_containers}
	bad := [{"text": concat("", [key, "=\"", annotations[key], "\""]), "field": concat("", ["metadata.annotations[\"", key, "\"]"])} |
		some key in sort(keys)
		not _allowed_annotation(annotations[key])
	]
	count(bad) > 0
}

violation contains {
	"reason": "seccompProfile",
	"detail": concat("", [concat(" and ", setters), " must not set securityContext.seccompProfile.type to ", kube.join_quoted(kube.sorted_names(values))]),
	"fields": fields,
	"allowed": "RuntimeDefault, Localhost or unset",
} if {
	psa.minor >= 19
	pod_bad := [1 | profile := kube.security_context(kube.pod.spec).seccompProfile; is_object(profile); not is_allowed_type(object.get(profile, "type", ""))]
	bad := [c | some c in kube.pod_containers; profile := c.securityContext.seccompProfile; is_object(profile); not is_allowed_type(object.get(profile, "type", ""))]
	count(pod_bad) + count(bad) > 0
	setters := array.concat(
		["pod" | count(pod_bad) > 0],
		[concat(" ", [kube.containers_noun(names), kube.join_quoted(names)]) | names := [c.name | some c in bad]; count(names) > 0],
	)
	values := array.concat(
		[object.get(kube.security_context(kube.pod.spec).seccompProfile, "type", "") | count(pod_bad) > 0],
		[object.get(c.securityContext.seccompProfile, "type", "") | some c in bad],
	)
	fields := array.concat(
		[concat("", [kube.pod.path, ".securityContext.seccompProfile.type"]) | count(pod_bad) > 0],
		[concat("", [c.path, ".securityContext.seccompProfile.type"]) | some c in bad],
	)
}

is_allowed_type("RuntimeDefault")

is_allowed_type("Localhost")

_allowed_annotation("runtime/default")

_allowed_annotation("docker/default")

_allowed_annotation(value) if startswith(value, "localhost/")

_annotations_noun(bad) := "forbidden annotation" if count(bad) == 1

_annotations_noun(bad) := "forbidden annotations" if count(bad) != 1
