#!/usr/bin/env python3
"""Regenerates data/schemas/resource-types.txt, the resource schema table polc embeds, and
data/schemas/descriptions.txt.gz, the descriptions `polc lsp` hover shows (see write_descriptions).

Maintainer script; the build never runs it and never downloads anything. Run from the project
root:

    python3 scripts/update-schemas.py [--version 0.1.216] [--db path/to/db.json.gz]

Sources (see data/schemas/README.md for why these):
  * the npm package @aws-cdk/aws-service-spec (Apache-2.0): every CloudFormation resource type,
    its properties, nested property types and Fn::GetAtt attributes, updated daily from AWS's
    resource provider schemas and the CloudFormation/SAM specifications. Fetched with
    `npm pack` unless --db names an unpacked db.json.gz.
  * the Python package aws-sam-translator (Apache-2.0), when importable: the AWS SAM resource
    types (AWS::Serverless::*) from its pydantic schema models, merged into the table (SAM types
    and properties that the service spec lacks are added; the service spec's nested types win).

Output format (text, one record per line, resource types sorted by name so that polc can binary
search the table in place without building an index):

    T <resource type>                 starts a resource type
    P <name>\t<type>[\t<flags>]       a property of the resource (Properties.<name>)
    A <name>\t<type>                  an attribute Fn::GetAtt can read
    D <definition>                    starts a nested property type of this resource
    F <name>\t<type>[\t<flags>]       a field of the current nested type

Types: string integer number boolean timestamp json (free form: not checked) tag ({Key, Value}),
@Def (a nested type of the same resource), [T] (a list), {T} (a map with free keys), A|B (any
of). Flags: r required, d deprecated, o read-only.
"""
import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile

OUT = "data/schemas/resource-types.txt"
DOCS_OUT = "data/schemas/descriptions.txt.gz"
# Longest description kept, in bytes (UTF-8), before the "…" that marks a cut.
DOC_LIMIT = 160


def fmt_type(t, defs_by_id, used):
    k = t["type"]
    if k == "string":
        return "string"
    if k in ("integer", "number", "boolean", "json", "tag"):
        return k
    if k == "date-time":
        return "timestamp"
    if k == "ref":
        d = defs_by_id[t["reference"]["$ref"]]
        used.add(d["$id"])
        return "@" + d["name"]
    if k == "array":
        return "[" + fmt_type(t["element"], defs_by_id, used) + "]"
    if k == "map":
        return "{" + fmt_type(t["element"], defs_by_id, used) + "}"
    if k == "union":
        parts = []
        for x in t["types"]:
            s = fmt_type(x, defs_by_id, used)
            if s not in parts:
                parts.append(s)
        if "json" in parts:
            return "json"
        return "|".join(parts)
    raise SystemExit("unknown type kind %r" % k)


def prop_type(p, defs_by_id, used):
    """The current type, widened with previous types (old templates still use them)."""
    parts = [fmt_type(p["type"], defs_by_id, used)]
    for old in p.get("previousTypes", []):
        s = fmt_type(old, defs_by_id, used)
        if s not in parts:
            parts.append(s)
    if "json" in parts:
        return "json"
    # A union of a nested type and a list of it reads the same way in polc (fields map over lists).
    return "|".join(parts)


def flags(p):
    f = ""
    if p.get("required"):
        f += "r"
    if p.get("deprecated"):
        f += "d"
    return f


def from_service_spec(db):
    schema = db["schema"]
    defs_by_id = {d["$id"]: d for d in schema["typeDefinition"]["entities"]}
    types = {}
    for r in schema["resource"]["entities"]:
        name = r["cloudFormationType"]
        used = set()
        props = {}
        for pname, p in r["properties"].items():
            props[pname] = (prop_type(p, defs_by_id, used), flags(p))
        attrs = {}
        for aname, a in r["attributes"].items():
            attrs[aname] = fmt_type(a["type"], defs_by_id, set())
        # Nested types reachable from the properties, transitively.
        defs = {}
        pending = list(used)
        seen = set()
        while pending:
            i = pending.pop()
            if i in seen:
                continue
            seen.add(i)
            d = defs_by_id[i]
            inner = set()
            fields = {}
            for fname, f in d["properties"].items():
                fields[fname] = (prop_type(f, defs_by_id, inner), flags(f))
            if d["name"] in defs and defs[d["name"]] != fields:
                # Two nested types of one resource with one name: keep the union of fields.
                merged = dict(defs[d["name"]])
                merged.update(fields)
                fields = merged
            defs[d["name"]] = fields
            pending.extend(inner - seen)
        types[name] = {"props": props, "attrs": attrs, "defs": defs}
    return types


