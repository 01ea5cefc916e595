# METADATA
# title: Host namespaces (baseline)
# description: |
#   Sharing the host's network, PID or IPC namespace must be disallowed.
#   Restricted fields: spec.hostNetwork, spec.hostPID, spec.hostIPC. Allowed values: undefined/null, false.
# custom:
#   id: hostNamespaces
package checks.podsecurity.host_namespaces

import data.tailor.lib.kube

check := {"id": "hostNamespaces", "level": "baseline", "since": 0}

violation contains {
	"reason": "host namespaces",
	"detail": concat(", ", [concat("", [f, "=true"]) | some f in shared]),
	"fields": [concat(".", [kube.pod.path, f]) | some f in shared],
	"allowed": "false or unset",
} if {
	shared := [f | some f in ["hostNetwork", "hostPID", "hostIPC"]; kube.pod.spec[f] == true]
	count(shared) > 0
}
