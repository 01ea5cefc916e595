package checks.podsecurity.privileged_test

import data.checks.podsecurity.privileged
import data.tailor.lib.testing

test_unprivileged_container_passes if {
	pod := testing.pod_with_container_context({"privileged": false})
	count(privileged.violation) == 0 with input as testing.create(pod, "baseline")
}

test_privileged_container_is_named if {
	pod := testing.pod_with_container_context({"privileged": true})
	some v in privileged.violation with input as testing.create(pod, "baseline")
	v.detail == "container \"app\" must not set securityContext.privileged=true"
	v.fields == ["spec.containers[0].securityContext.privileged"]
}

test_privileged_ephemeral_container_is_caught if {
	pod := testing.pod_with_spec({"ephemeralContainers": [{"name": "debug", "image": "busybox", "securityContext": {"privileged": true}}]})
	some v in privileged.violation with input as testing.create(pod, "baseline")
	v.fields == ["spec.ephemeralContainers[0].securityContext.privileged"]
}
