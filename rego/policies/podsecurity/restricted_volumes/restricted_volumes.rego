# METADATA
# title: Volume types (restricted)
# description: |
#   Besides hostPath, the restricted level limits volumes to the core types that do not reach the node or an
#   arbitrary storage backend directly. Replaces the baseline hostPathVolumes check.
#   Restricted fields: spec.volumes[*]. Allowed types: configMap, csi, downwardAPI, emptyDir, ephemeral, image,
#   persistentVolumeClaim, projected, secret. (A volume with no source is defaulted to emptyDir by the API server.)
# custom:
#   id: restrictedVolumes
package checks.podsecurity.restricted_volumes

import data.tailor.lib.kube

check := {"id": "restrictedVolumes", "level": "restricted", "since": 0, "overrides": ["hostPathVolumes"]}

allowed_sources := {
	"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image",
	"persistentVolumeClaim", "projected", "secret",
}

violation contains {
	"reason": "restricted volume types",
	"detail": concat(", ", [concat("", ["volume \"", b.name, "\" uses ", concat(", ", b.sources)]) | some b in bad]),
	"fields": [concat("", [kube.pod.path, ".volumes[", format_int(b.index, 10), "].", b.sources[0]]) | some b in bad],
	"allowed": concat(", ", sort(allowed_sources)),
} if {
	bad := [{"index": i, "name": object.get(v, "name", ""), "sources": sources} |
		some i, v in object.get(kube.pod.spec, "volumes", [])
		sources := sort({k | some k, value in v; k != "name"; value != null})
		count(sources) > 0
		not _uses_allowed_source(v)
	]
	count(bad) > 0
}

_uses_allowed_source(volume) if {
	some source in allowed_sources
	volume[source] != null
}
