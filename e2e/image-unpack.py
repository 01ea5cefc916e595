#!/usr/bin/env python3
"""Unpacks an image archive written by tools/image as a container runtime would: the manifest's layers in order into
ROOT, then prints the image's entrypoint, user, environment, working directory and ports as JSON. Refuses an entry
that would land outside ROOT.

usage: image-unpack.py IMAGE.tar ROOT"""
import json
import os
import sys
import tarfile

image, root = sys.argv[1], os.path.abspath(sys.argv[2])
with tarfile.open(image) as archive:
    manifest = json.load(archive.extractfile("manifest.json"))[0]
    config = json.load(archive.extractfile(manifest["Config"]))
    os.makedirs(root, exist_ok=True)
    for layer in manifest["Layers"]:
        with tarfile.open(fileobj=archive.extractfile(layer), mode="r:gz") as tar:
            for member in tar.getmembers():
                target = os.path.abspath(os.path.join(root, member.name))
                if target != root and not target.startswith(root + os.sep):
                    sys.exit(f"{layer}: {member.name} would land outside the root")
            tar.extractall(root, numeric_owner=True, filter="tar" if hasattr(tarfile, "data_filter") else None)
print(json.dumps({"tags": manifest["RepoTags"], **{k: config["config"].get(k) for k in ("Entrypoint", "User", "Env", "WorkingDir", "ExposedPorts")}}))
