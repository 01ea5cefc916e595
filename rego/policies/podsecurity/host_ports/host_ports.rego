# METADATA
# title: Host ports (baseline)
# description: |
#   HostPorts should be disallowed entirely.
#   Restricted fields: ports[*].hostPort of every container. Allowed values: undefined/null, 0.
# custom:
#   id: hostPorts
package checks.podsecurity.host_ports

import data.tailor.lib.kube

check := {"id": "hostPorts", "level": "baseline", "since": 0}

violation contains {
	"reason": "hostPort",
	"detail": concat(" ", [
		kube.containers_noun(names), kube.join_quoted(names),
		_uses(names), _ports_noun(ports), concat(", ", [format_int(p, 10) | some p in ports]),
	]),
	"fields": [f | some c in bad; some f in _fields(c)],
	"allowed": "0 or unset",
} if {
	bad := [c | some c in kube.pod_containers; count(_host_ports(c)) > 0]
	count(bad) > 0
	names := [c.name | some c in bad]
	ports := sort({p | some c in bad; some p in _host_ports(c)})
}

_host_ports(c) := {p.hostPort |
	some p in object.get(c.container, "ports", [])
	is_number(p.hostPort)
	p.hostPort != 0
}

_fields(c) := [concat("", [c.path, ".ports[", format_int(i, 10), "].hostPort"]) |
	some i, p in object.get(c.container, "ports", [])
	is_number(p.hostPort)
	p.hostPort != 0
]

_uses(names) := "uses" if count(names) == 1

_uses(names) := "use" if count(names) != 1

_ports_noun(ports) := "hostPort" if count(ports) == 1

_ports_noun(ports) := "hostPorts" if count(ports) != 1
