#!/usr/bin/env python3
"""Counts the public API of a crate from its rustdoc HTML: item pages (one
per public path: structs, enums, traits, functions, constants, types,
macros) and inherent methods (methods in `impl Type { … }` blocks, not
trait implementations).

    cargo doc -p scim-client --no-deps --all-features
    python3 .ci/api_surface.py target/doc/scim_client
"""
import re
import sys
from pathlib import Path

KINDS = ("struct", "enum", "trait", "fn", "constant", "type", "macro", "static", "union")


def inherent_methods(html):
    """Method anchors inside the inherent implementations section."""
    start = html.find('id="implementations-list"')
    if start < 0:
        return 0
    end_markers = [html.find(m, start) for m in ('id="trait-implementations"', 'id="synthetic-implementations"', 'id="blanket-implementations"')]
    end = min([m for m in end_markers if m > 0] or [len(html)])
    return len(re.findall(r'id="method\.', html[start:end]))


def main():
    root = Path(sys.argv[1])
    items = {kind: 0 for kind in KINDS}
    methods = 0
    for page in root.rglob("*.html"):
        kind = page.name.split(".")[0]
        if kind not in items:
            continue
        html = page.read_text(encoding="utf-8")
        if 'http-equiv="refresh"' in html:
            continue  # a redirect from where the item is defined to where it is shown
        items[kind] += 1
        if kind in ("struct", "enum", "union"):
            methods += inherent_methods(html)
    total = sum(items.values())
    detail = ", ".join(f"{k} {v}" for k, v in items.items() if v)
    print(f"public items: {total} ({detail}); inherent methods: {methods}")


if __name__ == "__main__":
    main()
