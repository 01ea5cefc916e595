# METADATA
# title: HostProcess (baseline)
# description: |
#   Windows pods may run HostProcess containers, which have privileged access to the Windows host; they must be
#   disallowed.
#   Restricted fields: securityContext.windowsOptions.hostProcess of the pod and of every container.
#   Allowed values: undefined/null, false.
# custom:
#   id: windowsHostProcess
package checks.podsecurity.windows_host_process

import data.tailor.lib.kube

check := {"id": "windowsHostProcess", "level": "baseline", "since": 0}

violation contains {
	"reason": "hostProcess",
	"detail": concat("", [concat(" and ", setters), " must not set securityContext.windowsOptions.hostProcess=true"]),
	"fields": fields,
	"allowed": "false or unset",
} if {
	pod_bad := [1 | _is_host_process(kube.pod.spec)]
	bad := [c | some c in kube.pod_containers; _is_host_process(c.container)]
	count(pod_bad) + count(bad) > 0
	setters := array.concat(
		["pod" | count(pod_bad) > 0],
		[concat(" ", [kube.containers_noun(names), kube.join_quoted(names)]) | names := [c.name | some c in bad]; count(names) > 0],
	)
	fields := array.concat(
		[concat("", [kube.pod.path, ".securityContext.windowsOptions.hostProcess"]) | count(pod_bad) > 0],
		[concat("", [c.path, ".securityContext.windowsOptions.hostProcess"]) | some c in bad],
	)
}

_is_host_process(obj) if kube.security_context(obj).windowsOptions.hostProcess == true
