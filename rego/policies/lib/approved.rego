# METADATA
# title: Approved behavior of workloads
# description: |
#   What a merged, applied Tailor proposal approved for a workload, from
#   data.approved.workloads[<namespace>][<kind>.<name>]:
#     {"serviceAccount": "checkout", "seccompProfiles": {"server": "operator/shop/checkout-server.json"}}
#   seccompProfiles maps each container's name to its approved profile; seccompProfile (one path) is approved for
#   every container that seccompProfiles does not name. Filled by the webhook from the objects Tailor generated and
#   the approved file; empty until something is approved.
package tailor.lib.approved

import data.tailor.lib.admins
import data.tailor.lib.kube

# The approved behavior of the workload the admitted pod or pod template belongs to.
workload := data.approved.workloads[kube.request_namespace][kube.workload]

# Whether the workload has any seccomp profile approved.
seccomp_profiles_approved if is_string(workload.seccompProfile)

seccomp_profiles_approved if count(workload.seccompProfiles) > 0

# Every seccomp profile approved for the workload, whichever container it is for.
seccomp_profile_set contains p if some p in workload.seccompProfiles

seccomp_profile_set contains workload.seccompProfile if is_string(workload.seccompProfile)

# The profile approved for the workload's container of that name; undefined when none is.
container_seccomp_profile(name) := workload.seccompProfiles[name]

container_seccomp_profile(name) := workload.seccompProfile if {
	not workload.seccompProfiles[name]
	is_string(workload.seccompProfile)
}

# The requester may change approved objects directly: an admin or a configured approver (lib/admins.rego).
requester_may_approve if admins.requester_may_approve
