package checks.podsecurity.seccomp_profile_baseline_test

import data.checks.podsecurity.seccomp_profile_baseline
import data.tailor.lib.testing

test_unset_profile_passes_baseline if {
	pod := testing.pod_with_spec({"securityContext": {"seccompProfile": null}})
	count(seccomp_profile_baseline.violation) == 0 with input as testing.create(pod, "baseline")
}

test_unconfined_container_is_named if {
	pod := testing.pod_with_container_context({"seccompProfile": {"type": "Unconfined"}})
	some v in seccomp_profile_baseline.violation with input as testing.create(pod, "baseline")
	v.detail == "container \"app\" must not set securityContext.seccompProfile.type to \"Unconfined\""
}

test_before_v1_19_the_annotations_count if {
	pod := object.union(testing.base_pod, {"metadata": {"annotations": {"seccomp.security.alpha.kubernetes.io/pod": "unconfined"}}})
	some v in seccomp_profile_baseline.violation with input as testing.create_at(pod, "baseline", "v1.18")
	v.detail == "forbidden annotation seccomp.security.alpha.kubernetes.io/pod=\"unconfined\""
	count(seccomp_profile_baseline.violation) == 0 with input as testing.create_at(pod, "baseline", "v1.19")
}
