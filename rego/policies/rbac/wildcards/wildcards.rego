# METADATA
# title: RBAC wildcards
# description: |
#   A Role or ClusterRole must name its verbs and resources: a "*" grants every verb or resource that exists now
#   and every one added later, which is never least privilege.
#   Restricted fields: rules[*].verbs, rules[*].resources, rules[*].nonResourceURLs. Allowed values: no "*".
#   Exempt: requests by subjects in data.config.rbac.exemptSubjects (the API server reconciling its bootstrap
#   roles, for one).
# custom:
#   id: rbacWildcard
package checks.rbac.wildcards

import data.tailor.lib.rbac

check := {"id": "rbacWildcard"}

violation contains {
	"reason": "wildcard RBAC rule",
	"detail": concat("; ", [w.text | some w in found]),
	"fields": [w.field | some w in found],
	"allowed": "named verbs and resources, no \"*\"",
} if {
	found := [w |
		some r in rbac.rules
		some field in ["verbs", "resources", "nonResourceURLs"]
		"*" in object.get(r.rule, field, [])
		w := {
			"text": concat("", ["rules[", format_int(r.index, 10), "].", field, " contains \"*\""]),
			"field": concat("", ["rules[", format_int(r.index, 10), "].", field]),
		}
	]
	count(found) > 0
}
