# METADATA
# title: Sysctls (baseline)
# description: |
#   Sysctls can disable security mechanisms or affect every container on a host; only the "safe" subset,
#   namespaced in the pod and isolated from other pods, is allowed. The safe set grows with the policy version.
#   Restricted fields: spec.securityContext.sysctls[*].name. Allowed values: the safe set of the version.
# custom:
#   id: sysctls
package checks.podsecurity.sysctls

import data.tailor.lib.kube
import data.tailor.lib.psa

check := {"id": "sysctls", "level": "baseline", "since": 0}

# The safe sysctls and the policy version each became safe in.
safe_since := {
	"kernel.shm_rmid_forced": 0,
	"net.ipv4.ip_local_port_range": 0,
	"net.ipv4.tcp_syncookies": 0,
	"net.ipv4.ping_group_range": 0,
	"net.ipv4.ip_unprivileged_port_start": 0,
	"net.ipv4.ip_local_reserved_ports": 27,
	"net.ipv4.tcp_keepalive_time": 29,
	"net.ipv4.tcp_fin_timeout": 29,
	"net.ipv4.tcp_keepalive_intvl": 29,
	"net.ipv4.tcp_keepalive_probes": 29,
	"net.ipv4.tcp_rmem": 32,
	"net.ipv4.tcp_wmem": 32,
	"net.ipv4.tcp_slow_start_after_idle": 37,
	"net.ipv4.tcp_notsent_lowat": 37,
}

violation contains {
	"reason": "forbidden sysctls",
	"detail": concat(", ", [s.name | some s in bad]),
	"fields": [concat("", [kube.pod.path, ".securityContext.sysctls[", format_int(s.index, 10), "].name"]) | some s in bad],
	"allowed": concat(", ", sort({name | some name, since in safe_since; since <= psa.minor})),
} if {
	bad := [{"name": s.name, "index": i} |
		some i, s in object.get(kube.security_context(kube.pod.spec), "sysctls", [])
		not _is_safe(s.name)
	]
	count(bad) > 0
}

_is_safe(name) if safe_since[name] <= psa.minor
