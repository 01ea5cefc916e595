# METADATA
# title: Approved behavior of workloads
# description: |
#   What a merged, applied Tailor proposal approved for a workload, from
#   data.approved.workloads[<namespace>][<kind>.<name>]:
#     {"serviceAccount": "checkout", "seccompProfile": "operator/shop/checkout.json"}
#   Filled by the webhook from the objects Tailor generated; empty until something is approved.
package tailor.lib.approved

import data.tailor.lib.kube

# The approved behavior of the workload the admitted pod or pod template belongs to.
workload := data.approved.workloads[kube.request_namespace][kube.workload]

# The requester is one of the configured admins (data.config.admins), who may change approved objects directly.
requester_is_admin if input.request.userInfo.username in _admin_users

requester_is_admin if {
	some group in input.request.userInfo.groups
	group in _admin_groups
}

_admin_users := object.get(data.config, ["admins", "users"], []) if data.config

default _admin_users := []

_admin_groups := object.get(data.config, ["admins", "groups"], ["system:masters", "tailor-admins"]) if data.config

default _admin_groups := ["system:masters", "tailor-admins"]
