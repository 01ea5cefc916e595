package checks.podsecurity.capabilities_baseline_test

import data.checks.podsecurity.capabilities_baseline
import data.tailor.lib.testing

test_default_capabilities_may_be_added if {
	pod := testing.pod_with_container_context({"capabilities": {"add": ["CHOWN", "NET_BIND_SERVICE", "SYS_CHROOT"]}})
	count(capabilities_baseline.violation) == 0 with input as testing.create(pod, "baseline")
}

test_net_raw_and_sys_admin_are_named if {
	pod := testing.pod_with_container_context({"capabilities": {"add": ["SYS_ADMIN", "CHOWN", "NET_RAW"]}})
	some v in capabilities_baseline.violation with input as testing.create(pod, "baseline")
	v.detail == "container \"app\" must not include \"NET_RAW\", \"SYS_ADMIN\" in securityContext.capabilities.add"
}

test_restricted_level_reports_capabilities_restricted_instead if {
	pod := testing.pod_with_container_context({"capabilities": {"add": ["SYS_ADMIN"], "drop": ["ALL"]}})
	checks := testing.checks(testing.create(pod, "restricted"))
	checks == {"capabilities_restricted"}
}

test_restricted_before_v1_22_still_uses_the_baseline_check if {
	pod := testing.pod_with_container_context({"capabilities": {"add": ["SYS_ADMIN"], "drop": ["ALL"]}})
	"capabilities_baseline" in testing.checks(testing.create_at(pod, "restricted", "v1.21"))
}
