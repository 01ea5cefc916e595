# METADATA
# title: Running as a non-root user ID (restricted)
# description: |
#   Containers must not set runAsUser to 0. From policy v1.23; from v1.35, pods in a user namespace
#   (spec.hostUsers=false) are exempt (KEP-127).
#   Restricted fields: spec.securityContext.runAsUser, securityContext.runAsUser of every container.
#   Allowed values: any non-zero value, undefined/null.
# custom:
#   id: runAsUser
package checks.podsecurity.run_as_user

import data.tailor.lib.kube
import data.tailor.lib.psa

check := {"id": "runAsUser", "level": "restricted", "since": 23}

violation contains {
	"reason": "runAsUser=0",
	"detail": concat("", [concat(" and ", setters), " must not set runAsUser=0"]),
	"fields": fields,
	"allowed": "a non-zero user ID or unset",
} if {
	not psa.is_user_namespace_pod
	pod_bad := [1 | kube.security_context(kube.pod.spec).runAsUser == 0]
	bad := [c | some c in kube.pod_containers; c.securityContext.runAsUser == 0]
	count(pod_bad) + count(bad) > 0
	setters := array.concat(
		["pod" | count(pod_bad) > 0],
		[concat(" ", [kube.containers_noun(names), kube.join_quoted(names)]) | names := [c.name | some c in bad]; count(names) > 0],
	)
	fields := array.concat(
		[concat("", [kube.pod.path, ".securityContext.runAsUser"]) | count(pod_bad) > 0],
		[concat("", [c.path, ".securityContext.runAsUser"]) | some c in bad],
	)
}
