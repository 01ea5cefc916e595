package checks.approved.network_policy_test

import data.checks.approved.network_policy

approved_spec := {
	"podSelector": {"matchLabels": {"app": "api"}},
	"policyTypes": ["Ingress", "Egress"],
	"ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "web"}}}], "ports": [{"protocol": "TCP", "port": 8080}]}],
	"egress": [{"to": [{"podSelector": {"matchLabels": {"app": "db"}}}]}],
}

approved := {"workloads": {}, "networkPolicies": {"shop": {"tailor-deployment-api": {"spec": approved_spec}}}}

request(operation, spec, user) := {"request": {
	"uid": "1", "kind": {"group": "networking.k8s.io", "version": "v1", "kind": "NetworkPolicy"},
	"namespace": "shop", "name": "tailor-deployment-api", "operation": operation,
	"userInfo": {"username": user, "groups": ["system:authenticated"]},
	"object": {"metadata": {"name": "tailor-deployment-api", "namespace": "shop"}, "spec": spec},
	"oldObject": {"metadata": {"name": "tailor-deployment-api", "namespace": "shop"}, "spec": approved_spec},
}}

test_delete_is_drift if {
	some v in network_policy.violation with input as request("DELETE", approved_spec, "flux") with data.approved as approved
	v.reason == "approved NetworkPolicy deleted"
}

test_an_admin_may_delete if {
	count(network_policy.violation) == 0 with input as request("DELETE", approved_spec, "carol")
		with data.approved as approved with data.config as {"admins": {"users": ["carol"], "groups": []}}
}

test_a_new_rule_loosens if {
	spec := object.union(approved_spec, {"ingress": array.concat(approved_spec.ingress, [{}])})
	some v in network_policy.violation with input as request("UPDATE", spec, "flux") with data.approved as approved
	v.detail == "NetworkPolicy tailor-deployment-api would allow more than approved: a new ingress rule"
	v.fields == ["spec.ingress"]
}

test_dropping_egress_isolation_loosens if {
	spec := object.union(approved_spec, {"policyTypes": ["Ingress"]})
	some v in network_policy.violation with input as request("UPDATE", spec, "flux") with data.approved as approved
	v.detail == "NetworkPolicy tailor-deployment-api would allow more than approved: no longer isolates Egress"
}

test_other_pods_loosen if {
	spec := object.union(approved_spec, {"podSelector": {"matchLabels": {"app": "other"}}})
	some v in network_policy.violation with input as request("UPDATE", spec, "flux") with data.approved as approved
	v.fields == ["spec.podSelector"]
}

test_removing_a_rule_tightens_and_passes if {
	spec := object.remove(approved_spec, ["egress"])
	count(network_policy.violation) == 0 with input as request("UPDATE", spec, "flux") with data.approved as approved
}

test_an_unapproved_policy_is_not_checked if {
	count(network_policy.violation) == 0 with input as request("DELETE", approved_spec, "flux")
		with data.approved as {"workloads": {}, "networkPolicies": {}}
}

other(name, spec) := {"request": {
	"uid": "2", "kind": {"group": "networking.k8s.io", "version": "v1", "kind": "NetworkPolicy"},
	"namespace": "shop", "name": name, "operation": "CREATE",
	"userInfo": {"username": "alice", "groups": ["system:authenticated"]},
	"object": {"metadata": {"name": name, "namespace": "shop"}, "spec": spec},
}}

test_an_allow_all_policy_over_the_approved_pods_voids_it if {
	allow_all := {"podSelector": {}, "policyTypes": ["Ingress"], "ingress": [{}]}
	some v in network_policy.violation with input as other("allow-all", allow_all) with data.approved as approved
	v.reason == "approved NetworkPolicy voided"
	v.detail == "NetworkPolicy allow-all may select the pods of approved NetworkPolicy tailor-deployment-api and allows more than it: a new ingress rule"
	v.fields == ["spec.ingress"]
}

test_a_policy_that_cannot_select_the_approved_pods_passes if {
	web := {"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Ingress"], "ingress": [{}]}
	count(network_policy.violation) == 0 with input as other("web", web) with data.approved as approved
	by_expression := {
		"podSelector": {"matchExpressions": [{"key": "app", "operator": "In", "values": ["web", "cron"]}]},
		"policyTypes": ["Egress"], "egress": [{}],
	}
	count(network_policy.violation) == 0 with input as other("web-and-cron", by_expression) with data.approved as approved
}

test_a_policy_that_only_isolates_or_repeats_the_approved_rules_passes if {
	deny_all := {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
	count(network_policy.violation) == 0 with input as other("default-deny", deny_all) with data.approved as approved
	same := object.union(approved_spec, {"podSelector": {"matchLabels": {"tier": "backend"}}})
	count(network_policy.violation) == 0 with input as other("backend", same) with data.approved as approved
}
