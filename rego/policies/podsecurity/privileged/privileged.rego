# METADATA
# title: Privileged containers (baseline)
# description: |
#   Privileged pods disable most security mechanisms and must be disallowed.
#   Restricted fields: securityContext.privileged of every container, init container and ephemeral container.
#   Allowed values: undefined/null, false.
# custom:
#   id: privileged
package checks.podsecurity.privileged

import data.tailor.lib.kube

check := {"id": "privileged", "level": "baseline", "since": 0}

violation contains {
	"reason": "privileged",
	"detail": concat(" ", [kube.containers_noun(names), kube.join_quoted(names), "must not set securityContext.privileged=true"]),
	"fields": [concat("", [c.path, ".securityContext.privileged"]) | some c in bad],
	"allowed": "false or unset",
} if {
	bad := [c | some c in kube.pod_containers; c.securityContext.privileged == true]
	count(bad) > 0
	names := [c.name | some c in bad]
}
