package checks.rbac.escalating_verbs_test

import data.checks.rbac.escalating_verbs
import data.tailor.lib.testing

test_read_only_role_passes if {
	role := testing.cluster_role([{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}])
	count(escalating_verbs.violation) == 0 with input as testing.create(role, "baseline")
}

test_escalate_bind_and_impersonate_are_named if {
	role := testing.cluster_role([
		{"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"], "verbs": ["bind", "escalate", "get"]},
		{"apiGroups": [""], "resources": ["users", "groups"], "verbs": ["impersonate"]},
	])
	some v in escalating_verbs.violation with input as testing.create(role, "baseline")
	v.detail == "rules[0] grants \"bind\", \"escalate\" on clusterroles; rules[1] grants \"impersonate\" on users, groups"
}

test_deleting_a_role_is_not_checked if {
	role := testing.cluster_role([{"apiGroups": [""], "resources": ["users"], "verbs": ["impersonate"]}])
	admission := testing.request_input("DELETE", role, role, "baseline", "latest", "alice", [])
	count(escalating_verbs.violation) == 0 with input as admission
}
