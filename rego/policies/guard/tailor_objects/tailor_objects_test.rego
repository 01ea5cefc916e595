package checks.guard.tailor_objects_test

import data.checks.guard.tailor_objects
import data.tailor.lib.testing

policy(labels) := {
	"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
	"metadata": {"name": "tailor-deployment-api", "namespace": "shop", "labels": labels},
	"spec": {"podSelector": {"matchLabels": {"app": "api"}}, "policyTypes": ["Ingress"]},
}

tailors := policy({"app.kubernetes.io/managed-by": "tailor", "tailor.dev/workload": "deployment.api"})

plain := policy({"app": "api"})

# A write of the NetworkPolicy as the API server sends it (DELETE: no object, the old one in oldObject).
write(operation, new, old, user, groups) := {"request": {
	"uid": "705ab4f5-6393-11e8-b7cc-42010a800002",
	"kind": {"group": "networking.k8s.io", "version": "v1", "kind": "NetworkPolicy"},
	"operation": operation, "namespace": "shop", "name": "tailor-deployment-api",
	"userInfo": {"username": user, "groups": groups}, "object": new, "oldObject": old,
}}

test_an_editor_cannot_approve_by_labelling_a_policy_as_tailors if {
	some v in tailor_objects.violation with input as write("CREATE", tailors, null, "alice", ["shop-editors"])
	v.always == true
	contains(v.detail, "user \"alice\" may not create NetworkPolicy")
}

test_an_editor_cannot_take_the_label_off_nor_delete_an_approval if {
	count(tailor_objects.violation) == 1 with input as write("UPDATE", plain, tailors, "alice", [])
	count(tailor_objects.violation) == 1 with input as write("DELETE", null, tailors, "alice", [])
}

test_admins_approve if {
	count(tailor_objects.violation) == 0 with input as write("CREATE", tailors, null, "bob", ["tailor-admins"])
	count(tailor_objects.violation) == 0 with input as write("DELETE", null, tailors, "gitops", [])
		with data.config.admins as {"users": ["gitops"], "groups": []}
}

test_the_gitops_identity_approves_without_being_an_admin if {
	flux := "system:serviceaccount:flux-system:kustomize-controller"
	count(tailor_objects.violation) == 0 with input as write("CREATE", tailors, null, flux, ["system:serviceaccounts"])
		with data.config as {"approvers": {"users": [flux], "groups": []}}
	some v in tailor_objects.violation with input as write("CREATE", tailors, null, "alice", [])
		with data.config as {"approvers": {"users": [flux], "groups": []}}
	contains(v.detail, flux)
}

test_the_control_plane_cleans_up_a_deleted_namespace if {
	count(tailor_objects.violation) == 0 with input as write(
		"DELETE", null, tailors,
		"system:serviceaccount:kube-system:namespace-controller", ["system:serviceaccounts"],
	)
}

test_other_objects_are_not_its_business if {
	count(tailor_objects.violation) == 0 with input as write("CREATE", plain, null, "alice", [])
	pod := object.union(testing.base_pod, {"metadata": {"labels": {"app.kubernetes.io/managed-by": "tailor"}}})
	count(tailor_objects.violation) == 0 with input as testing.create(pod, "baseline")
}
