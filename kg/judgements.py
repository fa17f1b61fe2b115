"""The judgement file: a team's own verdicts on who is (not) the same organisation.

``resolution.judgements.csv`` in the store directory (or a file passed with
``--judgements``), with columns ``name_a,name_b,verdict,note`` and verdict
``same`` or ``not-same``. It is plain CSV so it can be edited, reviewed and
committed beside the newsroom's other notes; a judgement overrides every
automatic rule and is quoted in the decision's reason ("judged not the same
as 'paragon solutions' (resolution.judgements.csv:3)").
"""

import csv
from dataclasses import dataclass
from pathlib import Path

from kg.errors import InputError
from kg.names import normalise

JUDGEMENTS_FILE = "resolution.judgements.csv"
JUDGEMENT_COLUMNS = ("name_a", "name_b", "verdict", "note")
VERDICTS = ("same", "not-same")


@dataclass(frozen=True)
class Judgement:
    """One line of the judgement file: two names are (not) the same organisation."""

    name_a: str
    name_b: str
    same: bool
    note: str
    where: str  # file:line, quoted in reasons


def read_judgements(path: Path) -> list[Judgement]:
    """Parse a judgement file; a malformed line is an InputError naming file, line and field."""
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as error:
        raise InputError(f"{path}: cannot read the judgement file: {error.strerror}") from error
    with handle:
        reader = csv.DictReader(handle)
        missing = [c for c in JUDGEMENT_COLUMNS[:3] if c not in (reader.fieldnames or [])]
        if missing:
            raise InputError(f"{path}: line 1: missing column {', '.join(missing)} "
                             f"(expected {','.join(JUDGEMENT_COLUMNS)})")
        out = []
        for row in reader:
            where = f"{path.name}:{reader.line_num}"
            verdict = (row["verdict"] or "").strip().lower()
            if verdict not in VERDICTS:
                raise InputError(f"{path}: line {reader.line_num}: field verdict: "
                                 f"{verdict!r} is not 'same' or 'not-same'")
            a, b = (row["name_a"] or "").strip(), (row["name_b"] or "").strip()
            if not a or not b:
                raise InputError(f"{path}: line {reader.line_num}: field "
                                 f"{'name_a' if not a else 'name_b'}: empty name")
            if normalise(a) == normalise(b):
                raise InputError(f"{path}: line {reader.line_num}: field name_b: {b!r} is "
                                 f"{a!r} spelled differently; judge two different names")
            out.append(Judgement(a, b, verdict == "same", (row.get("note") or "").strip(), where))
    return out


def find_judgements(store_path: Path, explicit: Path | None = None) -> Path | None:
    """``--judgements FILE`` if given, else ``<store>/resolution.judgements.csv`` if present."""
    if explicit is not None:
        return explicit
    default = store_path / JUDGEMENTS_FILE
    return default if default.exists() else None
