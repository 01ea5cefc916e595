package checks.podsecurity.allow_privilege_escalation_test

import data.checks.podsecurity.allow_privilege_escalation
import data.tailor.lib.testing

test_explicit_false_passes if {
	count(allow_privilege_escalation.violation) == 0 with input as testing.create(testing.base_pod, "restricted")
}

test_unset_is_a_violation if {
	pod := testing.pod_with_spec({"containers": [{"name": "app", "image": "i", "securityContext": {"capabilities": {"drop": ["ALL"]}}}]})
	some v in allow_privilege_escalation.violation with input as testing.create(pod, "restricted")
	v.detail == "container \"app\" must set securityContext.allowPrivilegeEscalation=false"
}

test_windows_pods_are_exempt_from_v1_25 if {
	pod := testing.pod_with_spec({"os": {"name": "windows"}, "containers": [{"name": "app", "image": "i"}]})
	count(allow_privilege_escalation.violation) == 0 with input as testing.create_at(pod, "restricted", "v1.25")
	count(allow_privilege_escalation.violation) == 1 with input as testing.create_at(pod, "restricted", "v1.24")
}
