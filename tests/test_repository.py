"""The repository stands on its own: it cites no document outside itself, and every citation of its own docs/ names a
file, and a section of it, that exist (docs/README.md)."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Files that may hold anything: the lock file is generated, and this test spells out what it looks for.
EXEMPT = frozenset({"uv.lock", "tests/test_repository.py"})

# Built from pieces so that this file does not match what it forbids.
_SECTION_SIGN = "\u00a7"
_OUTSIDE_REFERENCES = re.compile(
    "|".join(
        (
            re.escape("DOMAIN " + _SECTION_SIGN),
            re.escape("DOMAIN" + ".md"),
            re.escape("/work" + "/shared"),
            r"\bissues?\s*#?\s*\d+",
        )
    ),
    re.IGNORECASE,
)

#: A docs/ file named in the repository, optionally followed by the section it means in quotes:
#: docs/calendar.md, "Publicity" (also 'Publicity' or “Publicity”).
_DOCS_CITATION = re.compile(r"""docs/([a-z0-9_-]+\.md)(?:,\s*(?:"([^"\n]+)"|'([^'\n]+)'|“([^”\n]+)”))?""")
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$")


def _tracked_text_files() -> Iterator[tuple[str, list[str]]]:
    """Every file git tracks (its path and lines), binary files and the exempt ones left out."""
    git = shutil.which("git")
    assert git, "git is needed to list the repository's files"
    listed = subprocess.run(  # noqa: S603
        [git, "ls-files", "-z"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.split("\0")
    for name in listed:
        if not name or name in EXEMPT or name.startswith(".venv/"):
            continue
        path = ROOT / name
        if not path.is_file():  # deleted in the work tree, not yet committed
            continue
        data = path.read_bytes()
        if b"\0" in data[:8192]:
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            continue
        yield name, text.splitlines()


def test_no_reference_outside_the_repository() -> None:
    found = [
        f"{name}:{number}: {line.strip()[:160]}"
        for name, lines in _tracked_text_files()
        for number, line in enumerate(lines, start=1)
        if _OUTSIDE_REFERENCES.search(line)
    ]
    assert not found, (
        "These lines cite a document outside the repository (a domain brief, a shared folder or an issue "
        "number); cite the project's docs/ file and section instead:\n" + "\n".join(found)
    )


def _headings(path: Path) -> set[str]:
    return {match.group(1) for line in path.read_text(encoding="utf-8").splitlines() if (match := _HEADING.match(line))}


def test_every_docs_citation_exists() -> None:
    docs = ROOT / "docs"
    headings: dict[str, set[str]] = {}
    broken: list[str] = []
    cited = 0
    for name, lines in _tracked_text_files():
        for number, line in enumerate(lines, start=1):
            for match in _DOCS_CITATION.finditer(line):
                cited += 1
                file_name = match.group(1)
                section = next((group for group in match.groups()[1:] if group), None)
                target = docs / file_name
                if not target.is_file():
                    broken.append(f"{name}:{number}: docs/{file_name} does not exist")
                    continue
                if section is None:
                    continue
                if file_name not in headings:
                    headings[file_name] = _headings(target)
                if section.strip() not in headings[file_name]:
                    broken.append(f"{name}:{number}: docs/{file_name} has no section “{section}”")
    assert cited, "no docs/ citation found at all: the pattern or the file listing is wrong"
    assert not broken, "These lines cite a docs/ file or section that does not exist:\n" + "\n".join(broken)
