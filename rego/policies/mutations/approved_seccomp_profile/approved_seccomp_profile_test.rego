package mutations.approved_seccomp_profile_test

import data.mutations.approved_seccomp_profile
import data.tailor.lib.testing

approved := {"workloads": {"shop": {"pod.api-7f9c-x2x8z": {"seccompProfile": "operator/shop/api.json"}}}}

no_profile := testing.pod_with_spec({"securityContext": {"seccompProfile": null}})

test_enforce_mode_sets_the_approved_profile if {
	approved_seccomp_profile.patch == {{
		"op": "add",
		"path": "/spec/securityContext/seccompProfile",
		"value": {"type": "Localhost", "localhostProfile": "operator/shop/api.json"},
	}} with input as testing.create(no_profile, "baseline")
		with data.approved as approved
}

test_security_context_is_created_when_missing if {
	pod := object.union(testing.base_pod, {"spec": {"securityContext": null}})
	some op in approved_seccomp_profile.patch with input as testing.create(pod, "baseline") with data.approved as approved
	op.path == "/spec/securityContext"
}

test_audit_mode_changes_nothing if {
	count(approved_seccomp_profile.patch) == 0 with input as object.union(testing.create(no_profile, "baseline"), {"mode": "audit"})
		with data.approved as approved
}

test_a_pod_with_its_own_profile_is_left_alone if {
	count(approved_seccomp_profile.patch) == 0 with input as testing.create(testing.base_pod, "baseline") with data.approved as approved
}

test_each_container_gets_its_own_approved_profile if {
	per_container := {"workloads": {"shop": {"pod.api-7f9c-x2x8z": {"seccompProfiles": {
		"init": "operator/shop/api-init.json",
		"app": "operator/shop/api-app.json",
	}}}}}
	pod := object.union(testing.base_pod, {"spec": {
		"securityContext": {"runAsNonRoot": true, "seccompProfile": null},
		"initContainers": [{"name": "init", "image": "registry.example/init:1"}],
		"containers": [
			{"name": "app", "image": "registry.example/app:1", "securityContext": {"allowPrivilegeEscalation": false}},
			{"name": "debug", "image": "registry.example/debug:1"},
		],
	}})
	approved_seccomp_profile.patch == {
		{
			"op": "add", "path": "/spec/initContainers/0/securityContext",
			"value": {"seccompProfile": {"type": "Localhost", "localhostProfile": "operator/shop/api-init.json"}},
		},
		{
			"op": "add", "path": "/spec/containers/0/securityContext/seccompProfile",
			"value": {"type": "Localhost", "localhostProfile": "operator/shop/api-app.json"},
		},
	} with input as testing.create(pod, "baseline") with data.approved as per_container
}

per_container := {"workloads": {"shop": {"pod.api-7f9c-x2x8z": {"seccompProfiles": {
	"init": "operator/shop/api-init.json",
	"app": "operator/shop/api-app.json",
}}}}}

# The pod as the enforce-mode mutation made it (each container its own profile), and what kubectl debug sends for it:
# the pods/ephemeralcontainers UPDATE, its debuggers added to the ones it had.
mutated_pod(debuggers) := object.union(object.remove(testing.base_pod, ["spec"]), {"spec": {
	"securityContext": {"runAsNonRoot": true},
	"initContainers": [{"name": "init", "image": "registry.example/init:1", "securityContext": {"seccompProfile": {"type": "Localhost", "localhostProfile": "operator/shop/api-init.json"}}}],
	"containers": [{"name": "app", "image": "registry.example/app:1", "securityContext": {"seccompProfile": {"type": "Localhost", "localhostProfile": "operator/shop/api-app.json"}}}],
	"ephemeralContainers": debuggers,
}})

debug(before, after) := object.union(
	testing.request_input("UPDATE", mutated_pod(after), mutated_pod(before), "baseline", "latest", "alice", ["developers"]),
	{"request": {"subResource": "ephemeralcontainers"}},
)

debugger(name, target) := object.union({"name": name, "image": "busybox:1.37", "stdin": true, "tty": true}, {k: target |
	k := "targetContainerName"
	target != null
})

test_kubectl_debug_gets_the_profile_approved_for_the_container_it_targets if {
	approved_seccomp_profile.patch == {{
		"op": "add", "path": "/spec/ephemeralContainers/0/securityContext",
		"value": {"seccompProfile": {"type": "Localhost", "localhostProfile": "operator/shop/api-app.json"}},
	}} with input as debug([], [debugger("debugger-x7k2p", "app")]) with data.approved as per_container
}

test_only_the_ephemeral_container_added_now_is_patched if {
	# The one added before cannot be changed (the API server refuses it): only the new one, wherever it is.
	before := [debugger("debugger-a1b2c", "init")]
	approved_seccomp_profile.patch == {{
		"op": "add", "path": "/spec/ephemeralContainers/1/securityContext",
		"value": {"seccompProfile": {"type": "Localhost", "localhostProfile": "operator/shop/api-init.json"}},
	}} with input as debug(before, array.concat(before, [debugger("debugger-x7k2p", "init")]))
		with data.approved as per_container
}

test_kubectl_debug_without_a_target_or_with_a_profile_of_its_own_is_left_alone if {
	count(approved_seccomp_profile.patch) == 0 with input as debug([], [debugger("debugger-x7k2p", null)])
		with data.approved as per_container
	own := object.union(debugger("debugger-x7k2p", "app"), {"securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}})
	count(approved_seccomp_profile.patch) == 0 with input as debug([], [own]) with data.approved as per_container
	unapproved_target := debugger("debugger-x7k2p", "sidecar")
	count(approved_seccomp_profile.patch) == 0 with input as debug([], [unapproved_target]) with data.approved as per_container
}

test_kubectl_debug_in_audit_mode_or_of_a_workload_without_approvals_is_left_alone if {
	audit := object.union(debug([], [debugger("debugger-x7k2p", "app")]), {"mode": "audit"})
	count(approved_seccomp_profile.patch) == 0 with input as audit with data.approved as per_container
	count(approved_seccomp_profile.patch) == 0 with input as debug([], [debugger("debugger-x7k2p", "app")])
		with data.approved as {"workloads": {}}
}

test_an_update_of_the_pod_itself_is_left_alone if {
	update := testing.request_input("UPDATE", mutated_pod([debugger("debugger-x7k2p", "app")]), mutated_pod([]), "baseline", "latest", "alice", ["developers"])
	count(approved_seccomp_profile.patch) == 0 with input as update with data.approved as per_container
}
