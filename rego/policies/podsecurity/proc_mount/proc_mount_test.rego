package checks.podsecurity.proc_mount_test

import data.checks.podsecurity.proc_mount
import data.tailor.lib.testing

test_default_proc_mount_passes if {
	pod := testing.pod_with_container_context({"procMount": "Default"})
	count(proc_mount.violation) == 0 with input as testing.create(pod, "baseline")
}

test_unmasked_is_a_violation if {
	pod := testing.pod_with_container_context({"procMount": "Unmasked"})
	some v in proc_mount.violation with input as testing.create(pod, "baseline")
	v.detail == "container \"app\" must not set securityContext.procMount to \"Unmasked\""
}

test_user_namespace_pods_may_unmask_from_v1_35 if {
	pod := object.union(testing.pod_with_container_context({"procMount": "Unmasked"}), {"spec": {"hostUsers": false}})
	count(proc_mount.violation) == 0 with input as testing.create_at(pod, "baseline", "v1.35")
	count(proc_mount.violation) == 1 with input as testing.create_at(pod, "baseline", "v1.34")
}
