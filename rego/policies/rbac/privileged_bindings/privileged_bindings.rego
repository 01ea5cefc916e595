# METADATA
# title: Privileged RBAC bindings
# description: |
#   Binding the cluster-admin ClusterRole, or binding anything to the group system:masters (which bypasses
#   authorization altogether), hands out the whole cluster.
#   Restricted fields: roleRef (ClusterRole cluster-admin) and subjects[*] (Group system:masters) of
#   RoleBindings and ClusterRoleBindings. Exempt: subjects in data.config.rbac.exemptSubjects.
# custom:
#   id: rbacPrivilegedBinding
package checks.rbac.privileged_bindings

import data.tailor.lib.kube
import data.tailor.lib.rbac

check := {"id": "rbacPrivilegedBinding"}

violation contains {
	"reason": "binds cluster-admin",
	"detail": concat("", ["ClusterRole cluster-admin bound to ", concat(", ", [rbac.describe(s.subject) | some s in subjects])]),
	"fields": ["roleRef.name"],
	"allowed": "a role that grants what the subjects use",
} if {
	kube.admitted.roleRef.kind == "ClusterRole"
	kube.admitted.roleRef.name == "cluster-admin"
	subjects := sort([s | some s in rbac.subjects])
	count(subjects) > 0
}

violation contains {
	"reason": "binds system:masters",
	"detail": concat("", ["subjects[", format_int(s.index, 10), "] is the group system:masters, which bypasses authorization"]),
	"fields": [concat("", ["subjects[", format_int(s.index, 10), "]"])],
	"allowed": "subjects other than the group system:masters",
} if {
	some s in rbac.subjects
	s.subject.kind == "Group"
	s.subject.name == "system:masters"
}
