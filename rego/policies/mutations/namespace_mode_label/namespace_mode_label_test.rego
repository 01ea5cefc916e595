package mutations.namespace_mode_label_test

import data.mutations.namespace_mode_label
import data.tailor.lib.testing

# The webhook resolves the mode a written Namespace selects (Mode.selectedBy) and passes it in; the check mirrors it.
writing(ns, mode) := object.union(testing.create(ns, "baseline"), {"admittedNamespaceMode": mode})

test_label_added_when_the_namespace_has_no_labels if {
	ns := {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop", "annotations": {"tailor.dev/mode": "enforce"}}}
	namespace_mode_label.patch == {{"op": "add", "path": "/metadata/labels", "value": {"tailor.dev/mode": "enforce"}}} with input as writing(ns, "enforce")
}

test_label_follows_the_mode_the_object_selects if {
	ns := testing.namespace({"tailor.dev/mode": "enforce"}, {"team": "shop", "tailor.dev/mode": "audit"})
	namespace_mode_label.patch == {{"op": "add", "path": "/metadata/labels/tailor.dev~1mode", "value": "enforce"}} with input as writing(ns, "enforce")
}

test_an_unannotated_namespace_gets_the_default_the_webhook_resolved if {
	ns := testing.namespace({}, {"team": "shop"})
	namespace_mode_label.patch == {{"op": "add", "path": "/metadata/labels/tailor.dev~1mode", "value": "audit"}} with input as writing(ns, "audit")
}

test_nothing_to_do_when_in_sync if {
	ns := testing.namespace({"tailor.dev/mode": "enforce"}, {"tailor.dev/mode": "enforce"})
	count(namespace_mode_label.patch) == 0 with input as writing(ns, "enforce")
}

test_nothing_without_a_resolved_mode if {
	ns := testing.namespace({"tailor.dev/mode": "enforce"}, {"team": "shop"})
	count(namespace_mode_label.patch) == 0 with input as testing.create(ns, "baseline")
}
