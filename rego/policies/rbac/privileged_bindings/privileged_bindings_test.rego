package checks.rbac.privileged_bindings_test

import data.checks.rbac.privileged_bindings
import data.tailor.lib.testing

sa := {"kind": "ServiceAccount", "name": "ci", "namespace": "shop"}

test_binding_a_narrow_role_passes if {
	binding := testing.role_binding({"kind": "Role", "name": "reader"}, [sa])
	count(privileged_bindings.violation) == 0 with input as testing.create(binding, "baseline")
}

test_cluster_admin_binding_names_the_subjects if {
	binding := testing.role_binding({"kind": "ClusterRole", "name": "cluster-admin"}, [sa])
	some v in privileged_bindings.violation with input as testing.create(binding, "baseline")
	v.detail == "ClusterRole cluster-admin bound to ServiceAccount shop/ci"
}

test_system_masters_subject_is_a_violation if {
	binding := testing.role_binding({"kind": "Role", "name": "reader"}, [{"kind": "Group", "name": "system:masters", "apiGroup": "rbac.authorization.k8s.io"}])
	some v in privileged_bindings.violation with input as testing.create(binding, "baseline")
	v.reason == "binds system:masters"
	v.fields == ["subjects[0]"]
}

test_exempt_subject_may_be_cluster_admin if {
	binding := testing.role_binding({"kind": "ClusterRole", "name": "cluster-admin"}, [sa])
	count(privileged_bindings.violation) == 0 with input as testing.create(binding, "baseline")
		with data.config.rbac.exemptSubjects as [sa]
}
