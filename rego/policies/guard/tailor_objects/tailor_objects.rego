# METADATA
# title: Who may write Tailor's objects
# description: |
#   Objects labelled app.kubernetes.io/managed-by=tailor — NetworkPolicies, Roles, RoleBindings, ClusterRoles,
#   ClusterRoleBindings and SeccompProfiles — are what the webhook takes as approved behavior. Only the configured
#   admins (data.config.admins) and approvers (data.config.approvers: the GitOps identity that applies merged
#   proposals) may create, change, relabel or delete one, so a namespace editor cannot approve
#   what their workload does, nor take an approval away: the label on the object before or after the write is
#   enough. The control plane (the API server, the controller manager and kube-system's service accounts, which
#   clean up a deleted namespace) is exempt. Denied in audit mode too ("always").
# custom:
#   id: tailorObjectGuard
package checks.guard.tailor_objects

import data.tailor.lib.admins
import data.tailor.lib.kube

check := {"id": "tailorObjectGuard"}

kinds := {"NetworkPolicy", "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding", "SeccompProfile"}

violation contains {
	"reason": "not allowed to write Tailor's objects",
	"detail": concat("", [
		"user \"", input.request.userInfo.username, "\" may not ", lower(input.request.operation), " ", kube.kind,
		" ", object.get(input.request, "name", ""), ", labelled app.kubernetes.io/managed-by=tailor (an approval); only ",
		concat(", ", admins.approver_names), " may",
	]),
	"fields": ["metadata.labels[\"app.kubernetes.io/managed-by\"]"],
	"allowed": "changes by configured admins only",
	"always": true,
} if {
	kube.kind in kinds
	some written in [input.request.object, input.request.oldObject]
	_tailors(written)
	not admins.requester_may_approve
	not _control_plane
}

_tailors(obj) if obj.metadata.labels["app.kubernetes.io/managed-by"] == "tailor"

_control_plane if input.request.userInfo.username in {"system:apiserver", "system:kube-controller-manager"}

_control_plane if startswith(input.request.userInfo.username, "system:serviceaccount:kube-system:")
