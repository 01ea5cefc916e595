# METADATA
# title: Approved behavior of workloads
# description: |
#   What a merged, applied Tailor proposal approved for a workload, from
#   data.approved.workloads[<namespace>][<kind>.<name>]:
#     {"serviceAccount": "checkout", "seccompProfile": "operator/shop/checkout.json"}
#   Filled by the webhook from the objects Tailor generated; empty until something is approved.
package tailor.lib.approved

import data.tailor.lib.admins
import data.tailor.lib.kube

# The approved behavior of the workload the admitted pod or pod template belongs to.
workload := data.approved.workloads[kube.request_namespace][kube.workload]

# The requester may change approved objects directly: an admin or a configured approver (lib/admins.rego).
requester_may_approve if admins.requester_may_approve