def sam_types():
    """SAM resource types from aws-sam-translator's pydantic models, or {} without it."""
    try:
        import importlib

        import samtranslator
    except ImportError:
        print("aws-sam-translator not importable: SAM types come from the service spec only", file=sys.stderr)
        return {}, None
    mods = {
        "AWS::Serverless::Api": "aws_serverless_api",
        "AWS::Serverless::Application": "aws_serverless_application",
        "AWS::Serverless::CapacityProvider": "aws_serverless_capacity_provider",
        "AWS::Serverless::Connector": "aws_serverless_connector",
        "AWS::Serverless::Function": "aws_serverless_function",
        "AWS::Serverless::GraphQLApi": "aws_serverless_graphqlapi",
        "AWS::Serverless::HttpApi": "aws_serverless_httpapi",
        "AWS::Serverless::LayerVersion": "aws_serverless_layerversion",
        "AWS::Serverless::SimpleTable": "aws_serverless_simpletable",
        "AWS::Serverless::StateMachine": "aws_serverless_statemachine",
        "AWS::Serverless::WebSocketApi": "aws_serverless_websocketapi",
    }
    out = {}
    for tname, mod in mods.items():
        try:
            m = importlib.import_module("samtranslator.internal.schema_source." + mod)
        except ImportError:
            continue
        s = m.Resource.schema()
        defs = s.get("definitions", {})

        def conv(js, used):
            if "$ref" in js:
                name = js["$ref"].split("/")[-1]
                d = defs.get(name, {})
                if name == "PassThroughProp" or "properties" not in d:
                    return conv(d, used) if "$ref" not in d and d and name != "PassThroughProp" else "json"
                used.add(name)
                return "@" + name
            if "anyOf" in js or "oneOf" in js or "allOf" in js:
                parts = []
                for x in js.get("anyOf", []) + js.get("oneOf", []) + js.get("allOf", []):
                    t = conv(x, used)
                    if t not in parts:
                        parts.append(t)
                return "json" if "json" in parts else "|".join(parts)
            t = js.get("type")
            if t == "string":
                return "string"
            if t == "integer":
                return "integer"
            if t == "number":
                return "number"
            if t == "boolean":
                return "boolean"
            if t == "array":
                return "[" + conv(js.get("items", {}), used) + "]" if js.get("items") else "[json]"
            if t == "object":
                if "properties" in js:
                    return "json"
                ap = js.get("additionalProperties")
                return "{" + conv(ap, used) + "}" if isinstance(ap, dict) and ap else "json"
            return "json"

        props_def = defs["Properties"]
        required = set(props_def.get("required", []))
        used = set()
        props = {}
        for pname, p in props_def.get("properties", {}).items():
            props[pname] = (conv(p, used), "r" if pname in required else "")
        dout = {}
        pending = list(used)
        while pending:
            n = pending.pop()
            if n in dout:
                continue
            d = defs[n]
            inner = set()
            req = set(d.get("required", []))
            dout[n] = {f: (conv(fp, inner), "r" if f in req else "") for f, fp in d.get("properties", {}).items()}
            pending.extend(inner - set(dout))
        out[tname] = {"props": props, "attrs": {}, "defs": dout}
    return out, samtranslator.__version__


def merge_sam(types, sam):
    for tname, st in sam.items():
        cur = types.get(tname)
        if cur is None:
            types[tname] = st
            continue
        for pname, (t, f) in st["props"].items():
            if pname in cur["props"]:
                continue
            # Nested types of a property new to the spec come along, renamed if they collide.
            cur["props"][pname] = (t, f)
            for dname, fields in st["defs"].items():
                cur["defs"].setdefault(dname, fields)


# Fields an IAM policy document may have (IAM User Guide, "IAM JSON policy elements reference").
POLICY_DOCUMENT_FIELDS = {"Statement", "Version", "Id"}


def free_form_policies(types):
    """Makes every property or field that can hold an IAM policy document free form (json).

    A policy document is JSON whose shape IAM defines, not the resource schema; the properties
    that hold one are often polymorphic too (SAM `Policies`: a managed policy name, a list of
    names, inline documents and SAM policy templates, whose set grows with SAM). Issue 16: paths
    under policy documents and JSON-typed properties are not checked. A nested type is a policy
    document when its `Statement` is JSON and it has no field IAM does not define (Cedar
    policies and WAF NotStatement also have a `Statement`, typed)."""
    import re
    for t in types.values():
        docs = {d for d, fields in t["defs"].items()
                if "Statement" in fields and fields["Statement"][0] in ("json", "[json]")
                and set(fields) <= POLICY_DOCUMENT_FIELDS}
        if not docs:
            continue

        def holds_doc(ty):
            return any(name in docs for name in re.findall(r"@(\w+)", ty))

        for pname, (ty, fl) in list(t["props"].items()):
            if holds_doc(ty):
                t["props"][pname] = ("json", fl)
        for dname, fields in t["defs"].items():
            for fname, (ty, fl) in list(fields.items()):
                if holds_doc(ty):
                    fields[fname] = ("json", fl)


