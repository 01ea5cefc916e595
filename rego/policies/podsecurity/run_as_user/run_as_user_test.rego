package checks.podsecurity.run_as_user_test

import data.checks.podsecurity.run_as_user
import data.tailor.lib.testing

test_non_zero_user_passes if {
	pod := testing.pod_with_spec({"securityContext": {"runAsUser": 1000}})
	count(run_as_user.violation) == 0 with input as testing.create(pod, "restricted")
}

test_root_user_is_named if {
	pod := testing.pod_with_container_context({"runAsUser": 0})
	some v in run_as_user.violation with input as testing.create(pod, "restricted")
	v.detail == "container \"app\" must not set runAsUser=0"
}

test_the_check_starts_at_v1_23 if {
	pod := testing.pod_with_spec({"securityContext": {"runAsUser": 0}})
	"runAsUser" in testing.checks(testing.create_at(pod, "restricted", "v1.23"))
	not "runAsUser" in testing.checks(testing.create_at(pod, "restricted", "v1.22"))
}
