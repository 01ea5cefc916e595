# METADATA
# title: Apply the approved seccomp profile
# description: |
#   In enforce mode, a new pod of a workload with an approved seccomp profile that sets no seccomp profile of its
#   own (neither on the pod nor on any container) gets the approved one at pod level:
#   securityContext.seccompProfile = {type: Localhost, localhostProfile: <approved>}.
package mutations.approved_seccomp_profile

import data.tailor.lib.approved
import data.tailor.lib.kube

patch contains {"op": "add", "path": "/spec/securityContext/seccompProfile", "value": _profile} if {
	_applies
	is_object(kube.admitted.spec.securityContext)
}

patch contains {"op": "add", "path": "/spec/securityContext", "value": {"seccompProfile": _profile}} if {
	_applies
	not is_object(object.get(kube.admitted.spec, "securityContext", null))
}

_profile := {"type": "Localhost", "localhostProfile": approved.workload.seccompProfile}

_applies if {
	input.mode == "enforce"
	kube.kind == "Pod"
	input.request.operation == "CREATE"
	approved.workload.seccompProfile
	not _sets_a_profile
}

_sets_a_profile if is_object(kube.security_context(kube.admitted.spec).seccompProfile)

_sets_a_profile if {
	some c in kube.containers(kube.admitted.spec)
	is_object(c.securityContext.seccompProfile)
}
