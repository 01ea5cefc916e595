# METADATA
# title: Test fixtures for the Rego unit tests
# description: |
#   A minimal pod that passes every check at the restricted level, and admission inputs built around it; each
#   failing case in a test is one tweak of it (as Pod Security Admission's own fixtures are).
package tailor.lib.testing

base_pod := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {"name": "api-7f9c-x2x8z", "namespace": "shop"},
	"spec": {
		"containers": [{
			"name": "app",
			"image": "registry.example/app:1",
			"securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}},
		}],
		"securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
	},
}

# The base pod with `overlay` merged into its spec.
pod_with_spec(overlay) := object.union(base_pod, {"spec": overlay})

# The base pod with `overlay` merged into the securityContext of its container.
pod_with_container_context(overlay) := object.union(base_pod, {"spec": {"containers": [object.union(
	base_pod.spec.containers[0],
	{"securityContext": object.union(base_pod.spec.containers[0].securityContext, overlay)},
)]}})

# An admission input: CREATE of `obj` in namespace shop, at `level`.
create(obj, level) := request_input("CREATE", obj, null, level, "latest", "alice", ["developers"])

create_at(obj, level, version) := request_input("CREATE", obj, null, level, version, "alice", ["developers"])

request_input(operation, obj, old, level, version, user, groups) := {
	"request": {
		"uid": "705ab4f5-6393-11e8-b7cc-42010a800002",
		"kind": {"group": _group(obj.apiVersion), "version": _version(obj.apiVersion), "kind": obj.kind},
		"operation": operation,
		"namespace": object.get(obj, ["metadata", "namespace"], ""),
		"userInfo": {"username": user, "groups": groups},
		"object": obj,
		"oldObject": old,
	},
	"namespace": {"metadata": {"name": "shop", "annotations": {
		"tailor.dev/pod-security": level,
		"tailor.dev/pod-security-version": version,
	}}},
	"mode": "enforce",
}

_group(api_version) := "" if not contains(api_version, "/")

_group(api_version) := split(api_version, "/")[0] if contains(api_version, "/")

_version(api_version) := api_version if not contains(api_version, "/")

_version(api_version) := split(api_version, "/")[1] if contains(api_version, "/")

# A Deployment whose pod template is `pod`.
deployment(pod) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "api", "namespace": "shop"},
	"spec": {"template": {"metadata": {"labels": {"app": "api"}}, "spec": pod.spec}},
}

# A CronJob whose pod template is `pod`.
cron_job(pod) := {
	"apiVersion": "batch/v1",
	"kind": "CronJob",
	"metadata": {"name": "nightly", "namespace": "shop"},
	"spec": {"schedule": "0 3 * * *", "jobTemplate": {"spec": {"template": {"spec": pod.spec}}}},
}

# The ids of the checks that fire on an input.
checks(admission_input) := {v.check |
	some v in data.tailor.admission.validate.violations with input as admission_input
}

# A ClusterRole with the given rules.
cluster_role(rules) := {
	"apiVersion": "rbac.authorization.k8s.io/v1",
	"kind": "ClusterRole",
	"metadata": {"name": "reader"},
	"rules": rules,
}

# A RoleBinding in namespace shop.
role_binding(role_ref, subjects) := {
	"apiVersion": "rbac.authorization.k8s.io/v1",
	"kind": "RoleBinding",
	"metadata": {"name": "binding", "namespace": "shop"},
	"roleRef": object.union({"apiGroup": "rbac.authorization.k8s.io"}, role_ref),
	"subjects": subjects,
}

# A Namespace with the given annotations and labels.
namespace(annotations, labels) := {
	"apiVersion": "v1",
	"kind": "Namespace",
	"metadata": {"name": "shop", "annotations": annotations, "labels": labels},
}
