package checks.podsecurity.run_as_non_root_test

import data.checks.podsecurity.run_as_non_root
import data.tailor.lib.testing

test_pod_level_true_covers_the_containers if {
	count(run_as_non_root.violation) == 0 with input as testing.create(testing.base_pod, "restricted")
}

test_every_container_true_without_pod_level_passes if {
	pod := object.union(
		testing.pod_with_spec({"securityContext": {"runAsNonRoot": null}}),
		testing.pod_with_container_context({"runAsNonRoot": true}),
	)
	count(run_as_non_root.violation) == 0 with input as testing.create(pod, "restricted")
}

test_container_false_overrides_pod_true if {
	pod := testing.pod_with_container_context({"runAsNonRoot": false})
	some v in run_as_non_root.violation with input as testing.create(pod, "restricted")
	v.detail == "container \"app\" must not set securityContext.runAsNonRoot=false"
}

test_unset_everywhere_names_the_containers if {
	pod := testing.pod_with_spec({"securityContext": {"runAsNonRoot": null}})
	some v in run_as_non_root.violation with input as testing.create(pod, "restricted")
	v.detail == "pod or container \"app\" must set securityContext.runAsNonRoot=true"
}

test_user_namespace_pods_are_exempt_from_v1_35 if {
	pod := testing.pod_with_spec({"hostUsers": false, "securityContext": {"runAsNonRoot": null}})
	count(run_as_non_root.violation) == 0 with input as testing.create_at(pod, "restricted", "v1.35")
	count(run_as_non_root.violation) == 1 with input as testing.create_at(pod, "restricted", "v1.34")
}
