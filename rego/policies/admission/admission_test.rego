package tailor.admission_test

import data.tailor.admission
import data.tailor.lib.testing

test_conforming_pod_has_no_violations if {
	admission.validate.violations == [] with input as testing.create(testing.base_pod, "restricted")
}

test_level_defaults_to_baseline if {
	no_annotations := object.union(testing.create(testing.base_pod, "restricted"), {"namespace": null})
	admission.validate.podSecurity == {"level": "baseline", "version": "v1.37"} with input as no_annotations
}

test_configured_default_level_applies if {
	no_annotations := object.union(testing.create(testing.base_pod, "restricted"), {"namespace": null})
	admission.validate.podSecurity.level == "restricted" with input as no_annotations
		with data.config.podSecurity.defaultLevel as "restricted"
}

test_privileged_level_checks_no_pod_security if {
	pod := testing.pod_with_spec({"hostNetwork": true})
	admission.validate.violations == [] with input as testing.create(pod, "privileged")
}

test_violations_carry_check_and_category if {
	pod := testing.pod_with_spec({"hostNetwork": true})
	[v] := admission.validate.violations with input as testing.create(pod, "baseline")
	v.check == "hostNamespaces"
	v.category == "podSecurity"
}

test_unchanged_pod_update_is_not_rechecked if {
	pod := testing.pod_with_spec({"hostNetwork": true})
	relabelled := object.union(pod, {"metadata": {"labels": {"x": "y"}}})
	update := testing.request_input("UPDATE", relabelled, pod, "baseline", "latest", "alice", [])
	admission.validate.violations == [] with input as update
}

test_changed_pod_spec_is_rechecked if {
	pod := testing.pod_with_spec({"hostNetwork": true})
	update := testing.request_input("UPDATE", pod, testing.base_pod, "baseline", "latest", "alice", [])
	count(admission.validate.violations) == 1 with input as update
}

test_pod_of_a_deployment_belongs_to_it if {
	pod := object.union(testing.base_pod, {"metadata": {
		"labels": {"pod-template-hash": "7f9c"},
		"ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "api-7f9c", "controller": true, "uid": "1"}],
	}})
	admission.validate.workload == "deployment.api" with input as testing.create(pod, "baseline")
}

test_replicaset_of_a_deployment_belongs_to_it if {
	rs := {
		"apiVersion": "apps/v1", "kind": "ReplicaSet",
		"metadata": {
			"name": "api-7f9c", "namespace": "shop",
			"ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "api", "controller": true, "uid": "1"}],
		},
		"spec": {"template": {"metadata": {}, "spec": testing.base_pod.spec}},
	}
	admission.validate.workload == "deployment.api" with input as testing.create(rs, "baseline")
}

test_an_owner_that_is_not_the_controller_does_not_claim_it if {
	rs := {
		"apiVersion": "apps/v1", "kind": "ReplicaSet",
		"metadata": {
			"name": "api-7f9c", "namespace": "shop",
			"ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "api", "uid": "1"}],
		},
		"spec": {"template": {"metadata": {}, "spec": testing.base_pod.spec}},
	}
	admission.validate.workload == "replicaset.api-7f9c" with input as testing.create(rs, "baseline")
}

test_pod_of_a_cronjob_run_belongs_to_the_cronjob if {
	pod := object.union(testing.base_pod, {"metadata": {"ownerReferences": [
		{"apiVersion": "batch/v1", "kind": "Job", "name": "nightly-export-29412000", "controller": true, "uid": "1"},
	]}})
	admission.validate.workload == "cronjob.nightly-export" with input as testing.create(pod, "baseline")
}

test_pod_of_a_plain_job_belongs_to_the_job if {
	pod := object.union(testing.base_pod, {"metadata": {"ownerReferences": [
		{"apiVersion": "batch/v1", "kind": "Job", "name": "migrate-v2", "controller": true, "uid": "1"},
	]}})
	admission.validate.workload == "job.migrate-v2" with input as testing.create(pod, "baseline")
}

test_bare_pod_is_its_own_workload if {
	admission.validate.workload == "pod.api-7f9c-x2x8z" with input as testing.create(testing.base_pod, "baseline")
}

test_mutate_is_empty_for_an_ordinary_pod if {
	admission.mutate == [] with input as testing.create(testing.base_pod, "baseline")
}

test_unknown_kinds_have_no_violations if {
	cm := {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "shop"}, "data": {"a": "b"}}
	admission.validate.violations == [] with input as testing.create(cm, "restricted")
}
