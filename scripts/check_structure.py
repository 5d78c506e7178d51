#!/usr/bin/env python3
"""Checks the workspace's structure rules (docs/architecture.md, "Rules the checks keep"):

1. No import cycles between the files of a crate (tests aside). A file depends on another
   when it names an item of that file's module: a `use` declaration or an inline path
   (`crate::a::b`, `super::x`, `self::y`, `child::z`). A parent that re-exports a child (`pub use
   child::X`) depends on it; a child that names what its parent holds or re-exports
   depends on the parent. `mod` declarations alone are not dependencies. The strongly
   connected components of that graph (Tarjan's algorithm) must all be single files.
2. No source file over 600 lines unless a `//! Length:` line near its top says why.

Usage: scripts/check_structure.py [ROOT]   (exit status 1 when a rule is broken)
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

MAX_LINES = 600
LENGTH_MARK = "//! Length:"


def strip_code(text: str) -> str:
    """The text with comments, string and char literals blanked (newlines kept)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            i = j
        elif text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            out.append("\n" * text.count("\n", i, j))
            i = j
        elif c == "r" and re.match(r'r#*"', text[i:i + 10]) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            m = re.match(r'r(#*)"', text[i:])
            end = '"' + m.group(1)
            j = text.find(end, i + len(m.group(0)))
            j = n if j < 0 else j + len(end)
            out.append('""' + "\n" * text.count("\n", i, j))
            i = j
        elif c == '"' or (c == "b" and text.startswith('b"', i)):
            j = i + (2 if c == "b" else 1)
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append('""' + "\n" * text.count("\n", i, j))
            i = j + 1
        elif c == "'":
            # A char literal ('a', '\n', '\u{..}'), not a lifetime ('a).
            m = re.match(r"'(\\.[^']*|[^\\'])'", text[i:])
            if m:
                out.append("' '")
                i += len(m.group(0))
            else:
                out.append(c)
                i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def drop_test_blocks(code: str) -> str:
    """Removes inline `#[cfg(test)] mod name { ... }` blocks."""
    while True:
        m = re.search(r"#\[cfg\(test\)\]\s*(pub(\([^)]*\))?\s+)?mod\s+\w+\s*\{", code)
        if not m:
            return code
        depth, j = 1, m.end()
        while j < len(code) and depth:
            depth += {"{": 1, "}": -1}.get(code[j], 0)
            j += 1
        code = code[: m.start()] + "\n" * code.count("\n", m.start(), j) + code[j:]


class Crate:
    def __init__(self, root_file: Path):
        self.root = root_file
        self.modules: dict[tuple[str, ...], Path] = {}
        self.code: dict[Path, str] = {}
        self.walk((), root_file)

    def walk(self, path: tuple[str, ...], file: Path) -> None:
        self.modules[path] = file
        code = drop_test_blocks(strip_code(file.read_text()))
        self.code[file] = code
        if file.name in ("lib.rs", "main.rs", "mod.rs"):
            base = file.parent
        else:
            base = file.parent / file.stem
        for m in re.finditer(r"((?:#\[[^\]]*\]\s*)*)(?:pub(?:\([^)]*\))?\s+)?mod\s+(\w+)\s*;", code):
            attrs, name = m.group(1), m.group(2)
            if "cfg(test)" in attrs:
                continue
            for cand in (base / f"{name}.rs", base / name / "mod.rs"):
                if cand.exists():
                    self.walk(path + (name,), cand)
                    break

    def module_of(self, file: Path) -> tuple[str, ...]:
        return next(p for p, f in self.modules.items() if f == file)

    def resolve(self, here: tuple[str, ...], segments: list[str]) -> Path | None:
        """The file of the deepest module a path names, from module `here`."""
        if not segments:
            return None
        head, rest = segments[0], segments[1:]
        if head == "crate":
            base = ()
        elif head == "self":
            base = here
        elif head == "super":
            base = here
            while rest and rest[0] == "super":
                base, rest = base[:-1], rest[1:]
            base = base[:-1]
        else:
            # A child module of this one, used without `self::` (2018 paths).
            if here + (head,) in self.modules:
                base, rest = here + (head,), rest
            else:
                return None
        mod = base
        for seg in rest:
            if mod + (seg,) in self.modules:
                mod = mod + (seg,)
            else:
                break
        return self.modules.get(mod)

    def edges(self) -> dict[Path, dict[Path, set[str]]]:
        graph: dict[Path, dict[Path, set[str]]] = {f: {} for f in self.code}
        for file, code in self.code.items():
            here = self.module_of(file)
            paths: list[list[str]] = []
            for m in re.finditer(r"\buse\s+([^;]+);", code):
                paths.extend(expand_use(m.group(1)))
            for m in re.finditer(r"(?<![\w:])((?:crate|super|self|[a-z_]\w*)(?:\s*::\s*\w+)+)", code):
                segs = [s.strip() for s in m.group(1).split("::")]
                # A bare first segment counts only when it is a child module of this one.
                if segs[0] in ("crate", "super", "self") or here + (segs[0],) in self.modules:
                    paths.append(segs)
            for p in paths:
                target = self.resolve(here, p)
                if target is not None and target != file:
                    graph[file].setdefault(target, set()).add("::".join(p))
        return graph


