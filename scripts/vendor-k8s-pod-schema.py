#!/usr/bin/env python3
"""Vendor the JSON schema of a Kubernetes v1 Pod, pinned, for the Kubernetes-runner tests
(tests/integration/kubernetes-runner.test.ts validates every rendered pod against it).

Source: the PyPI package kubernetes-validate (KUBERNETES_VALIDATE below), which ships the
JSON schemas generated from each Kubernetes release's OpenAPI definitions; we take the
"strict" variant (unknown fields are errors) of KUBERNETES_VERSION, the release that the
lock's kubernetes client (36.x) is generated for. The Pod schema refers to one big
definitions file; only the definitions the Pod reaches are kept (the transitive closure of
its $refs), in one self-contained file with local refs. Deterministic: run it again and the
file is byte for byte the same.

    python3 scripts/vendor-k8s-pod-schema.py   # needs PyPI (pip download), writes the file
"""

import glob
import json
import os
import subprocess
import sys
import tempfile
import zipfile

KUBERNETES_VALIDATE = "1.37.0"
KUBERNETES_VERSION = "v1.36.0"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(
    ROOT, "tests", "fixtures", "kubernetes", f"pod-{KUBERNETES_VERSION}-strict.json"
)


def refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def localise(node):
    """Every $ref as a reference into this file's own $defs."""
    if isinstance(node, dict):
        return {
            k: (
                "#/$defs/" + v.split("/$defs/", 1)[1]
                if k == "$ref" and isinstance(v, str)
                else localise(v)
            )
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [localise(v) for v in node]
    return node


def main():
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--quiet",
                "--dest",
                tmp,
                f"kubernetes-validate=={KUBERNETES_VALIDATE}",
            ],
            check=True,
        )
        wheel = zipfile.ZipFile(glob.glob(os.path.join(tmp, "*.whl"))[0])
        base = f"kubernetes_validate/kubernetes-json-schema/{KUBERNETES_VERSION}-local-strict/"
        pod = json.loads(wheel.read(base + "pod-v1.json"))
        defs = json.loads(wheel.read(base + "_definitions.json"))["$defs"]
    keep, todo = set(), list(refs(pod))
    while todo:
        name = todo.pop().split("/$defs/", 1)[1]
        if name not in keep:
            keep.add(name)
            todo.extend(refs(defs[name]))
    schema = localise(pod)
    schema["$comment"] = (
        f"Kubernetes {KUBERNETES_VERSION} v1 Pod, strict, from PyPI kubernetes-validate=={KUBERNETES_VALIDATE} "
        "(kubernetes-json-schema/"
        + KUBERNETES_VERSION
        + "-local-strict/pod-v1.json and the definitions it "
        "reaches). Written by scripts/vendor-k8s-pod-schema.py; do not edit."
    )
    schema["$defs"] = {name: localise(defs[name]) for name in sorted(keep)}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(schema, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"wrote {os.path.relpath(OUT, ROOT)}: Pod and {len(keep)} definitions")


if __name__ == "__main__":
    main()
