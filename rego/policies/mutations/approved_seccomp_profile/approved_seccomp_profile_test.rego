package mutations.approved_seccomp_profile_test

import data.mutations.approved_seccomp_profile
import data.tailor.lib.testing

approved := {"workloads": {"shop": {"pod.api-7f9c-x2x8z": {"seccompProfile": "operator/shop/api.json"}}}}

no_profile := testing.pod_with_spec({"securityContext": {"seccompProfile": null}})

test_enforce_mode_sets_the_approved_profile if {
	approved_seccomp_profile.patch == {{
		"op": "add",
		"path": "/spec/securityContext/seccompProfile",
		"value": {"type": "Localhost", "localhostProfile": "operator/shop/api.json"},
	}} with input as testing.create(no_profile, "baseline")
		with data.approved as approved
}

test_security_context_is_created_when_missing if {
	pod := object.union(testing.base_pod, {"spec": {"securityContext": null}})
	some op in approved_seccomp_profile.patch with input as testing.create(pod, "baseline") with data.approved as approved
	op.path == "/spec/securityContext"
}

test_audit_mode_changes_nothing if {
	count(approved_seccomp_profile.patch) == 0 with input as object.union(testing.create(no_profile, "baseline"), {"mode": "audit"})
		with data.approved as approved
}

test_a_pod_with_its_own_profile_is_left_alone if {
	count(approved_seccomp_profile.patch) == 0 with input as testing.create(testing.base_pod, "baseline") with data.approved as approved
}
