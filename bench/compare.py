#!/usr/bin/env python3
"""Compare protoguard's and buf's findings on the benchmark corpus, per rule and per file, and
check both against the changes gen_corpus injected (OUT/mutations.txt).

usage: compare.py PROTOGUARD_JSON BUF_JSON_LINES MUTATIONS_TXT [--category FILE] [--buf-prefix current/]

PROTOGUARD_JSON is `protoguard breaking --format json` output; BUF_JSON_LINES is
`buf breaking --error-format json` output (one object per line). Findings are matched on
(rule, file path), or (rule, package) for PACKAGE_* rules: the two tools anchor deletions at
different places (buf: line 1 of the file, the parent message, or no file at all; protoguard: the
nearest surviving parent), so lines are not compared.
The expected rules in mutations.txt are FILE-category rules, so the check of the injected changes
runs only for --category FILE (the default). Exits 0 whether or not the tools agree: the report is
the output.
"""

import collections
import json
import re
import sys


def where(rule, file, message):
    """Where a finding is, for matching: its file, except for PACKAGE_* rules, which are about a
    package and which the two tools anchor in different files (or none)."""
    if rule.startswith("PACKAGE_"):
        m = re.search(r'package "([^"]+)"', message)
        if m:
            return "package " + m.group(1)
    return file


def load_protoguard(path):
    with open(path) as f:
        document = json.load(f)
    out = []
    for finding in document["findings"]:
        rule, message = finding["rule"], finding["message"]
        out.append((rule, where(rule, finding["path"], message), message))
    return out


def load_buf(path, prefix):
    out = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line.startswith("{"):
                continue
            finding = json.loads(line)
            file = finding.get("path", "")
            if file.startswith(prefix):
                file = file[len(prefix):]
            if not file:
                # FILE_NO_DELETE has no path: the file is named in the message.
                m = re.search(r'file "([^"]+)"', finding["message"])
                file = m.group(1) if m else ""
            rule, message = finding["type"], finding["message"]
            out.append((rule, where(rule, file, message), message))
    return out


def load_mutations(path):
    mutations = []
    with open(path) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            cls, kind, file, element, detail, expect = line.rstrip("\n").split("\t")
            mutations.append(
                {
                    "class": cls,
                    "kind": kind,
                    "file": file,
                    "element": element,
                    "detail": detail,
                    "expect": [] if expect == "-" else expect.split(),
                }
            )
    return mutations


def main(argv):
    prefix = "current/"
    category = "FILE"
    args = []
    i = 0
    while i < len(argv):
        if argv[i] == "--buf-prefix":
            prefix = argv[i + 1]
            i += 2
        elif argv[i] == "--category":
            category = argv[i + 1]
            i += 2
        else:
            args.append(argv[i])
            i += 1
    if len(args) != 3:
        sys.exit(__doc__)
    pg = load_protoguard(args[0])
    buf = load_buf(args[1], prefix)
    mutations = load_mutations(args[2])

    print("Findings per rule")
    pg_rules = collections.Counter(r for r, _, _ in pg)
    buf_rules = collections.Counter(r for r, _, _ in buf)
    width = max([len(r) for r in list(pg_rules) + list(buf_rules)] + [4])
    print(f"  {'rule':{width}}  protoguard  buf  {'':4}")
    for rule in sorted(set(pg_rules) | set(buf_rules)):
        a, b = pg_rules[rule], buf_rules[rule]
        mark = "" if a == b else "  <-- differs"
        print(f"  {rule:{width}}  {a:10}  {b:3}{mark}")
    print(f"  {'total':{width}}  {len(pg):10}  {len(buf):3}")

    # Per (rule, file): counts and messages on each side.
    pg_by = collections.defaultdict(list)
    buf_by = collections.defaultdict(list)
    for rule, file, message in pg:
        pg_by[(rule, file)].append(message)
    for rule, file, message in buf:
        buf_by[(rule, file)].append(message)
    differing = [
        key
        for key in sorted(set(pg_by) | set(buf_by))
        if len(pg_by.get(key, [])) != len(buf_by.get(key, []))
    ]
    print()
    if not differing:
        print("Per (rule, file): protoguard and buf agree everywhere.")
    else:
        print(f"Per (rule, file): {len(differing)} disagreement(s)")
        for key in differing:
            rule, file = key
            print(f"  {rule}  {file}")
            for message in pg_by.get(key, []):
                print(f"    protoguard: {message}")
            for message in buf_by.get(key, []):
                print(f"    buf:        {message}")

    # Against the injected changes.
    print()
    if category != "FILE":
        print(f"(mutations.txt lists FILE rules; injected changes are not checked at {category})")
        return
    print("Injected changes (breaking: expected rules at that file; harmless: should be silent)")
    files_with_mutation = {m["file"] for m in mutations}
    misses = 0
    for m in mutations:
        pg_here = collections.Counter(r for r, f, _ in pg if f == m["file"])
        buf_here = collections.Counter(r for r, f, _ in buf if f == m["file"])
        if m["class"] == "breaking":
            missing_pg = [r for r in m["expect"] if pg_here[r] == 0]
            missing_buf = [r for r in m["expect"] if buf_here[r] == 0]
            if missing_pg or missing_buf:
                misses += 1
                print(f"  {m['kind']} {m['element']} ({m['detail']}) in {m['file']}")
                if missing_pg:
                    print(f"    protoguard did not report: {' '.join(missing_pg)}")
                if missing_buf:
                    print(f"    buf did not report: {' '.join(missing_buf)}")
        elif pg_here or buf_here:
            misses += 1
            print(f"  harmless {m['kind']} {m['element']} in {m['file']} drew findings:")
            print(f"    protoguard: {dict(pg_here)}  buf: {dict(buf_here)}")
    def stray(findings):
        return sorted(
            {f for _, f, _ in findings if f not in files_with_mutation and not f.startswith("package ")}
        )

    stray_pg, stray_buf = stray(pg), stray(buf)
    for tool, stray in (("protoguard", stray_pg), ("buf", stray_buf)):
        for file in stray:
            misses += 1
            print(f"  {tool} reported findings in {file}, which no mutation touched")
    if misses == 0:
        breaking = sum(1 for m in mutations if m["class"] == "breaking")
        print(
            f"  all {breaking} breaking changes drew their expected rules from both tools; "
            "no finding in untouched files or harmless edits"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
