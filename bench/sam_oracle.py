#!/usr/bin/env python3
"""SAM oracle: polc on SAM templates against polc on what the official SAM translator makes of them.

For every template of ../shared/corpus that declares the SAM transform, the translator
(`samtranslator`, run the way cfn-lint runs it: local managed-policy map, placeholder code URIs)
writes the CloudFormation template AWS would deploy. polc checks both, with the whole pack. Every
finding on the translator's output must also be reported on the SAM source, by the same policy,
on the SAM resource that generated the resource (same logical ID, or the SAM resource whose
logical ID the generated one extends: `MyFunctionRole` -> `MyFunction`).

The other direction, for precision: a finding polc reports on the SAM source on a resource it
generates (a logical ID the source does not declare) counts as "polc only" when the translator's
output has no resource of that logical ID, or no finding of that policy on it.

Usage: bench/sam_oracle.py [--polc build/polc] [--limit N] [--show N]
Prints the counts, the misses and the polc-only findings; exits 1 when a finding is missed, 0
otherwise, and 0 with a note when samtranslator (installed with cfn-lint) or ../shared/corpus is
absent.
"""
import argparse
import collections
import copy
import json
import os
import pathlib
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
SAM = "AWS::Serverless-2016-10-31"


def translator():
    try:
        import logging

        logging.disable(logging.CRITICAL)
        from cfnlint.decode import decode
        from cfnlint.template.transforms._sam import Transform
    except ImportError:
        return None
    return decode, Transform


def polc_findings(polc, paths, cwd):
    """{(path, policy_id, resource)} of a `polc check` over `paths` (a file list)."""
    lst = pathlib.Path(cwd) / "paths.txt"
    out = {}
    # In chunks, so that the command line stays short.
    for i in range(0, len(paths), 200):
        chunk = paths[i : i + 200]
        r = subprocess.run(
            [polc, "check", "--no-config", "-q", "--format", "json", *chunk],
            capture_output=True, text=True, cwd=cwd,
        )
        rep = json.loads(r.stdout)
        for f in rep["findings"]:
            out.setdefault(f["file"], set()).add((f["policy_id"], f["resource"]))
    return out


def sam_owner(resource, sam_ids):
    """The SAM resource a translated resource comes from: itself, or the longest SAM logical ID
    it extends; None for names of no SAM resource (ServerlessRestApi: the implicit API)."""
    if resource in sam_ids:
        return resource
    best = None
    for s in sam_ids:
        if resource.startswith(s) and (best is None or len(s) > len(best)):
            best = s
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--polc", default=str(ROOT / "build" / "polc"))
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--show", type=int, default=40)
    args = ap.parse_args()
    tr = translator()
    if tr is None:
        print("sam_oracle: samtranslator (cfn-lint) is not installed; skipped")
        return 0
    if not CORPUS.is_dir():
        print("sam_oracle: ../shared/corpus not found; skipped")
        return 0
    decode, Transform = tr
    sources = []
    for p in sorted(CORPUS.rglob("*")):
        if p.suffix not in (".yaml", ".yml", ".json", ".template") or "-bad" in str(p):
            continue
        try:
            text = p.read_text(errors="replace")
        except OSError:
            continue
        if SAM in text:
            sources.append(p)
    if args.limit:
        sources = sources[: args.limit]
    work = pathlib.Path(tempfile.mkdtemp(prefix="polc-sam-oracle-"))
    pairs = []  # (source path, translated path, SAM resource types by logical ID)
    failed = 0
    for i, p in enumerate(sources):
        try:
            tpl, matches = decode(str(p))
            if tpl is None or not isinstance(tpl.get("Resources"), dict):
                failed += 1
                continue
            sam_ids = {k: v.get("Type") for k, v in tpl["Resources"].items()
                       if isinstance(v, dict) and str(v.get("Type", "")).startswith("AWS::Serverless::")}
            declared = set(tpl["Resources"])
            t = Transform(str(p), copy.deepcopy(tpl), "us-east-1")
            errs = t.transform_template()
            out = t.template()
            if errs or not isinstance(out, dict) or "Resources" not in out:
                failed += 1
                continue
            dst = work / f"{i}.json"
            dst.write_text(json.dumps(out, default=str))
            pairs.append((str(p), str(dst), sam_ids, declared, set(out["Resources"])))
        except Exception:  # the translator rejects the template: not comparable
            failed += 1
    src_f = polc_findings(args.polc, [p[0] for p in pairs], str(work))
    out_f = polc_findings(args.polc, [p[1] for p in pairs], str(work))
    total = matched = 0
    misses = []
    polc_only = []
    for src, dst, sam_ids, declared, generated in pairs:
        for policy, res in sorted(src_f.get(src, set())):
            if res in declared:
                continue
            if res not in generated or (policy, res) not in out_f.get(dst, set()):
                polc_only.append((src, policy, res))
        have = src_f.get(src, set())
        for policy, res in sorted(out_f.get(dst, set())):
            # A resource the source declares itself is its own owner.
            owner = res if res in declared else sam_owner(res, sam_ids)
            total += 1
            if owner is None:
                # A resource of no SAM resource of the template (e.g. the implicit
                # ServerlessRestApi): any finding of the policy on the source counts.
                ok = any(p == policy for p, _ in have)
            else:
                # On the SAM resource, or on the generated resource itself (polc reports a
                # generated resource by its own logical ID, located at the SAM resource).
                ok = (policy, owner) in have or (policy, res) in have
            if ok:
                matched += 1
            else:
                misses.append((src, policy, res, sam_ids.get(owner, "(not SAM)") if owner else "(implicit)"))
    print(f"sam_oracle: {len(sources)} SAM templates, {len(pairs)} translated "
          f"({failed} rejected by the translator or not loadable)")
    print(f"sam_oracle: {total} findings on the translator's output, {matched} also on the "
          f"SAM source, {len(misses)} missed")
    by_kind = collections.Counter((m[1], m[3]) for m in misses)
    for (policy, kind), n in by_kind.most_common():
        print(f"  missed {n:4d}  {policy}  from {kind}")
    for m in misses[: args.show]:
        print("  ", os.path.relpath(m[0], CORPUS), m[1], m[2], m[3])
    print(f"sam_oracle: {len(polc_only)} findings polc reports on generated resources that the "
          f"translator's output does not have")
    for m in polc_only[: args.show]:
        print("   polc only:", os.path.relpath(m[0], CORPUS), m[1], m[2])
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
