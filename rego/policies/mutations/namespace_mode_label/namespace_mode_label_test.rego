package mutations.namespace_mode_label_test

import data.mutations.namespace_mode_label
import data.tailor.lib.testing

test_label_added_when_the_namespace_has_no_labels if {
	ns := {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop", "annotations": {"tailor.dev/mode": "enforce"}}}
	namespace_mode_label.patch == {{"op": "add", "path": "/metadata/labels", "value": {"tailor.dev/mode": "enforce"}}} with input as testing.create(ns, "baseline")
}

test_label_follows_the_annotation if {
	ns := testing.namespace({"tailor.dev/mode": "enforce"}, {"team": "shop", "tailor.dev/mode": "audit"})
	namespace_mode_label.patch == {{"op": "add", "path": "/metadata/labels/tailor.dev~1mode", "value": "enforce"}} with input as testing.create(ns, "baseline")
}

test_default_mode_is_audit if {
	ns := testing.namespace({}, {"team": "shop"})
	namespace_mode_label.patch == {{"op": "add", "path": "/metadata/labels/tailor.dev~1mode", "value": "audit"}} with input as testing.create(ns, "baseline")
}

test_nothing_to_do_when_in_sync if {
	ns := testing.namespace({"tailor.dev/mode": "enforce"}, {"tailor.dev/mode": "enforce"})
	count(namespace_mode_label.patch) == 0 with input as testing.create(ns, "baseline")
}
