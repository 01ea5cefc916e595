package checks.rbac.wildcards_test

import data.checks.rbac.wildcards
import data.tailor.lib.testing

test_named_verbs_and_resources_pass if {
	role := testing.cluster_role([{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list", "watch"]}])
	count(wildcards.violation) == 0 with input as testing.create(role, "baseline")
}

test_wildcard_verbs_and_resources_are_named if {
	role := testing.cluster_role([
		{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]},
		{"apiGroups": ["apps"], "resources": ["*"], "verbs": ["*"]},
	])
	some v in wildcards.violation with input as testing.create(role, "baseline")
	v.detail == "rules[1].verbs contains \"*\"; rules[1].resources contains \"*\""
	v.fields == ["rules[1].verbs", "rules[1].resources"]
}

test_exempt_requester_may_write_wildcards if {
	role := testing.cluster_role([{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}])
	admission := testing.request_input("CREATE", role, null, "baseline", "latest", "system:apiserver", ["system:masters"])
	count(wildcards.violation) == 0 with input as admission
		with data.config.rbac.exemptSubjects as [{"kind": "User", "name": "system:apiserver"}]
	count(wildcards.violation) == 1 with input as admission
}

test_exempt_service_account_requester if {
	role := testing.cluster_role([{"apiGroups": [""], "resources": ["*"], "verbs": ["get"]}])
	admission := testing.request_input("UPDATE", role, role, "baseline", "latest", "system:serviceaccount:argocd:argocd-application-controller", [])
	count(wildcards.violation) == 0 with input as admission
		with data.config.rbac.exemptSubjects as [{"kind": "ServiceAccount", "namespace": "argocd", "name": "argocd-application-controller"}]
}
