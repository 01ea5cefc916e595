#!/usr/bin/env python3
"""Tailor's OCI image, from local parts only, without a daemon: Debian's packages for the C libraries a JVM needs
(downloaded by tools/image with apt-get download, unpacked here), a jlinked Java runtime, the webhook's
target/quarkus-app/ and the CLI's jar with its libraries. Writes one archive that is both an OCI image layout and a
`docker save` archive (docker load, podman load, ctr images import, kind load image-archive all read it), the same
bytes for the same inputs (sorted entries, owner root, time 0, gzip without a name or time).

usage: image-build.py OUT.tar TAG ROOTFS-DEBS-DIR JAVA-RUNTIME-DIR QUARKUS-APP-DIR CLI-JAR CLI-LIB-DIR [WEBHOOK-JAVA-OPTION...]

The webhook's Java options (its class-data archive, say) go into the entrypoint, before -jar.
"""
import gzip
import hashlib
import io
import json
import os
import stat
import sys
import tarfile

UID = 185  # the webhook's user, as manifests/base runs it (runAsUser: 185)

out, tag, debs, runtime, quarkus_app, cli_jar, cli_lib = sys.argv[1:8]
webhook_java_options = sys.argv[8:]

# What of the Debian packages goes in: the shared libraries (and the dynamic loader), no documentation, no charset
# conversion modules, no locales.
DROP = ("usr/share/", "usr/lib/x86_64-linux-gnu/gconv/", "etc/ld.so.conf.d/", "usr/lib/x86_64-linux-gnu/audit/",
        "sbin/", "usr/sbin/", "usr/bin/", "bin/", "usr/libexec/", "etc/")


class Layer:
    """One layer: a tar written in a fixed order with fixed metadata."""

    def __init__(self):
        self.entries = {}  # path -> (TarInfo, bytes or None)

    def directory(self, path, mode=0o755, uid=0):
        info = tarfile.TarInfo(path.strip("/") + "/")
        info.type, info.mode, info.uid, info.gid = tarfile.DIRTYPE, mode, uid, uid
        self.entries[info.name] = (info, None)

    def file(self, path, data, mode=0o644):
        self._parents(path)
        info = tarfile.TarInfo(path.strip("/"))
        info.size, info.mode = len(data), mode
        self.entries[info.name] = (info, data)

    def symlink(self, path, target):
        self._parents(path)
        info = tarfile.TarInfo(path.strip("/"))
        info.type, info.linkname, info.mode = tarfile.SYMTYPE, target, 0o777
        self.entries[info.name] = (info, None)

    def tree(self, source, target, keep=lambda relative: True):
        for root, dirs, files in os.walk(source):
            dirs.sort()
            for name in sorted(files) + [d for d in dirs if os.path.islink(os.path.join(root, d))]:
                full = os.path.join(root, name)
                relative = os.path.relpath(full, source)
                if not keep(relative):
                    continue
                path = os.path.join(target, relative)
                if os.path.islink(full):
                    self.symlink(path, os.readlink(full))
                elif os.path.isfile(full):
                    mode = 0o755 if os.stat(full).st_mode & stat.S_IXUSR else 0o644
                    with open(full, "rb") as f:
                        self.file(path, f.read(), mode)

    def _parents(self, path):
        parts = path.strip("/").split("/")[:-1]
        for i in range(1, len(parts) + 1):
            name = "/".join(parts[:i]) + "/"
            if name not in self.entries:
                self.directory(name)

    def blob(self):
        raw = io.BytesIO()
        with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
            for name in sorted(self.entries):
                info, data = self.entries[name]
                info.mtime, info.uname, info.gname = 0, "", ""
                tar.addfile(info, io.BytesIO(data) if data is not None else None)
        diff = raw.getvalue()
        packed = io.BytesIO()
        with gzip.GzipFile(fileobj=packed, mode="wb", mtime=0, filename="", compresslevel=6) as z:
            z.write(diff)
        return diff, packed.getvalue()


base = Layer()
for package in sorted(os.listdir(debs)):
    base.tree(os.path.join(debs, package), "/", keep=lambda rel: not rel.startswith(DROP) and not rel.startswith("DEBIAN"))
