# METADATA
# title: Who Tailor's admins are
# description: |
#   The configured admins (data.config.admins: users and groups; by default the groups system:masters and
#   tailor-admins), and whether the request's user is one of them; and who may approve (write Tailor's objects):
#   the admins and the configured approvers (data.config.approvers: the GitOps identity that applies merged
#   proposals, which need not be able to switch namespaces).
package tailor.lib.admins

users := object.get(data.config, ["admins", "users"], []) if data.config

default users := []

groups := object.get(data.config, ["admins", "groups"], ["system:masters", "tailor-admins"]) if data.config

default groups := ["system:masters", "tailor-admins"]

# "user \"carol\"", "group \"tailor-admins\"": for messages.
names := array.concat(
	[concat("", ["user \"", u, "\""]) | some u in users],
	[concat("", ["group \"", g, "\""]) | some g in groups],
)

requester_is_admin if input.request.userInfo.username in users

requester_is_admin if {
	some group in object.get(input.request.userInfo, "groups", [])
	group in groups
}

approver_users := object.get(data.config, ["approvers", "users"], []) if data.config

default approver_users := []

approver_groups := object.get(data.config, ["approvers", "groups"], []) if data.config

default approver_groups := []

# "user \"carol\"", "group \"tailor-admins\"", "user \"system:serviceaccount:flux-system:kustomize-controller\"": for messages.
approver_names := array.concat(names, array.concat(
	[concat("", ["user \"", u, "\""]) | some u in approver_users],
	[concat("", ["group \"", g, "\""]) | some g in approver_groups],
))

requester_may_approve if requester_is_admin

requester_may_approve if input.request.userInfo.username in approver_users

requester_may_approve if {
	some group in object.get(input.request.userInfo, "groups", [])
	group in approver_groups
}
