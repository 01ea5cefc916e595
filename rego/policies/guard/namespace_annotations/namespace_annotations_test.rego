package checks.guard.namespace_annotations_test

import data.checks.guard.namespace_annotations
import data.tailor.lib.testing

audit := testing.namespace({"tailor.dev/mode": "audit"}, {"tailor.dev/mode": "audit"})

enforce := testing.namespace({"tailor.dev/mode": "enforce"}, {"tailor.dev/mode": "enforce"})

# With the mode the webhook resolves for the written object (Mode.selectedBy): these namespaces' annotations are
# valid modes, so it is the annotation's value.
update(new, old, user, groups) := object.union(
	testing.request_input("UPDATE", new, old, "baseline", "latest", user, groups),
	{"admittedNamespaceMode": object.get(new, ["metadata", "annotations", "tailor.dev/mode"], "audit")},
)

test_namespace_owner_cannot_switch_back_to_audit if {
	some v in namespace_annotations.violation with input as update(audit, enforce, "alice", ["shop-owners"])
	v.always == true
	v.fields == ["metadata.annotations[\"tailor.dev/mode\"]"]
}

test_tailor_admins_may_switch if {
	count(namespace_annotations.violation) == 0 with input as update(enforce, audit, "bob", ["tailor-admins"])
}

test_system_masters_may_switch if {
	count(namespace_annotations.violation) == 0 with input as update(enforce, audit, "kubernetes-admin", ["system:masters"])
}

test_configured_admin_user_may_switch if {
	count(namespace_annotations.violation) == 0 with input as update(enforce, audit, "carol", [])
		with data.config.admins as {"users": ["carol"], "groups": []}
}

test_unrelated_namespace_changes_are_allowed if {
	relabelled := object.union(enforce, {"metadata": {"labels": {"team": "shop"}}})
	count(namespace_annotations.violation) == 0 with input as update(relabelled, enforce, "alice", [])
}

test_invalid_mode_is_rejected_even_for_admins if {
	bad := testing.namespace({"tailor.dev/mode": "enforcing"}, {})
	some v in namespace_annotations.violation with input as update(bad, audit, "bob", ["tailor-admins"])
	v.reason == "invalid annotation value"
}

test_version_must_be_latest_or_v1_minor if {
	good := testing.namespace({"tailor.dev/pod-security-version": "v1.30"}, {})
	bad := testing.namespace({"tailor.dev/pod-security-version": "1.30"}, {})
	count(namespace_annotations.violation) == 0 with input as update(good, good, "bob", ["tailor-admins"])
	count(namespace_annotations.violation) == 1 with input as update(bad, good, "bob", ["tailor-admins"])
}

test_mode_label_must_mirror_the_annotation if {
	forged := testing.namespace({"tailor.dev/mode": "enforce"}, {"tailor.dev/mode": "audit"})
	some v in namespace_annotations.violation with input as update(forged, enforce, "alice", [])
	v.reason == "mode label out of sync"
}

test_denial_names_who_may_switch if {
	some v in namespace_annotations.violation with input as update(audit, enforce, "alice", ["shop-owners"])
	v.detail == "user \"alice\" may not change \"tailor.dev/mode\", only group \"system:masters\", group \"tailor-admins\" may"
}
