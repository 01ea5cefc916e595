# METADATA
# title: Running as non-root (restricted)
# description: |
#   Containers must be required to run as non-root users. From policy v1.35, pods in a user namespace
#   (spec.hostUsers=false) are exempt (KEP-127).
#   Restricted fields: spec.securityContext.runAsNonRoot, securityContext.runAsNonRoot of every container.
#   Allowed values: true; a container may leave it unset when the pod sets true.
# custom:
#   id: runAsNonRoot
package checks.podsecurity.run_as_non_root

import data.tailor.lib.kube
import data.tailor.lib.psa

check := {"id": "runAsNonRoot", "level": "restricted", "since": 0}

pod_value := kube.security_context(kube.pod.spec).runAsNonRoot

# Explicit runAsNonRoot=false on the pod or a container.
violation contains {
	"reason": "runAsNonRoot != true",
	"detail": concat("", [concat(" and ", setters), " must not set securityContext.runAsNonRoot=false"]),
	"fields": fields,
	"allowed": "true",
} if {
	not psa.is_user_namespace_pod
	pod_bad := [1 | pod_value == false]
	bad := [c | some c in kube.pod_containers; c.securityContext.runAsNonRoot == false]
	count(pod_bad) + count(bad) > 0
	setters := array.concat(
		["pod" | count(pod_bad) > 0],
		[concat(" ", [kube.containers_noun(names), kube.join_quoted(names)]) | names := [c.name | some c in bad]; count(names) > 0],
	)
	fields := array.concat(
		[concat("", [kube.pod.path, ".securityContext.runAsNonRoot"]) | count(pod_bad) > 0],
		[concat("", [c.path, ".securityContext.runAsNonRoot"]) | some c in bad],
	)
}

# Nothing set: neither the pod nor every container says runAsNonRoot=true.
violation contains {
	"reason": "runAsNonRoot != true",
	"detail": concat(" ", ["pod or", kube.containers_noun(names), kube.join_quoted(names), "must set securityContext.runAsNonRoot=true"]),
	"fields": [concat("", [c.path, ".securityContext.runAsNonRoot"]) | some c in unset],
	"allowed": "true",
} if {
	not psa.is_user_namespace_pod
	not pod_value == false
	not [c | some c in kube.pod_containers; c.securityContext.runAsNonRoot == false][0]
	not pod_value == true
	unset := [c | some c in kube.pod_containers; not _is_set(c.container)]
	count(unset) > 0
	names := [c.name | some c in unset]
}

_is_set(container) if is_boolean(kube.security_context(container).runAsNonRoot)
