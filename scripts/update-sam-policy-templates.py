#!/usr/bin/env python3
"""Regenerates data/sam/policy-templates.json and data/sam/managed-policies.txt, the AWS SAM data
polc embeds: the policy templates, and the AWS managed policy names SAM turns into ARNs.

Maintainer script; the build never runs it and never downloads anything. Run from the project
root with the Python package aws-sam-translator importable (it is installed with cfn-lint):

    python3 scripts/update-sam-policy-templates.py

Source: aws-sam-translator (Apache-2.0), `samtranslator/policy_templates_data/
policy_templates.json`, the table the SAM translator expands a function's or state machine's
`Policies` entries such as `S3ReadPolicy: {BucketName: b}` with. polc keeps each template's
parameter names and its `Definition` (the policy document); descriptions are dropped.

managed-policies.txt: from `samtranslator/internal/data/aws_managed_policies.json` (the
translator's bundled map, partition `aws`), one AWS managed policy a line, sorted: its name, and
when its ARN is not `arn:aws:iam::aws:policy/<name>`, a tab and the path between `policy/` and
the name (`service-role/`, `aws-service-role/`, `job-function/`). A function's `Policies: [Name]`
becomes that ARN; a name not in the list stays as written, as the translator leaves it.

policy-templates.json (one JSON object, keys sorted, one template per line so that a diff shows what changed):

    {"source": "aws-sam-translator <version>",
     "templates": {
      "<Name>": {"parameters": ["<Param>", ...], "definition": {...}},
      ...}}
"""
import json
import os
import sys

OUT = "data/sam/policy-templates.json"
MANAGED = "data/sam/managed-policies.txt"


def main():
    try:
        import samtranslator
    except ImportError:
        sys.exit("aws-sam-translator is not importable (pip install aws-sam-translator, or cfn-lint)")
    src = os.path.join(os.path.dirname(samtranslator.__file__), "policy_templates_data",
                       "policy_templates.json")
    with open(src, encoding="utf-8") as f:
        data = json.load(f)
    templates = data["Templates"]
    lines = []
    for name in sorted(templates):
        t = templates[name]
        entry = {"parameters": sorted(t.get("Parameters", {})), "definition": t["Definition"]}
        lines.append(json.dumps(name) + ": " + json.dumps(entry, sort_keys=True, separators=(",", ":")))
    version = getattr(samtranslator, "__version__", "unknown")
    with open(OUT, "w", encoding="utf-8") as f:
        f.write('{"source": "aws-sam-translator %s",\n "templates": {\n' % version)
        f.write(",\n".join(lines))
        f.write("}}\n")
    print(f"{OUT}: {len(templates)} templates from aws-sam-translator {version}")
    src = os.path.join(os.path.dirname(samtranslator.__file__), "internal", "data",
                       "aws_managed_policies.json")
    with open(src, encoding="utf-8") as f:
        managed = json.load(f)["aws"]
    with open(MANAGED, "w", encoding="utf-8") as f:
        f.write(f"# AWS managed policies of aws-sam-translator {version} (partition aws): name[\\tpath]\n")
        for name in sorted(managed):
            arn = managed[name]
            prefix = "arn:aws:iam::aws:policy/"
            path = arn[len(prefix):-len(name)] if arn.startswith(prefix) and arn.endswith("/" + name) else ""
            if not arn.startswith(prefix) or not arn.endswith(name):
                continue  # not an AWS managed policy ARN: left out
            f.write(name + ("\t" + path if path else "") + "\n")
    print(f"{MANAGED}: {len(managed)} managed policy names")


if __name__ == "__main__":
    main()
