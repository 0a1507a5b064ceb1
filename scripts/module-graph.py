#!/usr/bin/env python3
"""Writes the module graph in docs/architecture.md from `swift package dump-package`, so it cannot drift.

    scripts/module-graph.py          rewrite the generated part of docs/architecture.md
    scripts/module-graph.py --check  exit 1 if the committed part differs from Package.swift (CI)
"""
import json
import pathlib
import subprocess
import sys

repo = pathlib.Path(__file__).resolve().parent.parent
doc = repo / "docs" / "architecture.md"
begin, end = "<!-- module-graph:begin (scripts/module-graph.py writes this part) -->", "<!-- module-graph:end -->"

package = json.loads(subprocess.run(["swift", "package", "dump-package"], cwd=repo, check=True,
                                    capture_output=True, text=True).stdout)
targets = {t["name"]: t for t in package["targets"]}


def links(target):
    """The project modules and the external products a target names directly."""
    modules, products = [], []
    for dep in target["dependencies"]:
        if "byName" in dep:
            modules.append(dep["byName"][0])
        elif "target" in dep:
            modules.append(dep["target"][0])
        elif "product" in dep:
            products.append("%s (%s)" % (dep["product"][0], dep["product"][1]))
    return modules, products


def closure(name, seen=None):
    seen = set() if seen is None else seen
    for module in links(targets[name])[0]:
        if module in targets and module not in seen:
            seen.add(module)
            closure(module, seen)
    return seen


def reaches(name, module):
    return module in closure(name) | {name}


# Products that bring SwiftNIO with them (HummingbirdBcrypt, from hummingbird-auth, does not).
nio_products = {"Hummingbird", "HummingbirdCore", "HummingbirdTLS", "HummingbirdTesting", "MultipartKit", "NIOCore", "NIOPosix"}


def links_nio(name):
    return any(p.split(" ")[0] in nio_products for t in closure(name) | {name} for p in links(targets[t])[1])


def in_sources(t):
    return t.get("path") is None and t["type"] in ("regular", "executable", "system")


sources = [n for n, t in targets.items() if in_sources(t)]
lines = [begin, "", "```mermaid", "flowchart BT"]
for name in sources:
    for module in links(targets[name])[0]:
        if module in sources:
            lines.append("  %s --> %s" % (name, module))
lines += ["```", "", "| module | kind | project modules | packages | vision | libzmq | NIO |", "| --- | --- | --- | --- | --- | --- | --- |"]
for name in sources:
    t = targets[name]
    modules, products = links(t)
    mark = lambda yes: "yes" if yes else "no"
    lines.append("| `%s` | %s | %s | %s | %s | %s | %s |" % (
        name, t["type"], ", ".join(modules) or "-", ", ".join(products) or "-",
        mark(reaches(name, "CFaceEngine")), mark(reaches(name, "CZeroMQ")), mark(links_nio(name))))
lines += ["", "Tests, benchmarks and fuzz targets, and what they link:", "",
          "| target | kind | project modules | vision |", "| --- | --- | --- | --- |"]
for name, t in targets.items():
    if in_sources(t):
        continue
    lines.append("| `%s` | %s | %s | %s |" % (name, t["type"], ", ".join(links(t)[0]) or "-", "yes" if reaches(name, "CFaceEngine") else "no"))
lines += ["", end]
generated = "\n".join(lines)

text = doc.read_text()
if begin not in text or end not in text:
    sys.exit("docs/architecture.md has lost its module-graph markers: put back %r and %r" % (begin, end))
head, rest = text.split(begin, 1)
_, tail = rest.split(end, 1)
updated = head + generated + tail
if "--check" in sys.argv[1:]:
    if updated != text:
        sys.exit("docs/architecture.md's module graph differs from Package.swift: run scripts/module-graph.py and commit the result")
    print("module graph in docs/architecture.md matches Package.swift")
else:
    doc.write_text(updated)
    print("wrote the module graph into docs/architecture.md")
