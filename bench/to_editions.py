#!/usr/bin/env python3
"""Rewrites a gen_corpus tree with its proto3 files as the equivalent edition 2023 files.

usage: bench/to_editions.py SRC DST

Every file of SRC is copied to DST; each proto3 file is rewritten so that it means exactly what it
meant in proto3 (proto2 files stay proto2, which editions files may import):

- `syntax = "proto3";` becomes `edition = "2023"; option features.field_presence = IMPLICIT;` on
  the same line (proto3 scalars have implicit presence; 2023's default is explicit), so every
  element keeps its line and the findings of both trees can be compared line for line;
- a proto3 `optional` field keeps explicit presence: `[features.field_presence = EXPLICIT]`;
- `packed = false|true` becomes `features.repeated_field_encoding = EXPANDED|PACKED`;
- `reserved "a", "b";` becomes `reserved a, b;` (editions reserve identifiers).

Everything else (open enums, packed repeated scalars, UTF-8 validation, JSON) is 2023's default
already. The rewrite is line-based and made for gen_corpus's output (one field per line, no
comments inside statements), not for arbitrary proto files.
"""
import os
import re
import sys

FIELD = re.compile(r'^(\s*)optional (\S+) (\w+) = (\d+)( \[(.*)\])?;(.*)$')
RESERVED = re.compile(r'^(\s*)reserved ("[^;]*);(.*)$')
HEADER = 'syntax = "proto3";'


def convert(text):
    text = text.replace(HEADER, 'edition = "2023"; option features.field_presence = IMPLICIT;', 1)
    lines = []
    for line in text.split('\n'):
        m = FIELD.match(line)
        if m:
            indent, type_, name, number, _, options, rest = m.groups()
            options = 'features.field_presence = EXPLICIT' + (', ' + options if options else '')
            line = f'{indent}{type_} {name} = {number} [{options}];{rest}'
        m = RESERVED.match(line)
        if m:
            indent, names, rest = m.groups()
            line = f'{indent}reserved {names.replace(chr(34), "")};{rest}'
        lines.append(line)
    text = '\n'.join(lines)
    text = text.replace('packed = false', 'features.repeated_field_encoding = EXPANDED')
    return text.replace('packed = true', 'features.repeated_field_encoding = PACKED')


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip().split('\n\n')[1])
    src, dst = sys.argv[1], sys.argv[2]
    rewritten = copied = 0
    for directory, _, names in os.walk(src):
        if '.git' in directory.split(os.sep):
            continue
        for name in names:
            path = os.path.join(directory, name)
            out = os.path.join(dst, os.path.relpath(path, src))
            os.makedirs(os.path.dirname(out), exist_ok=True)
            with open(path, encoding='utf-8') as f:
                text = f.read()
            if name.endswith('.proto') and HEADER in text:
                text = convert(text)
                rewritten += 1
            else:
                copied += 1
            with open(out, 'w', encoding='utf-8') as f:
                f.write(text)
    print(f'{rewritten} proto3 files rewritten as edition 2023, {copied} files copied', file=sys.stderr)


if __name__ == '__main__':
    main()
