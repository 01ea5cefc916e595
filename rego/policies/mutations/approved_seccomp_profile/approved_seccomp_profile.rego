# METADATA
# title: Apply the approved seccomp profiles
# description: |
#   In enforce mode, a new pod of a workload with approved seccomp profiles that sets no seccomp profile of its own
#   (neither on the pod nor on any container) gets them: the one approved for every container at pod level
#   (securityContext.seccompProfile = {type: Localhost, localhostProfile: <approved>}), each container's own on the
#   container. A container no approval names gets none (and approvedSeccompProfile then says so). kubectl debug in an
#   enforced namespace: an ephemeral container it adds that sets no profile, in a pod that sets none, gets the one
#   approved for the container it targets (--target), which approvedSeccompProfile holds it to; without a target,
#   none (which of the workload's profiles a debugger needs is not Tailor's to guess).
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

patch contains op if {
	_debugging
	some c in kube.containers(kube.admitted.spec)
	c.list == "ephemeralContainers"
	not _added_before(c.name)
	not is_object(object.get(c.securityContext, "seccompProfile", null))
	profile := approved.container_seccomp_profile(c.container.targetContainerName)
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

# The pods/ephemeralcontainers subresource's UPDATE: what kubectl debug sends.
_debugging if {
	input.mode == "enforce"
	kube.kind == "Pod"
	input.request.operation == "UPDATE"
	input.request.subResource == "ephemeralcontainers"
	approved.seccomp_profiles_approved
	not is_object(object.get(kube.security_context(kube.admitted.spec), "seccompProfile", null))
}

# An ephemeral container the pod had before this request: it cannot be changed any more.
_added_before(name) if {
	some e in kube.object_get(kube.old_pod_spec, "ephemeralContainers", [])
	e.name == name
}

_sets_a_profile if is_object(kube.security_context(kube.admitted.spec).seccompProfile)

_sets_a_profile if {
	some c in kube.containers(kube.admitted.spec)
	is_object(c.securityContext.seccompProfile)
}
