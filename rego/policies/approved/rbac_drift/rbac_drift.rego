# METADATA
# title: RBAC drift from an approved Role
# description: |
#   A service account with an approved Role (a RoleBinding or ClusterRoleBinding Tailor generated, merged and
#   applied) gets its API access from that Role only: a binding Tailor did not generate that adds a role to it is
#   drift, as is widening an approved Role with a rule it did not have. The configured admins and approvers may do
#   anything.
#   RBAC's own subject matching decides what binds an account: the ServiceAccount, its user name
#   system:serviceaccount:NS:NAME, the groups system:serviceaccounts, system:serviceaccounts:NS and
#   system:authenticated.
#   Restricted fields: subjects of RoleBindings and ClusterRoleBindings; rules of approved Roles and ClusterRoles.
#   Allowed values: Tailor's own bindings; the approved rules or fewer.
# custom:
#   id: approvedRbacDrift
package checks.approved.rbac_drift

import data.tailor.lib.approved
import data.tailor.lib.kube

check := {"id": "approvedRbacDrift"}

violation contains {
	"reason": "role bound beyond the approved Role",
	"detail": concat("", [
		kube.kind, " ", input.request.name, " binds ", object.get(kube.admitted, ["roleRef", "kind"], ""), " ",
		object.get(kube.admitted, ["roleRef", "name"], ""), " to service account ", account, _through(s),
		", whose access is its approved Role",
	]),
	"fields": [concat("", ["subjects[", format_int(i, 10), "]"])],
	"allowed": "the approved Role only",
} if {
	kube.kind in {"RoleBinding", "ClusterRoleBinding"}
	input.request.operation in {"CREATE", "UPDATE"}
	not _tailors(kube.admitted)
	some i, s in object.get(kube.admitted, "subjects", [])
	some account
	data.approved.accounts[account]
	_covers(s, account)
	not approved.requester_may_approve
}

# A subject that an account ("namespace/name") authenticates as, the way RBAC matches subjects: the account itself,
# its user name, or a group every service account (of its namespace) is in.
_covers(s, account) if {
	s.kind == "ServiceAccount"
	account == concat("/", [object.get(s, "namespace", kube.request_namespace), s.name])
}

_covers(s, account) if {
	s.kind == "User"
	account == concat("/", array.slice(split(s.name, ":"), 2, 4))
	startswith(s.name, "system:serviceaccount:")
	count(split(s.name, ":")) == 4
}

_covers(s, _) if {
	s.kind == "Group"
	s.name in {"system:serviceaccounts", "system:authenticated"}
}

_covers(s, account) if {
	s.kind == "Group"
	s.name == concat("", ["system:serviceaccounts:", split(account, "/")[0]])
}

_through(s) := "" if s.kind == "ServiceAccount"

_through(s) := concat("", [" (through ", s.kind, " ", s.name, ")"]) if s.kind != "ServiceAccount"

violation contains {
	"reason": "approved Role widened",
	"detail": concat("", [kube.kind, " ", input.request.name, " is approved; a rule it did not have widens it"]),
	"fields": [concat("", ["rules[", format_int(i, 10), "]"])],
	"allowed": "the approved rules or fewer",
} if {
	kube.kind in {"Role", "ClusterRole"}
	input.request.operation == "UPDATE"
	_tailors(kube.old_admitted)
	some i, rule in object.get(kube.admitted, "rules", [])
	not rule in object.get(kube.old_admitted, "rules", [])
	not approved.requester_may_approve
}

_tailors(object) if object.metadata.labels["app.kubernetes.io/managed-by"] == "tailor"
