#!/usr/bin/env python3
"""Checks that a rendering of the chart with e2e/chart-values.yaml (as `kubectl create --dry-run=client -o json`
prints it) carries those values. Prints what is wrong; exit 1 if anything is."""
import json
import sys

from kube_json import read_objects



items = read_objects(sys.argv[1])
by_kind = {}
for i in items:
    by_kind.setdefault(i["kind"], []).append(i)
problems = []


def expect(what, ok):
    if not ok:
        problems.append(what)


expect("no cert-manager objects when certManager.enabled is false",
       not by_kind.get("Certificate") and not by_kind.get("Issuer"))
deployment = by_kind["Deployment"][0]
spec = deployment["spec"]["template"]["spec"]
container = spec["containers"][0]
env = {e["name"]: e for e in container["env"]}
expect("replicas 3", deployment["spec"]["replicas"] == 3)
expect("the image tag", container["image"].endswith(":0.1.0-test"))
expect("resources", container["resources"]["limits"]["memory"] == "512Mi")
expect("default mode", env.get("TAILOR_DEFAULT_MODE", {}).get("value") == "enforce")
expect("default level", env.get("TAILOR_POD_SECURITY_DEFAULT_LEVEL", {}).get("value") == "restricted")
expect("admins", env.get("TAILOR_ADMINS_GROUPS", {}).get("value") == "platform-admins")
expect("approvers", env.get("TAILOR_APPROVERS_USERS", {}).get("value") == "system:serviceaccount:flux-system:kustomize-controller")
expect("the store URL from its Secret, never a literal",
       env.get("TAILOR_STORE_URL", {}).get("valueFrom", {}).get("secretKeyRef") == {"name": "tailor-store", "key": "url"})
expect("the store's retention", env.get("TAILOR_STORE_RETENTION", {}).get("value") == "45d")
expect("the store's disk budget", env.get("TAILOR_STORE_MAX_BYTES", {}).get("value") == "268435456")
expect("ingest tokens file", env.get("TAILOR_INGEST_TOKEN_FILE", {}).get("value") == "/etc/tailor/ingest-tokens/tokens")
expect("ingest client CA", env.get("TAILOR_INGEST_CLIENT_CA", {}).get("value") == "/etc/tailor/ingest-ca/ca.crt")
expect("ingest client names", env.get("TAILOR_INGEST_CLIENT_NAMES", {}).get("value") == "kube-apiserver-audit,otel-collector")
volumes = {v["name"]: v for v in spec["volumes"]}
expect("the serving certificate from the given Secret", volumes["tls"]["secret"]["secretName"] == "tailor-webhook-tls-own")
expect("the token Secret mounted", volumes.get("ingest-tokens", {}).get("secret", {}).get("secretName") == "tailor-ingest-tokens")
expect("the client CA mounted", volumes.get("ingest-ca", {}).get("configMap", {}).get("name") == "tailor-ingest-ca")
for kind in ("ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"):
    for config in by_kind[kind]:
        expect(f"{kind}: no cert-manager injection", "cert-manager.io/inject-ca-from" not in (config["metadata"].get("annotations") or {}))
        for hook in config["webhooks"]:
            expect(f"{hook['name']}: the caBundle", hook["clientConfig"].get("caBundle") == "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==")
            for term in (hook.get("namespaceSelector") or {}).get("matchExpressions", []):
                if term["key"] == "kubernetes.io/metadata.name":
                    expect(f"{hook['name']}: excluded namespaces", term["values"] == ["kube-system", "tailor-system", "monitoring"])
policies = by_kind.get("NetworkPolicy", [])
expect("the webhook's NetworkPolicy", len(policies) == 1)
if policies:
    ingress = policies[0]["spec"]["ingress"]
    expect("the admission port from every address but the pod CIDRs, each in a block of its family",
           ingress[0]["ports"] == [{"port": "https", "protocol": "TCP"}]
           and ingress[0]["from"] == [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["10.42.0.0/16"]}},
                                       {"ipBlock": {"cidr": "::/0", "except": ["fd00:10:42::/56"]}}])
    expect("the management port from the metrics namespace alone",
           len(ingress) == 2 and ingress[1]["ports"] == [{"port": "management", "protocol": "TCP"}]
           and ingress[1]["from"] == [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}])
expect("the APIService's caBundle", by_kind["APIService"][0]["spec"].get("caBundle") == "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==")
for p in problems:
    print("wrong:", p)
print(f"{len(items)} objects checked, {len(problems)} wrong")
sys.exit(1 if problems else 0)
