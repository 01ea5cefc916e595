# METADATA
# title: Seccomp (restricted)
# description: |
#   A seccomp profile must be set explicitly, and only the runtime default and localhost profiles are allowed.
#   From policy v1.19, replacing seccompProfile_baseline; from v1.25 Windows pods are exempt.
#   Restricted fields: spec.securityContext.seccompProfile.type, securityContext.seccompProfile.type of every
#   container. Allowed values: RuntimeDefault, Localhost; a container may leave it unset when the pod sets one.
# custom:
#   id: seccompProfile_restricted
package checks.podsecurity.seccomp_profile_restricted

import data.checks.podsecurity.seccomp_profile_baseline.is_allowed_type
import data.tailor.lib.kube
import data.tailor.lib.psa

check := {"id": "seccompProfile_restricted", "level": "restricted", "since": 19, "overrides": ["seccompProfile_baseline"]}

pod_profile := kube.security_context(kube.pod.spec).seccompProfile

explicitly_bad := [c | some c in kube.pod_containers; _is_bad(c.securityContext.seccompProfile)]

pod_is_bad if _is_bad(pod_profile)

# The pod or a container sets a profile type that is not allowed.
violation contains {
	"reason": "seccompProfile",
	"detail": concat("", [concat(" and ", setters), " must not set securityContext.seccompProfile.type to ", kube.join_quoted(kube.sorted_names(values))]),
	"fields": fields,
	"allowed": "RuntimeDefault or Localhost",
} if {
	not psa.is_windows_pod
	pod_bad := [1 | pod_is_bad]
	count(pod_bad) + count(explicitly_bad) > 0
	setters := array.concat(
		["pod" | count(pod_bad) > 0],
		[concat(" ", [kube.containers_noun(names), kube.join_quoted(names)]) | names := [c.name | some c in explicitly_bad]; count(names) > 0],
	)
	values := array.concat(
		[object.get(pod_profile, "type", "") | count(pod_bad) > 0],
		[object.get(c.securityContext.seccompProfile, "type", "") | some c in explicitly_bad],
	)
	fields := array.concat(
		[concat("", [kube.pod.path, ".securityContext.seccompProfile.type"]) | count(pod_bad) > 0],
		[concat("", [c.path, ".securityContext.seccompProfile.type"]) | some c in explicitly_bad],
	)
}

# No allowed pod-level profile, and some containers set none of their own.
violation contains {
	"reason": "seccompProfile",
	"detail": concat(" ", ["pod or", kube.containers_noun(names), kube.join_quoted(names), "must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\""]),
	"fields": [concat("", [c.path, ".securityContext.seccompProfile.type"]) | some c in unset],
	"allowed": "RuntimeDefault or Localhost",
} if {
	not psa.is_windows_pod
	not pod_is_bad
	count(explicitly_bad) == 0
	not _has_profile(kube.security_context(kube.pod.spec))
	unset := [c | some c in kube.pod_containers; not _has_profile(c.securityContext)]
	count(unset) > 0
	names := [c.name | some c in unset]
}

# Called with the security context, never with an undefined profile: `not f(undefined)` is undefined in Rego.
_has_profile(security_context) if is_object(security_context.seccompProfile)

_is_bad(profile) if {
	is_object(profile)
	not is_allowed_type(object.get(profile, "type", ""))
}
