# METADATA
# title: Privilege escalation (restricted)
# description: |
#   Privilege escalation (such as via set-user-ID or set-group-ID file mode) must not be allowed. From policy
#   v1.8; from v1.25 Windows pods (spec.os.name=windows) are exempt.
#   Restricted fields: securityContext.allowPrivilegeEscalation of every container. Allowed values: false.
# custom:
#   id: allowPrivilegeEscalation
package checks.podsecurity.allow_privilege_escalation

import data.tailor.lib.kube
import data.tailor.lib.psa

check := {"id": "allowPrivilegeEscalation", "level": "restricted", "since": 8}

violation contains {
	"reason": "allowPrivilegeEscalation != false",
	"detail": concat(" ", [kube.containers_noun(names), kube.join_quoted(names), "must set securityContext.allowPrivilegeEscalation=false"]),
	"fields": [concat("", [c.path, ".securityContext.allowPrivilegeEscalation"]) | some c in bad],
	"allowed": "false",
} if {
	not psa.is_windows_pod
	bad := [c | some c in kube.pod_containers; not c.securityContext.allowPrivilegeEscalation == false]
	count(bad) > 0
	names := [c.name | some c in bad]
}
