package checks.podsecurity.windows_host_process_test

import data.checks.podsecurity.windows_host_process
import data.tailor.lib.testing

test_host_process_false_passes if {
	pod := testing.pod_with_spec({"securityContext": {"windowsOptions": {"hostProcess": false}}})
	count(windows_host_process.violation) == 0 with input as testing.create(pod, "baseline")
}

test_pod_and_container_host_process_in_one_violation if {
	pod := object.union(
		testing.pod_with_spec({"securityContext": {"windowsOptions": {"hostProcess": true}}}),
		testing.pod_with_container_context({"windowsOptions": {"hostProcess": true}}),
	)
	some v in windows_host_process.violation with input as testing.create(pod, "baseline")
	v.detail == "pod and container \"app\" must not set securityContext.windowsOptions.hostProcess=true"
}
