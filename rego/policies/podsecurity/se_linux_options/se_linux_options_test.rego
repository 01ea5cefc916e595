package checks.podsecurity.se_linux_options_test

import data.checks.podsecurity.se_linux_options
import data.tailor.lib.testing

test_container_types_pass if {
	pod := testing.pod_with_container_context({"seLinuxOptions": {"type": "container_init_t", "level": "s0:c123,c456"}})
	count(se_linux_options.violation) == 0 with input as testing.create(pod, "baseline")
}

test_custom_user_is_a_violation if {
	pod := testing.pod_with_spec({"securityContext": {"seLinuxOptions": {"user": "system_u"}}})
	some v in se_linux_options.violation with input as testing.create(pod, "baseline")
	v.detail == "pod user=\"system_u\""
	v.fields == ["spec.securityContext.seLinuxOptions.user"]
}

test_container_engine_t_is_allowed_from_v1_31 if {
	pod := testing.pod_with_container_context({"seLinuxOptions": {"type": "container_engine_t"}})
	count(se_linux_options.violation) == 0 with input as testing.create_at(pod, "baseline", "v1.31")
	count(se_linux_options.violation) == 1 with input as testing.create_at(pod, "baseline", "v1.30")
}
