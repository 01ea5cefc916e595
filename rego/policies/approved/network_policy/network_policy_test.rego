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
