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

test_each_container_gets_its_own_approved_profile if {
	per_container := {"workloads": {"shop": {"pod.api-7f9c-x2x8z": {"seccompProfiles": {
		"init": "operator/shop/api-init.json",
		"app": "operator/shop/api-app.json",
	}}}}}
	pod := object.union(testing.base_pod, {"spec": {
		"securityContext": {"runAsNonRoot": true, "seccompProfile": null},
		"initContainers": [{"name": "init", "image": "registry.example/init:1"}],
		"containers": [
			{"name": "app", "image": "registry.example/app:1", "securityContext": {"allowPrivilegeEscalation": false}},
			{"name": "debug", "image": "registry.example/debug:1"},
		],
	}})
	approved_seccomp_profile.patch == {
		{
			"op": "add", "path": "/spec/initContainers/0/securityContext",
			"value": {"seccompProfile": {"type": "Localhost", "localhostProfile": "operator/shop/api-init.json"}},
		},
		{
			"op": "add", "path": "/spec/containers/0/securityContext/seccompProfile",
			"value": {"type": "Localhost", "localhostProfile": "operator/shop/api-app.json"},
		},
	} with input as testing.create(pod, "baseline") with data.approved as per_container
}
