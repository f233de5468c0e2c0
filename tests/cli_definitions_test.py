#!/usr/bin/env python3
"""The manual page and the shell completions against `polc --help`: every subcommand that the
help lists, and every flag of every subcommand, is completed by bash and zsh and documented in
polc.1; the scripts parse; bash really completes a subcommand, a flag and a policy id.
Usage: cli_definitions_test.py POLC SHARE_DIR (SHARE_DIR holds polc.1, polc.bash and _polc)."""
import re
import shutil
import subprocess
import sys

polc, share = sys.argv[1], sys.argv[2]
failures = []


def run(*args):
    return subprocess.run(args, capture_output=True, text=True, check=False).stdout


def subcommands():
    out = run(polc, "--help")
    subs, inside = [], False
    for line in out.splitlines():
        if line.startswith("Subcommands:"):
            inside = True
            continue
        if inside and line.strip():
            subs.append(line.split()[0])
    return subs


def flags(sub):
    return sorted(set(re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", run(polc, sub, "--help").split("Options:", 1)[-1])))


bash = open(f"{share}/polc.bash").read()
zsh = open(f"{share}/_polc").read()
man = open(f"{share}/polc.1").read()
subs = subcommands()
if len(subs) < 10:
    failures.append(f"polc --help lists only {len(subs)} subcommands: {subs}")
for s in subs:
    for name, text in (("bash", bash), ("zsh", zsh)):
        if not re.search(rf"(?<![\w-]){re.escape(s)}(?![\w-])", text):
            failures.append(f"{name} completion lacks the subcommand {s}")
    if f'.SS "polc {s}' not in man:
        failures.append(f"polc.1 lacks a section for polc {s}")
    for f in flags(s):
        if f not in bash:
            failures.append(f"bash completion lacks {s} {f}")
        if f not in zsh:
            failures.append(f"zsh completion lacks {s} {f}")
        if f.replace("-", "\\-") not in man:
            failures.append(f"polc.1 lacks {s} {f}")

if subprocess.run(["bash", "-n", f"{share}/polc.bash"]).returncode != 0:
    failures.append("polc.bash does not parse")
if shutil.which("zsh"):
    if subprocess.run(["zsh", "-n", f"{share}/_polc"]).returncode != 0:
        failures.append("_polc does not parse")
else:
    print("zsh not installed: skipping the zsh parse check")


def complete(*words):
    script = (f'source "{share}/polc.bash"; COMP_WORDS=({" ".join(repr(w) for w in words)}); '
              f"COMP_CWORD={len(words) - 1}; _polc; printf '%s\\n' \"${{COMPREPLY[@]}}\"")
    env = {"PATH": f"{polc.rsplit('/', 1)[0]}:/usr/bin:/bin"}
    return subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=env).stdout.split()


if complete("polc", "chec") != ["check"]:
    failures.append(f"bash: 'polc chec' completes to {complete('polc', 'chec')}")
if "--only" not in complete("polc", "check", "--on"):
    failures.append("bash: 'polc check --on' does not offer --only")
ids = complete(polc, "check", "--only", "POLC-NET-00")
if "POLC-NET-001" not in ids:
    failures.append(f"bash: --only does not offer the pack's policy ids ({ids[:5]})")
if complete("polc", "check", "--format", "sa") != ["sarif"]:
    failures.append("bash: --format does not offer sarif")

for f in failures:
    print("FAIL:", f)
print(f"cli definitions: {len(subs)} subcommands; {len(failures)} failures")
sys.exit(1 if failures else 0)
