#!/usr/bin/env python3
"""Regenerates data/sam/policy-templates.json, the AWS SAM policy templates polc embeds.

Maintainer script; the build never runs it and never downloads anything. Run from the project
root with the Python package aws-sam-translator importable (it is installed with cfn-lint):

    python3 scripts/update-sam-policy-templates.py

Source: aws-sam-translator (Apache-2.0), `samtranslator/policy_templates_data/
policy_templates.json`, the table the SAM translator expands a function's or state machine's
`Policies` entries such as `S3ReadPolicy: {BucketName: b}` with. polc keeps each template's
parameter names and its `Definition` (the policy document); descriptions are dropped.

Output (one JSON object, keys sorted, one template per line so that a diff shows what changed):

    {"source": "aws-sam-translator <version>",
     "templates": {
      "<Name>": {"parameters": ["<Param>", ...], "definition": {...}},
      ...}}
"""
import json
import os
import sys

OUT = "data/sam/policy-templates.json"


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


if __name__ == "__main__":
    main()
