#!/usr/bin/python3
"""Checks scripts/cluster/k8s-encode.yaml without a cluster.

1. It parses as YAML and every field it uses has the type and place the Kubernetes batch/v1 Job
   API gives it (a schema of the fields used, below: an unknown or misplaced key, a number where
   a string belongs, an Indexed Job without completions, a mount of a volume that is not there
   are errors).
2. Its commands are the Slurm test's: the shell commands of its containers are run here, as the
   pods would run them (pod k with JOB_COMPLETION_INDEX=k, the concat Job's init container, then
   its container), with /opt/nervc the checkout, /data a scratch folder and the tiny clip's
   options; the joined stream must equal a single-process encode byte for byte.

   k8s_manifest.py NERVC DATA_DIR
"""
import filecmp
import os
import re
import subprocess
import sys
import tempfile

import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MANIFEST = os.path.join(REPO, "scripts", "cluster", "k8s-encode.yaml")

# The fields used, as the batch/v1 Job API defines them: {key: type or nested schema}; a list
# [schema] is a list of such objects. str/int/dict are leaf types.
QUANTITY = (str, int)
RESOURCES = {"requests": {"cpu": QUANTITY, "memory": QUANTITY, "nvidia.com/gpu": QUANTITY},
             "limits": {"cpu": QUANTITY, "memory": QUANTITY, "nvidia.com/gpu": QUANTITY}}
CONTAINER = {"name": str, "image": str, "command": [str], "args": [str],
             "env": [{"name": str, "value": str}], "resources": RESOURCES,
             "volumeMounts": [{"name": str, "mountPath": str}]}
METADATA = {"name": str, "labels": {"*": str}}
JOB = {
    "apiVersion": str, "kind": str, "metadata": METADATA,
    "spec": {"completionMode": str, "completions": int, "parallelism": int, "backoffLimit": int,
             "template": {"metadata": METADATA,
                          "spec": {"restartPolicy": str, "containers": [CONTAINER],
                                   "initContainers": [CONTAINER],
                                   "volumes": [{"name": str,
                                                "persistentVolumeClaim": {"claimName": str}}]}}},
}
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def check(value, schema, where, errors):
    if isinstance(schema, list):
        if not isinstance(value, list):
            errors.append(f"{where}: expected a list")
            return
        for i, v in enumerate(value):
            check(v, schema[0], f"{where}[{i}]", errors)
    elif isinstance(schema, dict):
        if not isinstance(value, dict):
            errors.append(f"{where}: expected an object")
            return
        for k, v in value.items():
            sub = schema.get(k, schema.get("*"))
            if sub is None:
                errors.append(f"{where}: unknown field '{k}'")
            else:
                check(v, sub, f"{where}.{k}", errors)
    elif isinstance(value, bool) or not isinstance(value, schema):
        errors.append(f"{where}: expected {schema}, got {type(value).__name__} {value!r}")


def check_job(job, errors):
    name = job.get("metadata", {}).get("name", "?")
    check(job, JOB, name, errors)
    if job.get("apiVersion") != "batch/v1" or job.get("kind") != "Job":
        errors.append(f"{name}: not a batch/v1 Job")
    if not DNS_LABEL.match(name):
        errors.append(f"{name}: not a DNS-1123 name")
    spec = job.get("spec", {})
    pod = spec.get("template", {}).get("spec", {})
    if pod.get("restartPolicy") not in ("Never", "OnFailure"):
        errors.append(f"{name}: a Job's restartPolicy is Never or OnFailure")
    if spec.get("completionMode", "NonIndexed") not in ("Indexed", "NonIndexed"):
        errors.append(f"{name}: completionMode is Indexed or NonIndexed")
    if spec.get("completionMode") == "Indexed" and "completions" not in spec:
        errors.append(f"{name}: an Indexed Job needs completions")
    volumes = {v["name"] for v in pod.get("volumes", [])}
    for c in pod.get("containers", []) + pod.get("initContainers", []):
        for m in c.get("volumeMounts", []):
            if m["name"] not in volumes:
                errors.append(f"{name}/{c['name']}: mounts volume '{m['name']}', not in volumes")
        if not DNS_LABEL.match(c.get("name", "")):
            errors.append(f"{name}/{c.get('name')}: not a DNS-1123 name")
    if not pod.get("containers"):
        errors.append(f"{name}: no containers")


def run_container(c, env, data):
    """Runs a container's command as its pod would, with the checkout for /opt/nervc."""
    cmd = [a.replace("/opt/nervc", REPO) for a in c["command"] + c.get("args", [])]
    full = dict(os.environ)
    full.update({e["name"]: e["value"].replace("/data", data) for e in c.get("env", [])})
    full.update(env)
    subprocess.run(cmd, env=full, check=True, timeout=600)


def main():
    nervc, clips = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    with open(MANIFEST) as f:
        docs = [d for d in yaml.safe_load_all(f) if d is not None]
    errors = []
    jobs = {d.get("metadata", {}).get("name"): d for d in docs}
    if sorted(jobs) != ["nervc-concat", "nervc-encode"]:
        errors.append(f"expected the Jobs nervc-encode and nervc-concat, found {sorted(jobs)}")
    for d in docs:
        check_job(d, errors)
    if errors:
        print("FAIL:\n  " + "\n  ".join(errors))
        return 1
    enc = jobs["nervc-encode"]["spec"]
    encode = enc["template"]["spec"]["containers"][0]
    shards = {e["name"]: e["value"] for e in encode["env"]}["SHARDS"]
    if enc.get("completionMode") != "Indexed" or not (
            enc["completions"] == enc["parallelism"] == int(shards)):
        print("FAIL: nervc-encode must be Indexed with completions = parallelism = SHARDS")
        return 1
    concat_pod = jobs["nervc-concat"]["spec"]["template"]["spec"]

    # The pods' commands on the tiny clip: 3 shards, as in the Slurm test (tests/cli/slurm.sh).
    opts = ["--config", os.path.join(clips, "tiny_grid_config.json"), "--segment-frames", "1",
            "--intra-period", "2", "--seed", "5"]
    with tempfile.TemporaryDirectory() as data:
        clip = os.path.join(data, "input.y4m")
        os.symlink(os.path.join(clips, "foreman_64x64_6f.y4m"), clip)
        env = {"NERVC": nervc, "INPUT": clip, "OUTPUT": os.path.join(data, "output.nerv"),
               "SHARDS": "3", "NERVC_THREADS": "1", "ENCODE_OPTIONS": " ".join(opts)}
        for k in range(3):
            run_container(encode, dict(env, JOB_COMPLETION_INDEX=str(k)), data)
        for c in concat_pod.get("initContainers", []) + concat_pod["containers"]:
            run_container(c, env, data)
        single = os.path.join(data, "single.nerv")
        subprocess.run([nervc, "encode", clip, "-o", single, "-q", "--threads", "1"] + opts,
                       check=True, timeout=600)
        if not filecmp.cmp(env["OUTPUT"], single, shallow=False):
            print("FAIL: the Jobs' stream differs from a single-process encode")
            return 1
    print("PASS: k8s-encode.yaml: 2 Jobs, schema of the fields used, and its commands on 3 "
          "shards give the single-process stream")
    return 0


if __name__ == "__main__":
    sys.exit(main())
