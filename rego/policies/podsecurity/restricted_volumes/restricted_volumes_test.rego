package checks.podsecurity.restricted_volumes_test

import data.checks.podsecurity.restricted_volumes
import data.tailor.lib.testing

test_core_volume_types_pass if {
	pod := testing.pod_with_spec({"volumes": [
		{"name": "a", "configMap": {"name": "c"}},
		{"name": "b", "secret": {"secretName": "s"}},
		{"name": "c", "persistentVolumeClaim": {"claimName": "data"}},
		{"name": "d", "image": {"reference": "registry.example/models:1"}},
		{"name": "e"},
	]})
	count(restricted_volumes.violation) == 0 with input as testing.create(pod, "restricted")
}

test_nfs_volume_is_named if {
	pod := testing.pod_with_spec({"volumes": [{"name": "a", "emptyDir": {}}, {"name": "share", "nfs": {"server": "nfs", "path": "/"}}]})
	some v in restricted_volumes.violation with input as testing.create(pod, "restricted")
	v.detail == "volume \"share\" uses nfs"
	v.fields == ["spec.volumes[1].nfs"]
}

test_host_path_is_reported_by_restricted_volumes_at_restricted if {
	pod := testing.pod_with_spec({"volumes": [{"name": "root", "hostPath": {"path": "/"}}]})
	testing.checks(testing.create(pod, "restricted")) == {"restrictedVolumes"}
	testing.checks(testing.create(pod, "baseline")) == {"hostPathVolumes"}
}
