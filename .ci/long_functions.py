#!/usr/bin/env python3
"""Lists library functions longer than a limit of code lines (blank lines and
comments not counted), in src/, transports/ and crates/*/src, test modules
(`#[cfg(test)] mod …`) left out. Exits 1 when one is over the limit and not
on the allow list of data tables given after `--allow`.

    python3 .ci/long_functions.py [--limit 60] [--allow path:fn ...]
"""
import re
import sys
from pathlib import Path

FN = re.compile(r"^\s*(?:pub(?:\([^)]*\))?\s+)?(?:const\s+)?(?:async\s+)?(?:unsafe\s+)?fn\s+(\w+)")


def code_lines(lines):
    """Lines that hold code: not blank, not only a comment."""
    return [l for l in lines if l.strip() and not l.strip().startswith("//")]


def functions(path):
    """(name, first line, code lines) of each fn outside test modules."""
    lines = path.read_text(encoding="utf-8").split("\n")
    out, i, skip_test_mod = [], 0, False
    while i < len(lines):
        line = lines[i]
        if line.strip() == "#[cfg(test)]":
            skip_test_mod = True
        if skip_test_mod and re.match(r"^\s*mod\s+\w+\s*\{", line):
            i = block_end(lines, i) + 1
            skip_test_mod = False
            continue
        match = FN.match(line)
        if match and not line.rstrip().endswith(";"):
            end = block_end(lines, i)
            out.append((match.group(1), i + 1, len(code_lines(lines[i : end + 1]))))
            # Nested fns are counted within their parent only.
            i = end + 1
            continue
        if line.strip() and not line.strip().startswith("#"):
            skip_test_mod = False
        i += 1
    return out


def block_end(lines, start):
    """The line where the block opened at or after `start` closes (braces in
    strings and comments are rare enough in this code base to ignore, but
    char literals of braces are skipped)."""
    depth, opened = 0, False
    for j in range(start, len(lines)):
        text = re.sub(r"'[{}]'", "", lines[j].split("//")[0])
        text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', text)
        for ch in text:
            if ch == "{":
                depth, opened = depth + 1, True
            elif ch == "}":
                depth -= 1
                if opened and depth == 0:
                    return j
        if not opened and text.rstrip().endswith(";"):
            return j
    return len(lines) - 1


def main():
    args = sys.argv[1:]
    limit = 60
    if "--limit" in args:
        limit = int(args[args.index("--limit") + 1])
    allow = set(args[args.index("--allow") + 1 :]) if "--allow" in args else set()
    roots = [Path("src"), Path("transports")] + sorted(Path("crates").glob("*/src"))
    over = []
    for root in roots:
        for path in sorted(root.rglob("*.rs")):
            for name, line, count in functions(path):
                if count > limit:
                    over.append((f"{path}:{name}", line, count))
    failed = False
    for key, line, count in over:
        allowed = key in allow
        failed |= not allowed
        print(f"{key} (line {line}): {count} code lines{' (allowed: a data table)' if allowed else ''}")
    print(f"{len(over)} functions over {limit} code lines")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
