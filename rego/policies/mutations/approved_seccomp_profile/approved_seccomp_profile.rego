# METADATA
# title: Apply the approved seccomp profiles
# description: |
#   In enforce mode, a new pod of a workload with approved seccomp profiles that sets no seccomp profile of its own
#   (neither on the pod nor on any container) gets them: the one approved for every container at pod level
#   (securityContext.seccompProfile = {type: Localhost, localhostProfile: <approved>}), each container's own on the
#   container. A container no approval names gets none (and approvedSeccompProfile then says so).
package mutations.approved_seccomp_profile

import data.tailor.lib.approved
import data.tailor.lib.kube

patch contains {"op": "add", "path": "/spec/securityContext/seccompProfile", "value": _localhost(profile)} if {
	_applies
	profile := approved.workload.seccompProfile
	is_object(kube.admitted.spec.securityContext)
}

patch contains {"op": "add", "path": "/spec/securityContext", "value": {"seccompProfile": _localhost(profile)}} if {
	_applies
	profile := approved.workload.seccompProfile
	not is_object(object.get(kube.admitted.spec, "securityContext", null))
}

patch contains op if {
	_applies
	some c in kube.containers(kube.admitted.spec)
	profile := approved.workload.seccompProfiles[c.name]
	op := _container_patch(c, _localhost(profile))
}

_container_patch(c, profile) := {"op": "add", "path": concat("", [_at(c), "/securityContext/seccompProfile"]), "value": profile} if {
	is_object(c.container.securityContext)
}

_container_patch(c, profile) := {"op": "add", "path": concat("", [_at(c), "/securityContext"]), "value": {"seccompProfile": profile}} if {
	not is_object(object.get(c.container, "securityContext", null))
}

_at(c) := concat("", ["/spec/", c.list, "/", format_int(c.index, 10)])

_localhost(profile) := {"type": "Localhost", "localhostProfile": profile}

_applies if {
	input.mode == "enforce"
	kube.kind == "Pod"
	input.request.operation == "CREATE"
	approved.seccomp_profiles_approved
	not _sets_a_profile
}

_sets_a_profile if is_object(kube.security_context(kube.admitted.spec).seccompProfile)

_sets_a_profile if {
	some c in kube.containers(kube.admitted.spec)
	is_object(c.securityContext.seccompProfile)
}
