# METADATA
# title: Who Tailor's admins are
# description: |
#   The configured admins (data.config.admins: users and groups; by default the groups system:masters and
#   tailor-admins), and whether the request's user is one of them.
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
