package checks.podsecurity.capabilities_restricted_test

import data.checks.podsecurity.capabilities_restricted
import data.tailor.lib.testing

test_drop_all_add_net_bind_service_passes if {
	pod := testing.pod_with_container_context({"capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}})
	count(capabilities_restricted.violation) == 0 with input as testing.create(pod, "restricted")
}

test_missing_drop_all_is_named if {
	pod := testing.pod_with_container_context({"capabilities": {"drop": ["NET_RAW"]}})
	some v in capabilities_restricted.violation with input as testing.create(pod, "restricted")
	v.detail == "container \"app\" must set securityContext.capabilities.drop=[\"ALL\"]"
}

test_added_capability_is_named if {
	pod := testing.pod_with_container_context({"capabilities": {"drop": ["ALL"], "add": ["CHOWN"]}})
	some v in capabilities_restricted.violation with input as testing.create(pod, "restricted")
	v.detail == "container \"app\" must not include \"CHOWN\" in securityContext.capabilities.add"
}
