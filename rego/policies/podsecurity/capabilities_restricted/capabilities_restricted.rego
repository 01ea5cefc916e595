# METADATA
# title: Capabilities (restricted)
# description: |
#   Containers must drop ALL capabilities and may add back only NET_BIND_SERVICE. From policy v1.22, replacing
#   capabilities_baseline; from v1.25 Windows pods are exempt.
#   Restricted fields: securityContext.capabilities.drop and .add of every container.
#   Allowed values: drop must include ALL; add undefined/empty or NET_BIND_SERVICE.
# custom:
#   id: capabilities_restricted
package checks.podsecurity.capabilities_restricted

import data.tailor.lib.kube
import data.tailor.lib.psa

check := {"id": "capabilities_restricted", "level": "restricted", "since": 22, "overrides": ["capabilities_baseline"]}

violation contains {
	"reason": "unrestricted capabilities",
	"detail": concat(", ", array.concat(drop_text, add_text)),
	"fields": array.concat(
		[concat("", [c.path, ".securityContext.capabilities.drop"]) | some c in not_dropping],
		[concat("", [c.path, ".securityContext.capabilities.add"]) | some c in adding],
	),
	"allowed": "drop: [\"ALL\"]; add: only NET_BIND_SERVICE",
} if {
	not psa.is_windows_pod
	containers := kube.pod_containers
	not_dropping := [c | some c in containers; not "ALL" in object.get(c.securityContext, ["capabilities", "drop"], [])]
	adding := [c | some c in containers; count(_added(c)) > 0]
	count(not_dropping) + count(adding) > 0
	drop_text := [concat(" ", [kube.containers_noun(names), kube.join_quoted(names), "must set securityContext.capabilities.drop=[\"ALL\"]"]) |
		names := [c.name | some c in not_dropping]
		count(names) > 0
	]
	add_text := [concat(" ", [kube.containers_noun(names), kube.join_quoted(names), "must not include", kube.join_quoted(caps), "in securityContext.capabilities.add"]) |
		names := [c.name | some c in adding]
		count(names) > 0
		caps := kube.sorted_names({cap | some c in adding; some cap in _added(c)})
	]
}

_added(c) := {cap |
	some cap in object.get(c.securityContext, ["capabilities", "add"], [])
	cap != "NET_BIND_SERVICE"
}
