# METADATA
# title: Tailor admission decisions
# description: |
#   The two entrypoints the webhook evaluates (compiled to WebAssembly; this file is the one place that names
#   them). Input: {"request": <admission.k8s.io/v1 AdmissionRequest>, "namespace": <the request's Namespace as
#   the webhook's informer sees it, or null>, "mode": "audit" | "enforce"}. Data: {"config": ..., "approved": ...}.
package tailor.admission

import data.tailor.lib.kube
import data.tailor.lib.psa

# METADATA
# title: validate
# description: |
#   Every violation of the admitted object, sorted, with the namespace's Pod Security level and version and the
#   workload the object belongs to. A violation:
#     {"check": "hostNamespaces", "category": "podSecurity", "reason": "host namespaces",
#      "detail": "hostNetwork=true", "fields": ["spec.hostNetwork"], "allowed": "false or unset"}
#   "always": true marks a violation that is denied whatever the namespace's mode (the annotation guard).
# entrypoint: true
validate := {
	"violations": sort(violations),
	"podSecurity": {"level": psa.level, "version": psa.version},
	"workload": kube.workload,
}

# METADATA
# title: mutate
# description: |
#   The JSON Patch operations for the admitted object: [] when there is nothing to change.
# entrypoint: true
mutate := sort([op | some name; some op in data.mutations[name].patch])

# Each rule names its category and iterates the packages' violations before anything binds `name`: the OPA planner
# then calls every package's rule directly. With `name` bound first (by `check`, or a category from a list), it
# looks each rule up by its path at run time instead, which cost a third of an evaluation. A violation that is found
# is then kept only if its check is in force.
violations contains v if {
	_pod_security_evaluated
	some name
	some found in data.checks.podsecurity[name].violation
	check := data.checks.podsecurity[name].check
	psa.in_force(check)
	v := object.union(found, {"check": check.id, "category": "podSecurity"})
}

violations contains v if {
	some name
	some found in data.checks.rbac[name].violation
	v := object.union(found, {"check": data.checks.rbac[name].check.id, "category": "rbac"})
}

violations contains v if {
	some name
	some found in data.checks.approved[name].violation
	v := object.union(found, {"check": data.checks.approved[name].check.id, "category": "approved"})
}

violations contains v if {
	some name
	some found in data.checks.guard[name].violation
	v := object.union(found, {"check": data.checks.guard[name].check.id, "category": "guard"})
}

# Pod Security Standards apply to pods and pod templates on CREATE, and on UPDATE only when the pod spec or
# metadata changed (as Pod Security Admission, so labelling an old pod never fails on its spec).
_pod_security_evaluated if {
	kube.pod
	input.request.operation == "CREATE"
}

_pod_security_evaluated if {
	kube.pod
	input.request.operation == "UPDATE"
	_pod_changed
}

_pod_changed if kube.pod.spec != kube.old_pod_spec

_pod_changed if kube.pod.metadata.annotations != kube.old_pod_metadata.annotations

_pod_changed if {
	not kube.old_pod_spec
}