# Debian 13's packages hold their files under /usr; the dynamic loader the ELF files name is /lib64's, as base-files
# links it.
base.symlink("lib64", "usr/lib64")
base.symlink("lib", "usr/lib")
base.file("etc/passwd", b"root:x:0:0:root:/root:/sbin/nologin\ntailor:x:185:185:tailor:/home/tailor:/sbin/nologin\n")
base.file("etc/group", b"root:x:0:\ntailor:x:185:\n")
base.file("etc/nsswitch.conf", b"passwd: files\ngroup: files\nhosts: files dns\n")
base.directory("tmp", mode=0o1777)
base.directory("home/tailor", uid=UID)
base.directory("var/lib/tailor", uid=UID)
base.directory("proc")
base.directory("dev")
base.directory("etc/tailor/tls")

jre = Layer()
jre.tree(runtime, "/opt/java")

libraries = Layer()
libraries.tree(os.path.join(quarkus_app, "lib"), "/deployments/lib")
libraries.tree(cli_lib, "/opt/tailor/cli/lib")

app = Layer()
app.tree(quarkus_app, "/deployments", keep=lambda rel: not rel.startswith("lib/"))
with open(cli_jar, "rb") as f:
    app.file("opt/tailor/cli/tailor.jar", f.read())

layers = [layer.blob() for layer in (base, jre, libraries, app)]


def digest(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


config = {
    "architecture": "amd64",
    "os": "linux",
    "created": "1970-01-01T00:00:00Z",
    "config": {
        "User": f"{UID}:{UID}",
        "Entrypoint": ["/opt/java/bin/java", *webhook_java_options, "-jar", "/deployments/quarkus-run.jar"],
        "Env": ["PATH=/opt/java/bin:/usr/bin:/bin", "JAVA_HOME=/opt/java", "LANG=C.UTF-8"],
        "WorkingDir": "/deployments",
        "ExposedPorts": {"8443/tcp": {}, "9000/tcp": {}},  # admission; health and metrics (the management port)
        "Labels": {
            "org.opencontainers.image.title": "tailor",
            "org.opencontainers.image.description": "Tailor's admission webhook (java -jar /deployments/quarkus-run.jar) "
                                                    "and CLI (java -jar /opt/tailor/cli/tailor.jar)",
            "org.opencontainers.image.version": tag.rsplit(":", 1)[1],
            "org.opencontainers.image.licenses": "Apache-2.0",
        },
    },
    "rootfs": {"type": "layers", "diff_ids": [digest(diff) for diff, _ in layers]},
    "history": [{"created": "1970-01-01T00:00:00Z", "created_by": what} for what in
                ("Debian packages: C libraries", "jlinked Java runtime", "libraries", "Tailor")],
}
config_bytes = json.dumps(config, sort_keys=True, separators=(",", ":")).encode()
manifest = {
    "schemaVersion": 2,
    "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": digest(config_bytes),
               "size": len(config_bytes)},
    "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": digest(packed),
                "size": len(packed)} for _, packed in layers],
}
manifest_bytes = json.dumps(manifest, sort_keys=True, separators=(",", ":")).encode()
index = {
    "schemaVersion": 2,
    "mediaType": "application/vnd.oci.image.index.v1+json",
    "manifests": [{"mediaType": manifest["mediaType"], "digest": digest(manifest_bytes), "size": len(manifest_bytes),
                   "annotations": {"io.containerd.image.name": tag, "org.opencontainers.image.ref.name": tag.rsplit(":", 1)[1]}}],
}


def blob_path(data):
    return "blobs/sha256/" + hashlib.sha256(data).hexdigest()


docker = [{"Config": blob_path(config_bytes), "RepoTags": [tag], "Layers": [blob_path(packed) for _, packed in layers]}]
files = {"oci-layout": b'{"imageLayoutVersion":"1.0.0"}', "index.json": json.dumps(index, sort_keys=True).encode(),
         "manifest.json": json.dumps(docker, sort_keys=True).encode(), blob_path(config_bytes): config_bytes,
         blob_path(manifest_bytes): manifest_bytes}
for _, packed in layers:
    files[blob_path(packed)] = packed

tmp = out + ".tmp"
with tarfile.open(tmp, mode="w", format=tarfile.PAX_FORMAT) as tar:
    for directory in ("blobs/", "blobs/sha256/"):
        info = tarfile.TarInfo(directory)
        info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, 0
        tar.addfile(info)
    for name in sorted(files):
        info = tarfile.TarInfo(name)
        info.size, info.mode, info.mtime = len(files[name]), 0o644, 0
        tar.addfile(info, io.BytesIO(files[name]))
os.replace(tmp, out)
print(f"{out}: {tag}, {len(layers)} layers, {sum(len(p) for _, p in layers) // 1048576} MiB compressed, "
      f"manifest {digest(manifest_bytes)}")
