# METADATA
# title: Kubernetes object helpers
# description: |
#   Finds the pod (metadata + spec) in an admitted object — a Pod, or the pod template of a Deployment,
#   ReplicaSet, StatefulSet, DaemonSet, Job or CronJob — with the JSON path of its spec, so a violation in a
#   template names the workload's own field ("spec.template.spec.containers[0]...").
package tailor.lib.kube

# Kinds whose objects carry a pod template, and where it is.
template_paths := {
	"Deployment": ["spec", "template"],
	"ReplicaSet": ["spec", "template"],
	"StatefulSet": ["spec", "template"],
	"DaemonSet": ["spec", "template"],
	"Job": ["spec", "template"],
	"CronJob": ["spec", "jobTemplate", "spec", "template"],
}

admitted := input.request.object

kind := input.request.kind.kind

old_admitted := input.request.oldObject

# The pod an object describes: {"metadata", "spec", "path"} where path is the dotted path of its pod spec.
pod := {"metadata": object_get(admitted, "metadata", {}), "spec": object_get(admitted, "spec", {}), "path": "spec"} if {
	kind == "Pod"
	is_object(admitted)
}

pod := {
	"metadata": object_get(template, "metadata", {}),
	"spec": object_get(template, "spec", {}),
	"path": concat(".", array.concat(template_paths[kind], ["spec"])),
} if {
	template := object_get(admitted, template_paths[kind], {})
	is_object(template)
}

# The same, for the object before an UPDATE.
old_pod_spec := object_get(old_admitted, "spec", {}) if kind == "Pod"

old_pod_spec := object_get(old_admitted, array.concat(template_paths[kind], ["spec"]), {}) if {
	template_paths[kind]
}

old_pod_metadata := object_get(old_admitted, "metadata", {}) if kind == "Pod"

old_pod_metadata := object_get(old_admitted, array.concat(template_paths[kind], ["metadata"]), {}) if {
	template_paths[kind]
}

object_get(obj, key, default_value) := object.get(obj, key, default_value) if is_object(obj)

object_get(obj, _, default_value) := default_value if not is_object(obj)

# Every container of a pod spec with the list it is in, its index, its securityContext ({} when unset) and its path
# in the admitted object ("spec.template.spec.containers[1]"), in PSA's visiting order: initContainers, containers,
# ephemeralContainers. Each check reads these instead of computing them again per container.
container_lists := ["initContainers", "containers", "ephemeralContainers"]

# The containers of the admitted pod or pod template (computed once per evaluation).
pod_containers := containers(pod.spec)

containers(spec) := [c |
	some list in container_lists
	some i, container in object.get(spec, list, [])
	c := {
		"list": list, "index": i, "name": object.get(container, "name", ""), "container": container,
		"securityContext": security_context(container),
		"path": concat("", [pod.path, ".", list, "[", format_int(i, 10), "]"]),
	}
]

# securityContext of a container or pod, {} when unset or null.
security_context(obj) := sc if {
	sc := object.get(obj, "securityContext", {})
	is_object(sc)
} else := {}

# "a", "b" — names quoted and joined as PSA does.
join_quoted(names) := concat(", ", [concat("", ["\"", n, "\""]) | some n in names])

# "container" or "containers" for n names.
containers_noun(names) := "container" if count(names) == 1

containers_noun(names) := "containers" if count(names) != 1

# Sorted, de-duplicated list of the names in a collection.
sorted_names(names) := sort({n | some n in names})

# The namespace of the request ("" for cluster-scoped objects).
request_namespace := object.get(input.request, "namespace", "")

# Annotations and labels of the Namespace the request is in, as the webhook saw them.
namespace_annotations := object.get(input, ["namespace", "metadata", "annotations"], {})

# The workload an admitted object belongs to, as "<kind>.<name>" with the kind in lower case.
# A Pod owned by a ReplicaSet whose name ends in the pod's pod-template-hash belongs to that Deployment; any other
# object made by a controller (a Deployment's ReplicaSet, a CronJob's Job) belongs to its controlling owner.
workload := concat(".", [lower(owner.kind), owner.name]) if {
	kind == "Pod"
	owner := pod_owner
} else := concat(".", [lower(owner.kind), owner.name]) if {
	kind != "Pod"
	some owner in object_get(admitted, ["metadata", "ownerReferences"], [])
	owner.controller == true
} else := concat(".", [lower(kind), name]) if {
	name := object_get(admitted, ["metadata", "name"], "")
	name != ""
} else := concat(".", [lower(kind), object_get(admitted, ["metadata", "generateName"], "")])

pod_owner := {"kind": "Deployment", "name": trim_suffix(rs.name, concat("", ["-", hash]))} if {
	some rs in object_get(admitted, ["metadata", "ownerReferences"], [])
	rs.controller == true
	rs.kind == "ReplicaSet"
	hash := object_get(admitted, ["metadata", "labels", "pod-template-hash"], "")
	hash != ""
	endswith(rs.name, concat("", ["-", hash]))
} else := {"kind": "CronJob", "name": substring(job.name, 0, count(job.name) - count(run[0]))} if {
	# A CronJob's Job is named "<cronjob>-<minutes since the epoch>": its pods are the CronJob's, as generation names
	# them, so each run is not a workload of its own.
	some job in object_get(admitted, ["metadata", "ownerReferences"], [])
	job.controller == true
	job.kind == "Job"
	run := regex.find_all_string_submatch_n(`-[0-9]{8,}$`, job.name, 1)[0]
} else := {"kind": owner.kind, "name": owner.name} if {
	some owner in object_get(admitted, ["metadata", "ownerReferences"], [])
	owner.controller == true
}