def first_sentence(doc, limit=DOC_LIMIT):
    """The first sentence of a service-spec documentation string, as one line of plain text:
    of its first paragraph that is not a note, HTML tags and Markdown links (to their text)
    removed, whitespace collapsed, cut at `limit` bytes on a word
    boundary with "…"."""
    import re
    if not doc:
        return ""
    paragraphs = [p.strip() for p in doc.strip().split("\n\n") if p.strip()]
    # A note ("> ...") first is an aside: the first paragraph that is not one says what it is.
    text = next((p for p in paragraphs if not p.startswith(">")), paragraphs[0].lstrip("> "))
    text = re.sub(r"</?[A-Za-z][^<>]*>", " ", text)  # HTML (<p>, <code>)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r" ([.,;:])(?= |$)", r"\1", text)  # the spec's "`Name` ." after code and links
    if re.fullmatch(r"https?://\S+", text):
        return ""  # only a link (some SAM types): hover links to the AWS page already
    m = re.search(r"(?<!\be\.g)(?<!\bi\.e)(?<!\betc)\.(?=\s+[A-Z`*(\"]|\s*$)", text)
    if m:
        text = text[:m.end()]
    if len(text.encode()) > limit:
        cut = text.encode()[:limit].decode("utf-8", "ignore")
        space = cut.rfind(" ")
        if space > limit // 4:
            cut = cut[:space]
        text = cut.rstrip(" ,;:") + "…"
    return text


def descriptions(db):
    """{type: {"doc": str, "props": {name: str}, "defs": {def: {field: str}}}} from the service
    spec's `documentation` strings, for the nested types the table has (reachable from the
    properties)."""
    schema = db["schema"]
    defs_by_id = {d["$id"]: d for d in schema["typeDefinition"]["entities"]}

    def refs(t, out):
        k = t["type"]
        if k == "ref":
            out.add(t["reference"]["$ref"])
        elif k in ("array", "map"):
            refs(t["element"], out)
        elif k == "union":
            for x in t["types"]:
                refs(x, out)

    def field_refs(p, out):
        refs(p["type"], out)
        for old in p.get("previousTypes", []):
            refs(old, out)

    out = {}
    for r in schema["resource"]["entities"]:
        used = set()
        props = {}
        for pname, p in r["properties"].items():
            field_refs(p, used)
            d = first_sentence(p.get("documentation"))
            if d:
                props[pname] = d
        defs = {}
        pending, seen = list(used), set()
        while pending:
            i = pending.pop()
            if i in seen:
                continue
            seen.add(i)
            d = defs_by_id[i]
            inner = set()
            for fname, f in d["properties"].items():
                field_refs(f, inner)
                text = first_sentence(f.get("documentation"))
                if text:
                    defs.setdefault(d["name"], {}).setdefault(fname, text)
            pending.extend(inner - seen)
        out[r["cloudFormationType"]] = {"doc": first_sentence(r.get("documentation")), "props": props,
                                        "defs": defs}
    return out


def write_descriptions(docs, header, out):
    """Writes the description table gzip-compressed (deterministic: no name, mtime 0).

    Text format, resource types sorted by name, the same records as the schema table:
        T <resource type>\t<description>
        P <property>\t<description>
        D <nested type>
        F <field>\t<description>
    A description that occurs more than once is written once, at the top, as `S <text>` (the
    first S line is number 0), and referred to as `#<number>`."""
    import collections
    counts = collections.Counter()
    for t in docs.values():
        counts[t["doc"]] += 1
        counts.update(t["props"].values())
        for fields in t["defs"].values():
            counts.update(fields.values())
    # A text that starts with "#" is always shared, so that "#" always means a reference.
    shared = sorted(s for s, n in counts.items() if (n > 1 and len(s) > 8) or s.startswith("#"))
    number = {s: i for i, s in enumerate(shared)}

    def ref(s):
        return "#%d" % number[s] if s in number else s

    lines = [header.rstrip("\n")]
    lines.extend("S " + s for s in shared)
    for tname in sorted(docs):
        t = docs[tname]
        lines.append("T %s\t%s" % (tname, ref(t["doc"])))
        for pname in sorted(t["props"]):
            lines.append("P %s\t%s" % (pname, ref(t["props"][pname])))
        for dname in sorted(t["defs"]):
            lines.append("D " + dname)
            for fname in sorted(t["defs"][dname]):
                lines.append("F %s\t%s" % (fname, ref(t["defs"][dname][fname])))
    raw = ("\n".join(lines) + "\n").encode()
    with open(out, "wb") as f:
        with gzip.GzipFile(filename="", mode="wb", fileobj=f, compresslevel=9, mtime=0) as z:
            z.write(raw)
    return len(raw)


