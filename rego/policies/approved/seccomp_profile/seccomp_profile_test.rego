package checks.approved.seccomp_profile_test

import data.checks.approved.seccomp_profile
import data.tailor.lib.testing

approved := {"workloads": {"shop": {"pod.api-7f9c-x2x8z": {"seccompProfile": "operator/shop/api.json"}}}}

localhost := {"type": "Localhost", "localhostProfile": "operator/shop/api.json"}

test_pod_level_approved_profile_passes if {
	pod := testing.pod_with_spec({"securityContext": {"seccompProfile": localhost}})
	count(seccomp_profile.violation) == 0 with input as testing.create(pod, "baseline") with data.approved as approved
}

test_runtime_default_is_not_the_approved_profile if {
	some v in seccomp_profile.violation with input as testing.create(testing.base_pod, "baseline") with data.approved as approved
	v.detail == "container \"app\" must run under the approved seccomp profile Localhost \"operator/shop/api.json\""
}

test_container_profile_overrides_the_pod_profile if {
	pod := object.union(
		testing.pod_with_spec({"securityContext": {"seccompProfile": localhost}}),
		testing.pod_with_container_context({"seccompProfile": {"type": "RuntimeDefault"}}),
	)
	count(seccomp_profile.violation) == 1 with input as testing.create(pod, "baseline") with data.approved as approved
}
