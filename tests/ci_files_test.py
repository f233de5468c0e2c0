#!/usr/bin/env python3
"""Parses the ready-made CI files and checks their shape: action.yml is a composite action whose
every `run` step names its shell, whose inputs have descriptions and whose expressions name only
inputs and steps that exist; ci/gitlab/polc.yml defines a job with a script and a JUnit report.
No published schema is available offline, so this checks what the runners require.
Skips (exit 0 with a message) when PyYAML is absent. Usage: ci_files_test.py ROOT"""
import re
import sys

try:
    import yaml
except ImportError:
    print("PyYAML not installed: skipping the CI file checks")
    sys.exit(0)

root = sys.argv[1]
failures = []

action = yaml.safe_load(open(f"{root}/action.yml"))
for key in ("name", "description", "inputs", "runs"):
    if key not in action:
        failures.append(f"action.yml has no {key}")
runs = action.get("runs", {})
if runs.get("using") != "composite":
    failures.append("action.yml is not a composite action")
inputs = action.get("inputs", {})
for name, spec in inputs.items():
    if not spec or not spec.get("description"):
        failures.append(f"action.yml input {name} has no description")
step_ids = set()
for i, step in enumerate(runs.get("steps", [])):
    if "run" in step and "shell" not in step:
        failures.append(f"action.yml step {i} ({step.get('name')}) runs without a shell")
    if "run" not in step and "uses" not in step:
        failures.append(f"action.yml step {i} neither runs nor uses")
    if "id" in step:
        step_ids.add(step["id"])
text = open(f"{root}/action.yml").read()
for ref in re.findall(r"inputs\.([\w-]+)", text):
    if ref not in inputs:
        failures.append(f"action.yml uses an undeclared input {ref}")
for ref in re.findall(r"steps\.([\w-]+)\.outputs", text):
    if ref not in step_ids:
        failures.append(f"action.yml reads the outputs of an unknown step {ref}")
if "scripts/package.sh --static-only" not in text:
    failures.append("action.yml does not build the static polc with scripts/package.sh")

gitlab = yaml.safe_load(open(f"{root}/ci/gitlab/polc.yml"))
job = gitlab.get("polc")
if not job:
    failures.append("ci/gitlab/polc.yml has no polc job")
else:
    if not job.get("script"):
        failures.append("the GitLab polc job has no script")
    if "junit" not in job.get("artifacts", {}).get("reports", {}):
        failures.append("the GitLab polc job publishes no JUnit report")
    base = gitlab.get(job.get("extends", ""), {})
    if "package.sh --static-only" not in str(base.get("before_script", "")):
        failures.append("the GitLab template does not build the static polc")

for f in failures:
    print("FAIL:", f)
print(f"ci files: {len(failures)} failures")
sys.exit(1 if failures else 0)
