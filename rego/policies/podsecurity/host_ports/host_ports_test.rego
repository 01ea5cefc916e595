package checks.podsecurity.host_ports_test

import data.checks.podsecurity.host_ports
import data.tailor.lib.testing

test_container_port_without_host_port_passes if {
	pod := testing.pod_with_spec({"containers": [object.union(testing.base_pod.spec.containers[0], {"ports": [{"containerPort": 8080}, {"containerPort": 9090, "hostPort": 0}]})]})
	count(host_ports.violation) == 0 with input as testing.create(pod, "baseline")
}

test_host_port_is_named_with_its_number if {
	pod := testing.pod_with_spec({"containers": [object.union(testing.base_pod.spec.containers[0], {"ports": [{"containerPort": 8080}, {"containerPort": 9090, "hostPort": 9090}]})]})
	some v in host_ports.violation with input as testing.create(pod, "baseline")
	v.detail == "container \"app\" uses hostPort 9090"
	v.fields == ["spec.containers[0].ports[1].hostPort"]
}
