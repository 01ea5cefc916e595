# METADATA
# title: Capabilities (baseline)
# description: |
#   Adding capabilities beyond the default set must be disallowed.
#   Restricted fields: securityContext.capabilities.add of every container.
#   Allowed values: undefined/empty, or a subset of AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD,
#   NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT.
# custom:
#   id: capabilities_baseline
package checks.podsecurity.capabilities_baseline

import data.tailor.lib.kube

check := {"id": "capabilities_baseline", "level": "baseline", "since": 0}

allowed_capabilities := {
	"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
	"NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
}

violation contains {
	"reason": "non-default capabilities",
	"detail": concat(" ", [
		kube.containers_noun(names), kube.join_quoted(names),
		"must not include", kube.join_quoted(added), "in securityContext.capabilities.add",
	]),
	"fields": [concat("", [c.path, ".securityContext.capabilities.add"]) | some c in bad],
	"allowed": "a subset of AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT",
} if {
	bad := [c | some c in kube.pod_containers; count(_forbidden(c)) > 0]
	count(bad) > 0
	names := [c.name | some c in bad]
	added := kube.sorted_names({cap | some c in bad; some cap in _forbidden(c)})
}

_forbidden(c) := {cap |
	some cap in object.get(c.securityContext, ["capabilities", "add"], [])
	not allowed_capabilities[cap]
}
