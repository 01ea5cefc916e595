package checks.podsecurity.host_probes_and_host_lifecycle_test

import data.checks.podsecurity.host_probes_and_host_lifecycle
import data.tailor.lib.testing

probe_pod(host) := testing.pod_with_spec({"containers": [object.union(
	testing.base_pod.spec.containers[0],
	{"livenessProbe": {"httpGet": {"host": host, "port": 8080, "path": "/healthz"}}},
)]})

test_probe_without_host_passes if {
	count(host_probes_and_host_lifecycle.violation) == 0 with input as testing.create(probe_pod(""), "baseline")
}

test_probe_host_is_named if {
	some v in host_probes_and_host_lifecycle.violation with input as testing.create(probe_pod("10.0.0.1"), "baseline")
	v.detail == "container \"app\" uses probe or lifecycle host \"10.0.0.1\""
	v.fields == ["spec.containers[0].livenessProbe.httpGet.host"]
}

test_the_check_starts_at_v1_34 if {
	"hostProbesAndHostLifecycle" in testing.checks(testing.create_at(probe_pod("10.0.0.1"), "baseline", "v1.34"))
	testing.checks(testing.create_at(probe_pod("10.0.0.1"), "baseline", "v1.33")) == set()
}