def expand_use(tree: str) -> list[list[str]]:
    """`a::{b, c::{d, e}}` -> [[a, b], [a, c, d], [a, c, e]] (globs and renames dropped)."""
    tree = re.sub(r"\s+as\s+\w+", "", tree)
    tree = re.sub(r"\s+", "", tree)

    def parse(s: str, prefix: list[str]) -> list[list[str]]:
        out, depth, start, parts = [], 0, 0, []
        for i, ch in enumerate(s):
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
            elif ch == "," and depth == 0:
                parts.append(s[start:i])
                start = i + 1
        parts.append(s[start:])
        for part in parts:
            if not part:
                continue
            if "{" in part:
                head, inner = part.split("{", 1)
                head_segs = [x for x in head.split("::") if x]
                out.extend(parse(inner[: inner.rfind("}")], prefix + head_segs))
            else:
                segs = [x for x in part.split("::") if x and x != "*"]
                out.append(prefix + segs)
        return out

    return parse(tree, [])


def tarjan(graph: dict[Path, dict[Path, set[str]]]) -> list[list[Path]]:
    index, low, stack, on, comps, counter = {}, {}, [], set(), [], [0]
    sys.setrecursionlimit(10_000)

    def visit(v: Path) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                comps.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    return comps


def crate_roots(root: Path) -> list[Path]:
    roots = []
    for toml in sorted(root.glob("**/Cargo.toml")):
        if any(part in ("target", "node_modules", ".git") for part in toml.parts):
            continue
        src = toml.parent / "src"
        for name in ("lib.rs", "main.rs"):
            if (src / name).exists():
                roots.append(src / name)
    return roots


def main() -> int:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    problems = 0
    files_seen = 0
    for crate_root in crate_roots(root):
        crate = Crate(crate_root)
        files_seen += len(crate.code)
        graph = crate.edges()
        for comp in tarjan(graph):
            problems += 1
            print(f"import cycle in {crate_root.parent.parent.relative_to(root) or '.'}:")
            members = set(comp)
            for f in comp:
                for t, names in sorted(graph[f].items()):
                    if t in members:
                        print(f"  {f.relative_to(root)} -> {t.relative_to(root)}: {', '.join(sorted(names))}")
    for f in sorted(root.glob("**/*.rs")):
        if any(part in ("target", "node_modules", ".git") for part in f.parts):
            continue
        text = f.read_text()
        lines = text.count("\n")
        if lines > MAX_LINES and LENGTH_MARK not in "\n".join(text.splitlines()[:30]):
            problems += 1
            print(f"{f.relative_to(root)}: {lines} lines (over {MAX_LINES}) and no '{LENGTH_MARK}' line at its top saying why")
    if problems:
        print(f"structure: {problems} problem(s)")
        return 1
    print(f"structure: no import cycle in {files_seen} files of {len(crate_roots(root))} crates; no file over {MAX_LINES} lines without a reason")
    return 0


if __name__ == "__main__":
    sys.exit(main())
