package checks.podsecurity.proc_mount_restricted_test

import data.tailor.lib.testing

test_restricted_keeps_proc_masks_for_user_namespace_pods if {
	pod := object.union(testing.pod_with_container_context({"procMount": "Unmasked"}), {"spec": {"hostUsers": false}})
	testing.checks(testing.create_at(pod, "restricted", "v1.35")) == {"procMount_restricted"}
	testing.checks(testing.create_at(pod, "baseline", "v1.35")) == set()
}

test_before_v1_35_restricted_uses_the_baseline_check if {
	pod := testing.pod_with_container_context({"procMount": "Unmasked"})
	testing.checks(testing.create_at(pod, "restricted", "v1.34")) == {"procMount"}
}
