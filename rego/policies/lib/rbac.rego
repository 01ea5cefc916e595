# METADATA
# title: RBAC helpers
# description: |
#   Roles and bindings in an admitted object, and the exemptions by subject from data.config.rbac.exemptSubjects:
#   a list of {"kind": "User" | "Group" | "ServiceAccount", "name": ..., "namespace": ... (ServiceAccount only)}.
package tailor.lib.rbac

import data.tailor.lib.kube

role_kinds := {"Role", "ClusterRole"}

binding_kinds := {"RoleBinding", "ClusterRoleBinding"}

# The rules of an admitted Role or ClusterRole, with their index, on CREATE and UPDATE.
rules contains {"index": i, "rule": rule} if {
	role_kinds[kube.kind]
	input.request.operation in {"CREATE", "UPDATE"}
	not requester_is_exempt
	some i, rule in object.get(kube.admitted, "rules", [])
}

# The subjects of an admitted RoleBinding or ClusterRoleBinding that are not exempt.
subjects contains {"index": i, "subject": subject} if {
	binding_kinds[kube.kind]
	input.request.operation in {"CREATE", "UPDATE"}
	some i, subject in object.get(kube.admitted, "subjects", [])
	not is_exempt(subject)
}

exempt_subjects := data.config.rbac.exemptSubjects

default exempt_subjects := []

is_exempt(subject) if {
	some e in exempt_subjects
	e.kind == subject.kind
	e.name == subject.name
	object.get(e, "namespace", "") == _subject_namespace(subject)
}

_subject_namespace(subject) := object.get(subject, "namespace", "") if subject.kind == "ServiceAccount"

_subject_namespace(subject) := "" if subject.kind != "ServiceAccount"

# The requester is exempt as a user, through one of its groups, or as a service account.
requester_is_exempt if is_exempt({"kind": "User", "name": input.request.userInfo.username})

requester_is_exempt if {
	some group in object.get(input.request.userInfo, "groups", [])
	is_exempt({"kind": "Group", "name": group})
}

requester_is_exempt if {
	parts := split(input.request.userInfo.username, ":")
	count(parts) == 4
	parts[0] == "system"
	parts[1] == "serviceaccount"
	is_exempt({"kind": "ServiceAccount", "namespace": parts[2], "name": parts[3]})
}

# "ServiceAccount ns/name", "Group system:masters", "User alice"
describe(subject) := concat("", ["ServiceAccount ", subject.namespace, "/", subject.name]) if subject.kind == "ServiceAccount"

describe(subject) := concat(" ", [subject.kind, subject.name]) if subject.kind != "ServiceAccount"
