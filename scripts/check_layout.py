#!/usr/bin/env python3
"""Checks that includes run one way: down the engine's stages, and from cli/ to dsl/ to engine/.

The order (lowest first) is engine/base, model, load, schema, program, vm, triage, scan, report, config;
then dsl/, then cli/. A file may include its own folder and any folder below it, never one above.
The engine never includes dsl/ or cli/, and dsl/ never includes cli/. Exit 1 with one line per
include that runs upward (file:line: what it includes), 0 otherwise. Usage: check_layout.py [ROOT]
"""
import pathlib
import re
import sys

STAGES = ["base", "model", "load", "schema", "program", "vm", "triage", "scan", "report", "config"]
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def rank(path: str):
    """Rank of a repository-relative path, or None when it is outside the ordered folders."""
    parts = path.split("/")
    if parts[0] == "engine":
        if len(parts) < 3 or parts[1] not in STAGES:
            return None
        return STAGES.index(parts[1])
    if parts[0] == "dsl":
        return len(STAGES)
    if parts[0] == "cli":
        return len(STAGES) + 1
    return None


def main() -> int:
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    problems = []
    stray = []
    for top in ("engine", "dsl", "cli"):
        for f in sorted((root / top).rglob("*")):
            if f.suffix not in (".h", ".cpp", ".def"):
                continue
            rel = f.relative_to(root).as_posix()
            own = rank(rel)
            if own is None:
                stray.append(rel)
                continue
            for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                target = rank(m.group(1))
                if target is not None and target > own:
                    problems.append(f"{rel}:{n}: includes {m.group(1)}, a later stage")
    for s in stray:
        problems.append(f"{s}: not in a stage folder ({', '.join('engine/' + x for x in STAGES)})")
    for p in problems:
        print(p)
    if problems:
        print(f"check_layout: {len(problems)} include(s) or file(s) against the stage order")
        return 1
    print("check_layout: every include runs down the stages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
