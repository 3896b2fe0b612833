#!/usr/bin/env python3
"""Lessons → notebooks: sync, check and execute the course notebooks.

lessons/NN-slug.md (jupytext Markdown, kernel gonb) is the source of truth; notebooks/NN-slug.ipynb is
generated from it and committed with the outputs of a full run.

  notebooks.py sync [NAMES…]            write notebooks/*.ipynb from lessons/*.md, keeping outputs of
                                        cells whose source did not change
  notebooks.py check                    fail if any notebook's cells differ from its lesson
  notebooks.py run [--quick] [--write] [--timeout S] [NAMES…]
                                        execute notebooks on the GoNB kernel; --quick sets BERT2GPT_QUICK=1
                                        (chapters shrink training); --write saves the outputs into
                                        notebooks/ (otherwise into out/notebooks/). Fails on any cell error,
                                        dead kernel, timeout, or shell cell (!, !*) that exited non-zero.

NAMES are lesson stems or prefixes ("00", "00-intro"). Run it with the project venv's Python
(scripts/setup.sh creates it); `make notebooks` and `make test` call it.
"""
import argparse
import difflib
import os
import re
import sys
import time
from pathlib import Path

import jupytext
import nbformat
from jupytext.combine import combine_inputs_with_outputs
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ROOT / "lessons"
NOTEBOOKS = ROOT / "notebooks"
OUT = ROOT / "out" / "notebooks"
KERNEL = "gonb"

# GoNB reports a failing shell cell (`!cmd`, `!*cmd`) only as this line on stderr; the cell still "passes".
SHELL_FAILURE = re.compile(r"^exit status \d+\s*$", re.MULTILINE)


def lesson_paths(names):
    paths = sorted(LESSONS.glob("[0-9][0-9]-*.md"))
    if names:
        paths = [p for p in paths if any(p.stem == n or p.stem.startswith(n) for n in names)]
        if not paths:
            sys.exit(f"notebooks.py: no lesson matches {names} in {LESSONS}")
    return paths


def notebook_for(lesson):
    return NOTEBOOKS / (lesson.stem + ".ipynb")


def cells_of(nb):
    """The part of a notebook that must equal its lesson: cell types and sources."""
    return [(c.cell_type, c.source.strip()) for c in nb.cells]


def sync(names):
    NOTEBOOKS.mkdir(exist_ok=True)
    for lesson in lesson_paths(names):
        nb = jupytext.read(lesson)
        target = notebook_for(lesson)
        if target.exists():
            nb = combine_inputs_with_outputs(nb, nbformat.read(target, as_version=4))
        nb.metadata.pop("jupytext", None)
        nbformat.write(nb, target)
        print(f"synced {lesson.relative_to(ROOT)} → {target.relative_to(ROOT)}")


def check():
    problems = []
    lessons = lesson_paths([])
    stems = {p.stem for p in lessons}
    for nb_path in sorted(NOTEBOOKS.glob("*.ipynb")):
        if nb_path.stem not in stems:
            problems.append(f"{nb_path.relative_to(ROOT)} has no lesson (lessons/{nb_path.stem}.md)")
    for lesson in lessons:
        target = notebook_for(lesson)
        if not target.exists():
            problems.append(f"{lesson.relative_to(ROOT)} has no notebook: run `make notebooks`")
            continue
        want = cells_of(jupytext.read(lesson))
        got = cells_of(nbformat.read(target, as_version=4))
        if want != got:
            diff = difflib.unified_diff(
                [f"[{t}] {s}" for t, s in want], [f"[{t}] {s}" for t, s in got],
                str(lesson.relative_to(ROOT)), str(target.relative_to(ROOT)), lineterm="", n=1)
            problems.append("\n".join(list(diff)[:40]))
    if problems:
        print("notebooks differ from their lessons (run `make notebooks`):", file=sys.stderr)
        for p in problems:
            print(p, file=sys.stderr)
        return 1
    print(f"check: {len(lessons)} notebooks match their lessons")
    return 0


def output_problems(nb):
    """Errors that nbclient does not raise: failing shell cells, error outputs kept by allow_errors."""
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                found.append(f"cell {i}: {out.ename}: {out.evalue}")
            elif out.output_type == "stream" and out.name == "stderr" and SHELL_FAILURE.search(out.text):
                found.append(f"cell {i}: shell command failed ({SHELL_FAILURE.search(out.text).group(0).strip()}):\n"
                             f"    {cell.source[:200]}")
    return found


def run(names, quick, write, timeout):
    os.environ["BERT2GPT_QUICK"] = "1" if quick else "0"
    os.environ["PATH"] = f"{ROOT / '.bin'}:{os.environ['PATH']}"
    OUT.mkdir(parents=True, exist_ok=True)
    results, failed = [], False
    for lesson in lesson_paths(names):
        src = notebook_for(lesson)
        if not src.exists():
            sys.exit(f"notebooks.py: {src} missing: run `notebooks.py sync` first")
        nb = nbformat.read(src, as_version=4)
        client = NotebookClient(nb, kernel_name=KERNEL, timeout=timeout, allow_errors=False,
                                coalesce_streams=True,
                                resources={"metadata": {"path": str(NOTEBOOKS)}})
        log = OUT / (lesson.stem + ".kernel.log")
        print(f"running {src.relative_to(ROOT)} ({'quick' if quick else 'full'} mode) …", flush=True)
        start = time.time()
        error = None
        with open(log, "w") as kernel_log:
            try:
                client.execute(stderr=kernel_log, stdout=kernel_log)
            except CellTimeoutError as e:
                error = f"timeout (a cell ran longer than {timeout}s): {str(e)[:500]}"
            except DeadKernelError as e:
                error = f"kernel died: {e} (kernel log: {log.relative_to(ROOT)})"
            except CellExecutionError as e:
                error = f"cell error:\n{str(e)[-2000:]}"
        seconds = time.time() - start
        problems = ([error] if error else []) + output_problems(nb)
        dest = src if (write and not problems) else OUT / src.name
        nbformat.write(nb, dest)
        results.append((lesson.stem, seconds, "ok" if not problems else "FAILED"))
        if problems:
            failed = True
            print(f"FAILED {lesson.stem} after {seconds:.1f}s (executed copy: {dest.relative_to(ROOT)}):",
                  file=sys.stderr)
            for p in problems:
                print("  " + p.replace("\n", "\n  "), file=sys.stderr)
    print("\nnotebook wall times:")
    for stem, seconds, status in results:
        print(f"  {stem:40s} {seconds:8.1f}s  {status}")
    print(f"notebooks: {sum(r[2] == 'ok' for r in results)} passed, {sum(r[2] != 'ok' for r in results)} failed")
    return 1 if failed else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sync")
    s.add_argument("names", nargs="*")
    sub.add_parser("check")
    r = sub.add_parser("run")
    r.add_argument("--quick", action="store_true")
    r.add_argument("--write", action="store_true")
    r.add_argument("--timeout", type=int, default=1800, help="seconds allowed per cell")
    r.add_argument("names", nargs="*")
    args = ap.parse_args()
    if args.cmd == "sync":
        sync(args.names)
        return 0
    if args.cmd == "check":
        return check()
    return run(args.names, args.quick, args.write, args.timeout)


if __name__ == "__main__":
    sys.exit(main())
