# METADATA
# title: Approved service account
# description: |
#   A pod must run under the service account approved for its workload, so the approved Role keeps meaning what
#   it meant when it was reviewed.
#   Restricted fields: spec.serviceAccountName of pods and pod templates. Allowed values: the approved one
#   (data.approved.workloads[ns][workload].serviceAccount); anything when nothing is approved.
# custom:
#   id: approvedServiceAccount
package checks.approved.service_account

import data.tailor.lib.approved
import data.tailor.lib.kube

check := {"id": "approvedServiceAccount"}

violation contains {
	"reason": "unapproved service account",
	"detail": concat("", [kube.workload, " runs as service account \"", used, "\", approved is \"", wanted, "\""]),
	"fields": [concat("", [kube.pod.path, ".serviceAccountName"])],
	"allowed": wanted,
} if {
	input.request.operation in {"CREATE", "UPDATE"}
	wanted := approved.workload.serviceAccount
	used := _service_account(kube.pod.spec)
	used != wanted
}

# serviceAccountName, else the deprecated serviceAccount, else "default" (as the API server defaults it).
_service_account(spec) := spec.serviceAccountName if {
	is_string(spec.serviceAccountName)
	spec.serviceAccountName != ""
} else := spec.serviceAccount if {
	is_string(spec.serviceAccount)
	spec.serviceAccount != ""
} else := "default"
