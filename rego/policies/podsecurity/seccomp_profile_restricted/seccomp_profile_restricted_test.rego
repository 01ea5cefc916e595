package checks.podsecurity.seccomp_profile_restricted_test

import data.checks.podsecurity.seccomp_profile_restricted
import data.tailor.lib.testing

test_pod_level_runtime_default_passes if {
	count(seccomp_profile_restricted.violation) == 0 with input as testing.create(testing.base_pod, "restricted")
}

test_unset_profile_names_the_containers if {
	pod := testing.pod_with_spec({"securityContext": {"seccompProfile": null}})
	some v in seccomp_profile_restricted.violation with input as testing.create(pod, "restricted")
	v.detail == "pod or container \"app\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\""
}

test_unconfined_pod_is_a_violation if {
	pod := testing.pod_with_spec({"securityContext": {"seccompProfile": {"type": "Unconfined"}}})
	some v in seccomp_profile_restricted.violation with input as testing.create(pod, "restricted")
	v.detail == "pod must not set securityContext.seccompProfile.type to \"Unconfined\""
}
