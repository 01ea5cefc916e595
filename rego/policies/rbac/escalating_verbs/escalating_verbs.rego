# METADATA
# title: RBAC escalating verbs
# description: |
#   The escalate, bind and impersonate verbs let a subject grant itself, or act with, permissions it does not
#   hold; a Role or ClusterRole must not grant them.
#   Restricted fields: rules[*].verbs. Allowed values: any verb but escalate, bind and impersonate.
#   Exempt: requests by subjects in data.config.rbac.exemptSubjects.
# custom:
#   id: rbacEscalatingVerb
package checks.rbac.escalating_verbs

import data.tailor.lib.kube
import data.tailor.lib.rbac

check := {"id": "rbacEscalatingVerb"}

escalating := {"escalate", "bind", "impersonate"}

violation contains {
	"reason": "escalating RBAC verbs",
	"detail": concat("; ", [w.text | some w in found]),
	"fields": [w.field | some w in found],
	"allowed": "verbs other than escalate, bind and impersonate",
} if {
	found := [w |
		some r in rbac.rules
		verbs := kube.sorted_names({v | some v in object.get(r.rule, "verbs", []); escalating[v]})
		count(verbs) > 0
		w := {
			"text": concat("", ["rules[", format_int(r.index, 10), "] grants ", kube.join_quoted(verbs), " on ", _on(r.rule)]),
			"field": concat("", ["rules[", format_int(r.index, 10), "].verbs"]),
		}
	]
	count(found) > 0
}

_on(rule) := concat(", ", object.get(rule, "resources", ["*"])) if count(object.get(rule, "resources", [])) > 0

_on(rule) := "nothing named" if count(object.get(rule, "resources", [])) == 0
