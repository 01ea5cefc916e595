# METADATA
# title: /proc mount type (baseline)
# description: |
#   The default /proc masks reduce attack surface and should be required.
#   Restricted fields: securityContext.procMount of every container. Allowed values: undefined/null, Default.
#   From policy v1.35, pods in a user namespace (spec.hostUsers=false) may use any procMount (KEP-127).
# custom:
#   id: procMount
package checks.podsecurity.proc_mount

import data.tailor.lib.kube
import data.tailor.lib.psa

check := {"id": "procMount", "level": "baseline", "since": 0}

violation contains v if {
	not psa.is_user_namespace_pod
	some v in unmasked_violation
}

# Shared with procMount_restricted, which applies it without the user-namespace relaxation.
unmasked_violation contains {
	"reason": "procMount",
	"detail": concat(" ", [
		kube.containers_noun(names), kube.join_quoted(names),
		"must not set securityContext.procMount to", kube.join_quoted(kube.sorted_names(values)),
	]),
	"fields": [concat("", [c.path, ".securityContext.procMount"]) | some c in bad],
	"allowed": "Default or unset",
} if {
	bad := [c | some c in kube.pod_containers; _is_unmasked(c)]
	count(bad) > 0
	names := [c.name | some c in bad]
	values := [c.securityContext.procMount | some c in bad]
}

_is_unmasked(c) if {
	value := c.securityContext.procMount
	value != null
	value != "Default"
}
