package checks.podsecurity.app_armor_profile_test

import data.checks.podsecurity.app_armor_profile
import data.tailor.lib.testing

test_runtime_default_and_localhost_pass if {
	pod := object.union(
		testing.pod_with_spec({"securityContext": {"appArmorProfile": {"type": "RuntimeDefault"}}}),
		{"metadata": {"annotations": {"container.apparmor.security.beta.kubernetes.io/app": "localhost/custom"}}},
	)
	count(app_armor_profile.violation) == 0 with input as testing.create(pod, "baseline")
}

test_unconfined_field_is_a_violation if {
	pod := testing.pod_with_container_context({"appArmorProfile": {"type": "Unconfined"}})
	some v in app_armor_profile.violation with input as testing.create(pod, "baseline")
	v.detail == "container \"app\" \"Unconfined\""
	v.fields == ["spec.containers[0].securityContext.appArmorProfile.type"]
}

test_unconfined_annotation_is_a_violation if {
	pod := object.union(testing.base_pod, {"metadata": {"annotations": {"container.apparmor.security.beta.kubernetes.io/app": "unconfined"}}})
	some v in app_armor_profile.violation with input as testing.create(pod, "baseline")
	v.fields == ["metadata.annotations[\"container.apparmor.security.beta.kubernetes.io/app\"]"]
}
