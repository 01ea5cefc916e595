package checks.podsecurity.sysctls_test

import data.checks.podsecurity.sysctls
import data.tailor.lib.testing

test_safe_sysctls_pass if {
	pod := testing.pod_with_spec({"securityContext": {"sysctls": [{"name": "net.ipv4.ip_local_port_range", "value": "1024 65535"}]}})
	count(sysctls.violation) == 0 with input as testing.create(pod, "baseline")
}

test_unsafe_sysctl_is_named_with_its_index if {
	pod := testing.pod_with_spec({"securityContext": {"sysctls": [
		{"name": "kernel.shm_rmid_forced", "value": "0"},
		{"name": "kernel.msgmax", "value": "65536"},
	]}})
	some v in sysctls.violation with input as testing.create(pod, "baseline")
	v.detail == "kernel.msgmax"
	v.fields == ["spec.securityContext.sysctls[1].name"]
}

test_safe_set_grows_with_the_version if {
	pod := testing.pod_with_spec({"securityContext": {"sysctls": [{"name": "net.ipv4.tcp_rmem", "value": "4096 87380 16777216"}]}})
	count(sysctls.violation) == 1 with input as testing.create_at(pod, "baseline", "v1.31")
	count(sysctls.violation) == 0 with input as testing.create_at(pod, "baseline", "v1.32")
}
