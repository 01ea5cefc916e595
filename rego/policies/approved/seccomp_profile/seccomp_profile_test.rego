package checks.approved.seccomp_profile_test

import data.checks.approved.seccomp_profile
import data.tailor.lib.testing

approved := {"workloads": {"shop": {"pod.api-7f9c-x2x8z": {"seccompProfile": "operator/shop/api.json"}}}}

localhost := {"type": "Localhost", "localhostProfile": "operator/shop/api.json"}

test_pod_level_approved_profile_passes if {
	pod := testing.pod_with_spec({"securityContext": {"seccompProfile": localhost}})
	count(seccomp_profile.violation) == 0 with input as testing.create(pod, "baseline") with data.approved as approved
}

test_runtime_default_is_not_the_approved_profile if {
	some v in seccomp_profile.violation with input as testing.create(testing.base_pod, "baseline") with data.approved as approved
	v.detail == "container \"app\" must run under the approved seccomp profile Localhost \"operator/shop/api.json\""
}

test_container_profile_overrides_the_pod_profile if {
	pod := object.union(
		testing.pod_with_spec({"securityContext": {"seccompProfile": localhost}}),
		testing.pod_with_container_context({"seccompProfile": {"type": "RuntimeDefault"}}),
	)
	count(seccomp_profile.violation) == 1 with input as testing.create(pod, "baseline") with data.approved as approved
}

# Each container its own profile, as Tailor generates them (one SeccompProfile per container).
per_container := {"workloads": {"shop": {"pod.api-7f9c-x2x8z": {"seccompProfiles": {
	"init": "operator/shop/api-init.json",
	"app": "operator/shop/api-app.json",
}}}}}

localhost_of(path) := {"type": "Localhost", "localhostProfile": path}

two_containers(init_profile, app_profile) := object.union(testing.base_pod, {"spec": {
	"securityContext": {"runAsNonRoot": true, "seccompProfile": null},
	"initContainers": [{"name": "init", "image": "registry.example/init:1", "securityContext": {"seccompProfile": init_profile}}],
	"containers": [{"name": "app", "image": "registry.example/app:1", "securityContext": {"seccompProfile": app_profile}}],
}})

test_each_container_runs_its_own_approved_profile if {
	pod := two_containers(localhost_of("operator/shop/api-init.json"), localhost_of("operator/shop/api-app.json"))
	count(seccomp_profile.violation) == 0 with input as testing.create(pod, "baseline") with data.approved as per_container
}

test_a_container_under_another_containers_profile_is_a_violation if {
	pod := two_containers(localhost_of("operator/shop/api-app.json"), localhost_of("operator/shop/api-app.json"))
	seccomp_profile.violation == {{
		"reason": "unapproved seccomp profile",
		"detail": "container \"init\" must run under the approved seccomp profile Localhost \"operator/shop/api-init.json\"",
		"fields": ["spec.initContainers[0].securityContext.seccompProfile"],
		"allowed": "{type: Localhost, localhostProfile: operator/shop/api-init.json}",
	}} with input as testing.create(pod, "baseline") with data.approved as per_container
}

test_a_container_no_approval_names_is_a_violation if {
	pod := two_containers(localhost_of("operator/shop/api-init.json"), localhost_of("operator/shop/api-app.json"))
	debug := {"name": "debug", "image": "registry.example/debug:1", "securityContext": {"seccompProfile": localhost_of("operator/shop/api-app.json")}}
	with_debug := object.union(pod, {"spec": {"containers": array.concat(pod.spec.containers, [debug])}})
	seccomp_profile.violation == {{
		"reason": "unapproved seccomp profile",
		"detail": "container \"debug\" has no approved seccomp profile (approved for containers \"app\", \"init\")",
		"fields": ["spec.containers[1].securityContext.seccompProfile"],
		"allowed": "none: no profile is approved for this container",
	}} with input as testing.create(with_debug, "baseline") with data.approved as per_container
}

test_the_profile_for_every_container_covers_those_not_named if {
	approved_both := {"workloads": {"shop": {"pod.api-7f9c-x2x8z": {
		"seccompProfile": "operator/shop/api.json",
		"seccompProfiles": {"init": "operator/shop/api-init.json"},
	}}}}
	good := two_containers(localhost_of("operator/shop/api-init.json"), localhost_of("operator/shop/api.json"))
	count(seccomp_profile.violation) == 0 with input as testing.create(good, "baseline") with data.approved as approved_both
	swapped := two_containers(localhost_of("operator/shop/api.json"), localhost_of("operator/shop/api.json"))
	count(seccomp_profile.violation) == 1 with input as testing.create(swapped, "baseline") with data.approved as approved_both
}

# The pod with kubectl debug's ephemeral container added, targeting `target` (null: none), under `profile`.
with_debugger(target, profile) := object.union(
	two_containers(localhost_of("operator/shop/api-init.json"), localhost_of("operator/shop/api-app.json")),
	{"spec": {"ephemeralContainers": [object.union(
		{"name": "debugger-x7k2p", "image": "registry.example/debug:1", "securityContext": {"seccompProfile": profile}},
		{k: target | k := "targetContainerName"; target != null},
	)]}},
)

test_an_ephemeral_container_runs_the_profile_of_the_container_it_targets if {
	count(seccomp_profile.violation) == 0 with input as testing.create(with_debugger("app", localhost_of("operator/shop/api-app.json")), "baseline")
		with data.approved as per_container
	seccomp_profile.violation == {{
		"reason": "unapproved seccomp profile",
		"detail": "ephemeral container \"debugger-x7k2p\" must run under the approved seccomp profile of the container it targets, \"app\": Localhost \"operator/shop/api-app.json\"",
		"fields": ["spec.ephemeralContainers[0].securityContext.seccompProfile"],
		"allowed": "{type: Localhost, localhostProfile: operator/shop/api-app.json}",
	}} with input as testing.create(with_debugger("app", localhost_of("operator/shop/api-init.json")), "baseline")
		with data.approved as per_container
}

test_an_ephemeral_container_without_a_target_runs_one_of_the_workloads_approved_profiles if {
	count(seccomp_profile.violation) == 0 with input as testing.create(with_debugger(null, localhost_of("operator/shop/api-init.json")), "baseline")
		with data.approved as per_container
	seccomp_profile.violation == {{
		"reason": "unapproved seccomp profile",
		"detail": "ephemeral container \"debugger-x7k2p\" must run under one of the workload's approved seccomp profiles: Localhost \"operator/shop/api-app.json\", \"operator/shop/api-init.json\"",
		"fields": ["spec.ephemeralContainers[0].securityContext.seccompProfile"],
		"allowed": "{type: Localhost, localhostProfile: operator/shop/api-app.json or operator/shop/api-init.json}",
	}} with input as testing.create(with_debugger(null, {"type": "RuntimeDefault"}), "baseline") with data.approved as per_container
}
