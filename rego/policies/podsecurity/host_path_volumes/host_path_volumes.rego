# METADATA
# title: HostPath volumes (baseline)
# description: |
#   HostPath volumes must be forbidden.
#   Restricted fields: spec.volumes[*].hostPath. Allowed values: undefined/null.
# custom:
#   id: hostPathVolumes
package checks.podsecurity.host_path_volumes

import data.tailor.lib.kube

check := {"id": "hostPathVolumes", "level": "baseline", "since": 0}

violation contains {
	"reason": "hostPath volumes",
	"detail": concat(" ", [_noun(names), kube.join_quoted(names)]),
	"fields": [concat("", [kube.pod.path, ".volumes[", format_int(i, 10), "].hostPath"]) | some i in indexes],
	"allowed": "no hostPath volumes",
} if {
	volumes := object.get(kube.pod.spec, "volumes", [])
	indexes := [i | some i, v in volumes; v.hostPath != null]
	count(indexes) > 0
	names := [volumes[i].name | some i in indexes]
}

_noun(names) := "volume" if count(names) == 1

_noun(names) := "volumes" if count(names) != 1
