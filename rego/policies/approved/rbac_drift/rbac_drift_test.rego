package checks.approved.rbac_drift_test

import data.checks.approved.rbac_drift

approved := {"workloads": {}, "accounts": {"shop/api": {"bindings": ["shop/tailor-api"]}}}

binding(labels, subjects) := {"request": {
	"uid": "1", "kind": {"group": "rbac.authorization.k8s.io", "version": "v1", "kind": "RoleBinding"},
	"namespace": "shop", "name": "extra", "operation": "CREATE",
	"userInfo": {"username": "dev", "groups": ["system:authenticated"]},
	"object": {
		"metadata": {"name": "extra", "namespace": "shop", "labels": labels},
		"roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "edit"},
		"subjects": subjects,
	},
}}

test_another_binding_of_an_approved_account_is_drift if {
	some v in rbac_drift.violation with input as binding({}, [{"kind": "ServiceAccount", "name": "api"}])
		with data.approved as approved
	v.detail == "RoleBinding extra binds ClusterRole edit to service account shop/api, whose access is its approved Role"
	v.fields == ["subjects[0]"]
}

test_binding_the_account_through_its_user_name_or_groups_is_drift if {
	# RBAC matches a service account as ServiceAccount, as User system:serviceaccount:NS:NAME, and through the groups
	# system:serviceaccounts, system:serviceaccounts:NS and system:authenticated.
	every subject in [
		{"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "system:serviceaccount:shop:api"},
		{"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": "system:serviceaccounts:shop"},
		{"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": "system:serviceaccounts"},
		{"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": "system:authenticated"},
	] {
		some v in rbac_drift.violation with input as binding({}, [subject]) with data.approved as approved
		contains(v.detail, concat("", ["to service account shop/api (through ", subject.kind, " ", subject.name, ")"]))
	}
}

test_groups_and_users_that_are_not_the_account_pass if {
	every subject in [
		{"kind": "User", "name": "system:serviceaccount:shop:web"},
		{"kind": "User", "name": "system:serviceaccount:shop"},
		{"kind": "Group", "name": "system:serviceaccounts:billing"},
		{"kind": "Group", "name": "developers"},
	] {
		count(rbac_drift.violation) == 0 with input as binding({}, [subject]) with data.approved as approved
	}
}

test_tailors_own_binding_and_other_accounts_pass if {
	count(rbac_drift.violation) == 0 with input as binding({"app.kubernetes.io/managed-by": "tailor"}, [{"kind": "ServiceAccount", "name": "api"}])
		with data.approved as approved
	count(rbac_drift.violation) == 0 with input as binding({}, [{"kind": "ServiceAccount", "name": "web"}])
		with data.approved as approved
}

role_update(new_rules) := {"request": {
	"uid": "2", "kind": {"group": "rbac.authorization.k8s.io", "version": "v1", "kind": "Role"},
	"namespace": "shop", "name": "tailor-api", "operation": "UPDATE",
	"userInfo": {"username": "dev", "groups": ["system:authenticated"]},
	"object": {"metadata": {"name": "tailor-api", "labels": {"app.kubernetes.io/managed-by": "tailor"}}, "rules": new_rules},
	"oldObject": {
		"metadata": {"name": "tailor-api", "labels": {"app.kubernetes.io/managed-by": "tailor"}},
		"rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}],
	},
}}

test_widening_an_approved_role_is_drift if {
	rules := [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}, {"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}]
	some v in rbac_drift.violation with input as role_update(rules) with data.approved as approved
	v.fields == ["rules[1]"]
}

test_narrowing_it_passes if {
	count(rbac_drift.violation) == 0 with input as role_update([]) with data.approved as approved
}

test_an_admin_may if {
	count(rbac_drift.violation) == 0 with input as binding({}, [{"kind": "ServiceAccount", "name": "api"}])
		with data.approved as approved with data.config as {"admins": {"users": [], "groups": ["system:authenticated"]}}
}
