#!/usr/bin/env python3
"""Compares two renderings of Tailor's install, each as `kubectl create --dry-run=client -o json` prints it: the
same objects (kind, namespace, name) with the same content. Helm's own bookkeeping labels (helm.sh/chart,
app.kubernetes.io/managed-by) are left out of the comparison. Prints each difference; exit 1 if any.

usage: same-objects.py KUSTOMIZE.json HELM.json"""
import json
import sys

from kube_json import read_objects

IGNORED_LABELS = {"helm.sh/chart", "app.kubernetes.io/managed-by"}


def objects(path):
    out = {}
    for item in read_objects(path):
        meta = item.get("metadata", {})
        labels = {k: v for k, v in (meta.get("labels") or {}).items() if k not in IGNORED_LABELS}
        if labels:
            meta["labels"] = labels
        else:
            meta.pop("labels", None)
        if not meta.get("annotations"):
            meta.pop("annotations", None)
        key = (item.get("kind"), meta.get("namespace", ""), meta.get("name"))
        if key in out:
            sys.exit(f"{path}: {key} twice")
        out[key] = item
    return out


def differences(a, b, where=""):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            yield from differences(a.get(k), b.get(k), f"{where}.{k}")
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            yield from differences(x, y, f"{where}[{i}]")
    elif a != b:
        yield f"{where}: {json.dumps(a)} != {json.dumps(b)}"


kustomize, helm = objects(sys.argv[1]), objects(sys.argv[2])
problems = [f"only in kustomize's: {k}" for k in sorted(set(kustomize) - set(helm), key=str)]
problems += [f"only in helm's: {k}" for k in sorted(set(helm) - set(kustomize), key=str)]
for k in sorted(set(kustomize) & set(helm), key=str):
    problems += [f"{k}{d}" for d in differences(kustomize[k], helm[k])]
for p in problems:
    print(p)
print(f"{len(set(kustomize) & set(helm))} objects compared, {len(problems)} differences")
sys.exit(1 if problems else 0)
