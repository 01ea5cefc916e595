# METADATA
# title: Tailor admission decisions
# description: |
#   The two entrypoints the webhook evaluates (compiled to WebAssembly; this file is the one place that names
#   them). Input: {"request": <admission.k8s.io/v1 AdmissionRequest>, "namespace": <the request's Namespace as
#   the webhook's informer sees it, or null>, "mode": "audit" | "enforce"}. Data: {"config": ..., "approved": ...}.
package tailor.admission

import data.tailor.lib.kube
import data.tailor.lib.psa
import data.tailor.lib.rbac

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
# is then kept only if its check is in force. What is done per violation found is a function call, not written out
# in each of the 29 packages' blocks: the rule compiles to one JVM method, and HotSpot leaves a method of more than
# 8,000 bytes of bytecode to the interpreter (`CompiledFunctionsTest` holds every function under that).
violations contains v if {
	_pod_security_evaluated
	some name
	some found in data.checks.podsecurity[name].violation
	v := _pod_security_violation(found, name)
}

violations contains v if {
	_rbac_evaluated
	some name
	some found in data.checks.rbac[name].violation
	v := _tagged(found, "rbac", name)
}

violations contains v if {
	some name
	some found in data.checks.approved[name].violation
	v := _tagged(found, "approved", name)
}

violations contains v if {
	some name
	some found in data.checks.guard[name].violation
	v := _tagged(found, "guard", name)
}

# Every check's metadata by category and name, built only when a violation is found (and then once per evaluation):
# `data.checks.podsecurity[name].check` with `name` bound would be a lookup by path at run time, planned with a
# fallback in every package's block.
_checks := {
	"podSecurity": {name: c | some name; c := data.checks.podsecurity[name].check},
	"rbac": {name: c | some name; c := data.checks.rbac[name].check},
	"approved": {name: c | some name; c := data.checks.approved[name].check},
	"guard": {name: c | some name; c := data.checks.guard[name].check},
}

_pod_security_violation(found, name) := _tagged(found, "podSecurity", name) if psa.in_force(_checks.podSecurity[name])

_tagged(found, category, name) := object.union(found, {"check": _checks[category][name].id, "category": category})

# The RBAC checks read Roles, ClusterRoles and their bindings only (each check's samples hold it to that): for any
# other kind their rules are not called at all.
_rbac_evaluated if rbac.role_kinds[kube.kind]

_rbac_evaluated if rbac.binding_kinds[kube.kind]

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
