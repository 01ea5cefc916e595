# METADATA
# title: /proc mount type (restricted)
# description: |
#   Restricted keeps the default /proc masks even for pods in a user namespace: from policy v1.35 it replaces the
#   baseline procMount check and applies it without the hostUsers=false relaxation.
#   Restricted fields: securityContext.procMount of every container. Allowed values: undefined/null, Default.
# custom:
#   id: procMount_restricted
package checks.podsecurity.proc_mount_restricted

import data.checks.podsecurity.proc_mount

check := {"id": "procMount_restricted", "level": "restricted", "since": 35, "overrides": ["procMount"]}

violation := proc_mount.unmasked_violation
