# METADATA
# title: SELinux (baseline)
# description: |
#   Setting a custom SELinux user or role must be forbidden, and the type restricted to the container types.
#   Restricted fields: seLinuxOptions.type, .user and .role of the pod and of every container.
#   Allowed values: type undefined/"", container_t, container_init_t, container_kvm_t, and from v1.31
#   container_engine_t; user and role undefined/"".
# custom:
#   id: seLinuxOptions
package checks.podsecurity.se_linux_options

import data.tailor.lib.kube
import data.tailor.lib.psa

check := {"id": "seLinuxOptions", "level": "baseline", "since": 0}

allowed_types := {"", "container_t", "container_init_t", "container_kvm_t"} if psa.minor < 31

allowed_types := {"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"} if psa.minor >= 31

violation contains {
	"reason": "seLinuxOptions",
	"detail": concat(", ", [b.text | some b in bad]),
	"fields": [b.field | some b in bad],
	"allowed": concat("", ["type one of ", kube.join_quoted(sort(allowed_types)), "; user and role unset"]),
} if {
	owners := array.concat(
		[{"who": "pod", "sc": kube.security_context(kube.pod.spec), "path": kube.pod.path}],
		[{"who": concat("", ["container \"", c.name, "\""]), "sc": c.securityContext, "path": c.path} |
			some c in kube.pod_containers
		],
	)
	bad := [b | some o in owners; some b in _forbidden(o)]
	count(bad) > 0
}

_forbidden(owner) := [{"text": concat("", [owner.who, " ", field, "=\"", value, "\""]), "field": concat("", [owner.path, ".securityContext.seLinuxOptions.", field])} |
	options := owner.sc.seLinuxOptions
	is_object(options)
	some field in ["type", "user", "role"]
	value := object.get(options, field, "")
	not _allowed(field, value)
]

_allowed("type", value) if allowed_types[value]

_allowed("user", "")

_allowed("role", "")
