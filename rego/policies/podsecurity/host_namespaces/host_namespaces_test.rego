package checks.podsecurity.host_namespaces_test

import data.checks.podsecurity.host_namespaces
import data.tailor.lib.testing

test_base_pod_shares_no_host_namespace if {
	count(host_namespaces.violation) == 0 with input as testing.create(testing.base_pod, "baseline")
}

test_false_is_allowed if {
	pod := testing.pod_with_spec({"hostNetwork": false, "hostPID": false, "hostIPC": false})
	count(host_namespaces.violation) == 0 with input as testing.create(pod, "baseline")
}

test_host_network_names_the_field if {
	pod := testing.pod_with_spec({"hostNetwork": true})
	violations := host_namespaces.violation with input as testing.create(pod, "baseline")
	violations == {{
		"reason": "host namespaces",
		"detail": "hostNetwork=true",
		"fields": ["spec.hostNetwork"],
		"allowed": "false or unset",
	}}
}

test_all_three_namespaces_in_one_violation if {
	pod := testing.pod_with_spec({"hostNetwork": true, "hostPID": true, "hostIPC": true})
	some v in host_namespaces.violation with input as testing.create(pod, "baseline")
	v.detail == "hostNetwork=true, hostPID=true, hostIPC=true"
}

test_deployment_template_is_reported_against_the_deployment if {
	admission := testing.create(testing.deployment(testing.pod_with_spec({"hostPID": true})), "baseline")
	some v in data.tailor.admission.validate.violations with input as admission
	v.check == "hostNamespaces"
	v.fields == ["spec.template.spec.hostPID"]
	data.tailor.admission.validate.workload == "deployment.api" with input as admission
}

test_cron_job_template_path if {
	admission := testing.create(testing.cron_job(testing.pod_with_spec({"hostIPC": true})), "baseline")
	some v in host_namespaces.violation with input as admission
	v.fields == ["spec.jobTemplate.spec.template.spec.hostIPC"]
}
