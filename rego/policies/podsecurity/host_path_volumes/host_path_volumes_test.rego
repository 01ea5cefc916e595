package checks.podsecurity.host_path_volumes_test

import data.checks.podsecurity.host_path_volumes
import data.tailor.lib.testing

test_empty_dir_is_not_host_path if {
	pod := testing.pod_with_spec({"volumes": [{"name": "scratch", "emptyDir": {}}]})
	count(host_path_volumes.violation) == 0 with input as testing.create(pod, "baseline")
}

test_host_path_volume_is_named if {
	pod := testing.pod_with_spec({"volumes": [{"name": "scratch", "emptyDir": {}}, {"name": "docker", "hostPath": {"path": "/var/run/docker.sock"}}]})
	some v in host_path_volumes.violation with input as testing.create(pod, "baseline")
	v.detail == "volume \"docker\""
	v.fields == ["spec.volumes[1].hostPath"]
}
