# METADATA
# title: Approved seccomp profile
# description: |
#   A pod of a workload with approved seccomp profiles must run each container under the one approved for it (type
#   Localhost, localhostProfile the approved path), set on the pod or on the container: the profile approved for
#   the container by name (seccompProfiles: the SeccompProfiles Tailor generated, one per container, each naming
#   its container in tailor.dev/container), else the one approved for every container (seccompProfile: an approved
#   file's, or a single SeccompProfile that names no container). A container neither names — one added since the
#   profiles were generated — has no approved profile and is a violation too. An ephemeral container (kubectl
#   debug) is none of the template's: it must run the profile approved for the container it targets, or, with no
#   target, one of the workload's approved profiles. In enforce mode the
#   mutating webhook sets the approved profiles on pods that set no profile of their own.
#   Restricted fields: seccompProfile of the pod and of every container.
#   Allowed values: {type: Localhost, localhostProfile: <approved for the container>}.
# custom:
#   id: approvedSeccompProfile
package checks.approved.seccomp_profile

import data.tailor.lib.approved
import data.tailor.lib.kube

check := {"id": "approvedSeccompProfile"}

violation contains {
	"reason": "unapproved seccomp profile",
	"detail": concat("", [
		"container \"", c.name, "\" must run under the approved seccomp profile Localhost \"", wanted, "\"",
	]),
	"fields": [concat("", [c.path, ".securityContext.seccompProfile"])],
	"allowed": concat("", ["{type: Localhost, localhostProfile: ", wanted, "}"]),
} if {
	_checked
	some c in kube.pod_containers
	c.list != "ephemeralContainers"
	wanted := approved.container_seccomp_profile(c.name)
	not _is_approved(_effective(c.securityContext), wanted)
}

violation contains {
	"reason": "unapproved seccomp profile",
	"detail": concat("", [
		"container \"", c.name, "\" has no approved seccomp profile (approved for ",
		kube.containers_noun(names), " ", kube.join_quoted(names), ")",
	]),
	"fields": [concat("", [c.path, ".securityContext.seccompProfile"])],
	"allowed": "none: no profile is approved for this container",
} if {
	_checked
	some c in kube.pod_containers
	c.list != "ephemeralContainers"
	not approved.container_seccomp_profile(c.name)
	names := kube.sorted_names(object.keys(approved.workload.seccompProfiles))
}

violation contains {
	"reason": "unapproved seccomp profile",
	"detail": concat("", ["ephemeral container \"", c.name, "\" must run under ", rule.what, kube.join_quoted(rule.profiles)]),
	"fields": [concat("", [c.path, ".securityContext.seccompProfile"])],
	"allowed": concat("", ["{type: Localhost, localhostProfile: ", concat(" or ", rule.profiles), "}"]),
} if {
	_checked
	some c in kube.pod_containers
	c.list == "ephemeralContainers"
	rule := _for_ephemeral(c.container)
	not _runs_one_of(_effective(c.securityContext), rule.profiles)
}

# An ephemeral container runs under the profile approved for the container it targets (kubectl debug --target: it
# sees that container's processes), else under any the workload has approved.
_for_ephemeral(container) := {
	"profiles": [profile],
	"what": concat("", ["the approved seccomp profile of the container it targets, \"", target, "\": Localhost "]),
} if {
	target := container.targetContainerName
	profile := approved.container_seccomp_profile(target)
} else := {
	"profiles": sort(approved.seccomp_profile_set),
	"what": "one of the workload's approved seccomp profiles: Localhost ",
}

_checked if {
	input.request.operation in {"CREATE", "UPDATE"}
	approved.seccomp_profiles_approved
}

_pod_profile := object.get(kube.security_context(kube.pod.spec), "seccompProfile", null)

# A container's own profile wins over the pod's.
_effective(container_context) := container_context.seccompProfile if is_object(container_context.seccompProfile)

_effective(container_context) := _pod_profile if not is_object(object.get(container_context, "seccompProfile", null))

_is_approved(profile, wanted) if {
	profile.type == "Localhost"
	profile.localhostProfile == wanted
}

_runs_one_of(profile, wanted) if {
	profile.type == "Localhost"
	profile.localhostProfile in wanted
}
