# METADATA
# title: Pod Security Standards — level and version of a namespace
# description: |
#   The level comes from the namespace annotation tailor.dev/pod-security (privileged | baseline | restricted),
#   else from data.config.podSecurity.defaultLevel, else baseline. The policy version comes from
#   tailor.dev/pod-security-version ("v1.N" or "latest", default latest), and — as in Pod Security Admission — a
#   version newer than the newest check revision means the newest revision.
package tailor.lib.psa

import data.tailor.lib.kube

# The newest policy version any check has a revision for (PSA's registry maxVersion): sysctls gained one in 1.37.
latest_minor := 37

level_rank := {"privileged": 0, "baseline": 1, "restricted": 2}

level := l if {
	l := kube.namespace_annotations["tailor.dev/pod-security"]
	level_rank[l]
} else := l if {
	l := data.config.podSecurity.defaultLevel
	level_rank[l]
} else := "baseline"

minor := m if {
	v := kube.namespace_annotations["tailor.dev/pod-security-version"]
	startswith(v, "v1.")
	m := min([to_number(trim_prefix(v, "v1.")), latest_minor])
} else := latest_minor

version := concat("", ["v1.", format_int(minor, 10)])

# True when a check's revision applies at the namespace's level and version, and no stronger check that is in
# force replaces it (restricted checks override their baseline counterparts, as PSA's OverrideCheckIDs do).
in_force(check) if {
	_enabled(check)
	not overridden[check.id]
}

_enabled(check) if {
	level_rank[check.level] <= level_rank[level]
	level_rank[check.level] > 0
	check.since <= minor
}

# The ids of the checks replaced at this level and version (computed once per evaluation).
overridden := {id |
	some name
	other := data.checks.podsecurity[name].check
	_enabled(other)
	some id in object.get(other, "overrides", [])
}

# Pods in a user namespace (spec.hostUsers=false) are exempt from some checks from policy v1.35 (KEP-127).
is_user_namespace_pod if {
	minor >= 35
	kube.pod.spec.hostUsers == false
}

# Windows pods are exempt from the Linux-only restricted checks from policy v1.25.
is_windows_pod if {
	minor >= 25
	kube.pod.spec.os.name == "windows"
}