def read_table(path):
    """The table `write` produced, back as (types, header): for --reapply."""
    types, header, t, d = {}, [], None, None
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("#"):
                header.append(line)
                continue
            tag, rest = line[0], line[2:]
            if tag == "T":
                t = types[rest] = {"props": {}, "attrs": {}, "defs": {}}
                d = None
                continue
            if tag == "D":
                d = t["defs"][rest] = {}
                continue
            parts = rest.split("\t")
            name, ty, fl = parts[0], parts[1], parts[2] if len(parts) > 2 else ""
            if tag == "P":
                t["props"][name] = (ty, fl)
            elif tag == "A":
                t["attrs"][name] = ty
            elif tag == "F":
                d[name] = (ty, fl)
    return types, "\n".join(header) + "\n"


def write(types, header, out):
    lines = [header.rstrip("\n")]
    for tname in sorted(types):
        t = types[tname]
        lines.append("T " + tname)

        def rec(tag, name, ty, fl):
            lines.append("%s %s\t%s%s" % (tag, name, ty, ("\t" + fl) if fl else ""))

        for pname in sorted(t["props"]):
            ty, fl = t["props"][pname]
            rec("P", pname, ty, fl)
        for aname in sorted(t["attrs"]):
            rec("A", aname, t["attrs"][aname], "")
        for dname in sorted(t["defs"]):
            lines.append("D " + dname)
            for fname in sorted(t["defs"][dname]):
                ty, fl = t["defs"][dname][fname]
                rec("F", fname, ty, fl)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--version", default="latest", help="@aws-cdk/aws-service-spec version (default: latest)")
    ap.add_argument("--db", help="an already unpacked db.json.gz (skips npm)")
    ap.add_argument("--out", default=OUT)
    ap.add_argument("--docs-out", default=DOCS_OUT)
    ap.add_argument("--reapply", action="store_true",
                    help="rewrite the committed table with this script's post-passes (no download)")
    args = ap.parse_args()
    if args.reapply:
        types, header = read_table(args.out)
        free_form_policies(types)
        write(types, header, args.out)
        print("%s: %d resource types, %d bytes" % (args.out, len(types), os.path.getsize(args.out)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        if args.db:
            db_path, version = args.db, args.version
        else:
            spec = "@aws-cdk/aws-service-spec@" + args.version
            name = subprocess.check_output(["npm", "pack", "--silent", spec], cwd=tmp, text=True).strip().splitlines()[-1]
            subprocess.check_call(["tar", "xzf", name], cwd=tmp)
            with open(os.path.join(tmp, "package", "package.json")) as f:
                version = json.load(f)["version"]
            db_path = os.path.join(tmp, "package", "db.json.gz")
        with gzip.open(db_path) as f:
            db = json.load(f)
    types = from_service_spec(db)
    sam, sam_version = sam_types()
    merge_sam(types, sam)
    free_form_policies(types)
    header = "# polc resource schema table (generated by scripts/update-schemas.py; do not edit)\n"
    header += "# source: @aws-cdk/aws-service-spec %s (Apache-2.0)" % version
    if sam_version:
        header += "; AWS::Serverless::* merged from aws-sam-translator %s (Apache-2.0)" % sam_version
    header += "\n# %d resource types; format: see scripts/update-schemas.py\n" % len(types)
    write(types, header, args.out)
    print("%s: %d resource types, %d bytes" % (args.out, len(types), os.path.getsize(args.out)))
    docs_header = "# polc resource descriptions (generated by scripts/update-schemas.py; do not edit)\n"
    docs_header += "# source: @aws-cdk/aws-service-spec %s (Apache-2.0), `documentation`: first sentence, " % version
    docs_header += "at most %d bytes\n" % DOC_LIMIT
    raw = write_descriptions(descriptions(db), docs_header, args.docs_out)
    print("%s: %d bytes (%d uncompressed)" % (args.docs_out, os.path.getsize(args.docs_out), raw))


if __name__ == "__main__":
    main()
