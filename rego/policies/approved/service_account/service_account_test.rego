package checks.approved.service_account_test

import data.checks.approved.service_account
import data.tailor.lib.testing

approved := {"workloads": {"shop": {"deployment.api": {"serviceAccount": "api"}}}}

# A pod of Deployment api, created through its ReplicaSet.
api_pod(service_account) := object.union(testing.pod_with_spec({"serviceAccountName": service_account}), {"metadata": {
	"labels": {"pod-template-hash": "7f9c"},
	"ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "api-7f9c", "controller": true, "uid": "1"}],
}})

test_approved_service_account_passes if {
	count(service_account.violation) == 0 with input as testing.create(api_pod("api"), "baseline") with data.approved as approved
}

test_other_service_account_is_named if {
	some v in service_account.violation with input as testing.create(api_pod("default"), "baseline") with data.approved as approved
	v.detail == "deployment.api runs as service account \"default\", approved is \"api\""
}

test_deployment_template_is_checked_too if {
	some v in service_account.violation with input as testing.create(testing.deployment(api_pod("admin")), "baseline")
		with data.approved as approved
	v.fields == ["spec.template.spec.serviceAccountName"]
}

test_nothing_approved_means_nothing_to_check if {
	count(service_account.violation) == 0 with input as testing.create(api_pod("anything"), "baseline")
}
