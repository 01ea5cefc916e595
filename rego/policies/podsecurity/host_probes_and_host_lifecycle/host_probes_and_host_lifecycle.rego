# METADATA
# title: Host probes and lifecycle hooks (baseline)
# description: |
#   A probe or lifecycle handler with a host makes the kubelet connect to an arbitrary address on the pod's
#   behalf; the host field must stay empty. From policy v1.34.
#   Restricted fields: httpGet.host and tcpSocket.host of livenessProbe, readinessProbe, startupProbe,
#   lifecycle.postStart and lifecycle.preStop of every container. Allowed values: undefined/null, "".
# custom:
#   id: hostProbesAndHostLifecycle
package checks.podsecurity.host_probes_and_host_lifecycle

import data.tailor.lib.kube

check := {"id": "hostProbesAndHostLifecycle", "level": "baseline", "since": 34}

handlers := [
	["livenessProbe"], ["readinessProbe"], ["startupProbe"],
	["lifecycle", "postStart"], ["lifecycle", "preStop"],
]

violation contains {
	"reason": "probe or lifecycle host",
	"detail": concat(" ", [
		kube.containers_noun(names), kube.join_quoted(names), _uses(names),
		_hosts_noun(hosts), kube.join_quoted(hosts),
	]),
	"fields": [h.field | some h in found],
	"allowed": "\"\" or unset",
} if {
	found := [h | some c in kube.pod_containers; some h in _hosts(c)]
	count(found) > 0
	names := kube.sorted_names({h.container | some h in found})
	hosts := kube.sorted_names({h.host | some h in found})
}

_hosts(c) := [{"container": c.name, "host": host, "field": concat(".", array.concat([c.path], array.concat(handler, [action, "host"])))} |
	some handler in handlers
	some action, spec in object.get(c.container, handler, {})
	action in {"httpGet", "tcpSocket"}
	is_object(spec)
	host := object.get(spec, "host", "")
	is_string(host)
	host != ""
]

_uses(names) := "uses" if count(names) == 1

_uses(names) := "use" if count(names) != 1

_hosts_noun(hosts) := "probe or lifecycle host" if count(hosts) == 1

_hosts_noun(hosts) := "probe or lifecycle hosts" if count(hosts) != 1
