# METADATA
# title: Approved seccomp profile
# description: |
#   A pod of a workload with an approved seccomp profile must run every container under that profile (type
#   Localhost, localhostProfile the approved path), set on the pod or on each container. In enforce mode the
#   mutating webhook sets it on pods that set no profile of their own.
#   Restricted fields: seccompProfile of the pod and of every container.
#   Allowed values: {type: Localhost, localhostProfile: <approved>}.
# custom:
#   id: approvedSeccompProfile
package checks.approved.seccomp_profile

import data.tailor.lib.approved
import data.tailor.lib.kube

check := {"id": "approvedSeccompProfile"}

violation contains {
	"reason": "unapproved seccomp profile",
	"detail": concat("", [
		kube.containers_noun(names), " ", kube.join_quoted(names),
		" must run under the approved seccomp profile Localhost \"", wanted, "\"",
	]),
	"fields": [concat("", [c.path, ".securityContext.seccompProfile"]) | some c in bad],
	"allowed": concat("", ["{type: Localhost, localhostProfile: ", wanted, "}"]),
} if {
	input.request.operation in {"CREATE", "UPDATE"}
	wanted := approved.workload.seccompProfile
	pod_profile := object.get(kube.security_context(kube.pod.spec), "seccompProfile", null)
	bad := [c |
		some c in kube.pod_containers
		not _is_approved(_effective(c.securityContext, pod_profile), wanted)
	]
	count(bad) > 0
	names := [c.name | some c in bad]
}

# A container's own profile wins over the pod's.
_effective(container_context, _) := container_context.seccompProfile if is_object(container_context.seccompProfile)

_effective(container_context, pod_profile) := pod_profile if not is_object(object.get(container_context, "seccompProfile", null))

_is_approved(profile, wanted) if {
	profile.type == "Localhost"
	profile.localhostProfile == wanted
}
