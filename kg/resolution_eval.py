"""Measure parent-company assignment against a hand-curated recipient -> parent table.

The gold table is Torn Apart's ``freezer.csv`` (award_id, recipient_name,
parent_name, ...): a newsroom team's cleaned FY18 ICE recipients and their
parent companies. Load the matching award records first (``fy18.csv``); then,
for every gold award found in the store, the recipient's parents are every
SUBSIDIARY_OF ancestor in the journalist graph (record fields, registry-group
links and the reference registry alike), or PART_OF for a government recipient.

Precision: of the awards whose recipient we give a parent, the share where one
of those parents is the gold parent. Recall: of the awards whose gold parent
differs from the recipient, the share where we name that parent (or resolved
the recipient into that parent: "Reed Elsevier" is RELX). A parent that is the
gold recipient itself under a legal name is not counted as a claim. Names are
compared loosely (normalised, legal suffixes dropped, one a word-prefix of the
other: "Microsoft" matches "MICROSOFT CORPORATION SITZ IN REDMOND"), the way a
reader would.
"""

import csv
from dataclasses import dataclass, field
from pathlib import Path

from kg.names import normalise
from kg.projection import PropertyGraph, project
from kg.store import Store

_EXTRA_SUFFIXES = frozenset("corporation company group holdings holding incorporated".split())


def _words(name: str) -> list[str]:
    words = normalise(name).split()
    while len(words) > 1 and words[-1] in _EXTRA_SUFFIXES:
        words.pop()
    return words


def same_company(a: str, b: str) -> bool:
    """Loose name match for scoring: one name's words begin the other's.

    >>> same_company("Nana Regional", "NANA REGIONAL CORPORATION INC")
    True
    >>> same_company("Microsoft", "MICROSOFT CORPORATION SITZ IN REDMOND CORPORATION")
    True
    >>> same_company("Paragon Systems", "Paragon Solutions")
    False
    """
    x, y = _words(a), _words(b)
    if not x or not y:
        return False
    shorter, longer = (x, y) if len(x) <= len(y) else (y, x)
    return longer[: len(shorter)] == shorter


@dataclass
class ParentScores:
    """Precision and recall of parent assignment, with the counts and the misses."""

    gold_awards: int = 0
    matched_awards: int = 0
    gold_with_parent: int = 0
    predicted_with_parent: int = 0
    correct: int = 0
    recipients: tuple[int, int, int, int] = (0, 0, 0, 0)  # gold, predicted, correct, matched
    misses: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        """Share of awards given a parent where a given parent is the gold one."""
        return self.correct / self.predicted_with_parent if self.predicted_with_parent else 0.0

    @property
    def recall(self) -> float:
        """Share of awards with a gold parent where we name it."""
        return self.correct / self.gold_with_parent if self.gold_with_parent else 0.0


def _ancestors(graph: PropertyGraph, node: str) -> list[str]:
    names, seen, todo = [], {node}, [node]
    while todo:
        current = todo.pop()
        for _, parent, attrs in graph.out_edges(current, data=True):
            if attrs["type"] in ("SUBSIDIARY_OF", "PART_OF") and parent not in seen:
                seen.add(parent)
                todo.append(parent)
                names += [graph.nodes[parent]["name"], *graph.nodes[parent]["aliases"]]
    return names


def _recipients_by_piid(graph: PropertyGraph) -> dict[str, str]:
    found = {}
    for node, attrs in graph.nodes(data=True):
        if attrs["label"] == "Contract" and attrs.get("piid"):
            for _, recipient, edge in graph.out_edges(node, data=True):
                if edge["type"] == "AWARDED_TO":
                    found[attrs["piid"]] = recipient
    return found


def evaluate_parents(store: Store, gold_csv: Path) -> ParentScores:
    """Score the store's parent assignments against ``gold_csv`` (freezer.csv layout)."""
    graph = project(store)
    by_piid = _recipients_by_piid(graph)
    scores = ParentScores()
    per_recipient: dict[tuple[str, str], tuple[bool, bool, bool]] = {}
    with gold_csv.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            scores.gold_awards += 1
            recipient = by_piid.get(row["award_id"])
            if recipient is None:
                continue
            scores.matched_awards += 1
            gold, name = row["parent_name"], row["recipient_name"]
            has_gold = bool(gold) and _words(gold) != _words(name)
            # a "parent" that is the gold recipient itself under its legal name (ABM
            # INDUSTRIES INCORPORATED for ABM Industries) is no parent claim at all
            parents = [p for p in _ancestors(graph, recipient) if not same_company(name, p)]
            node = graph.nodes[recipient]
            itself = [node["name"], *node["aliases"]]  # resolved into the gold parent itself
            hit = has_gold and any(same_company(gold, p) for p in parents + itself)
            scores.gold_with_parent += has_gold
            scores.predicted_with_parent += bool(parents) or hit
            scores.correct += hit
            per_recipient[(name, gold)] = (has_gold, bool(parents) or hit, hit)
            if has_gold and not hit:
                line = f"{name} -> {gold} (we say: {', '.join(parents[:3]) or 'no parent'})"
                (scores.wrong if parents else scores.misses).append(line)
            elif parents and not has_gold:
                scores.wrong.append(f"{name} has no parent (we say: {', '.join(parents[:3])})")
    values = per_recipient.values()
    scores.recipients = (sum(g for g, _, _ in values), sum(p for _, p, _ in values),
                         sum(h for _, _, h in values), len(per_recipient))
    scores.misses = sorted(set(scores.misses))
    scores.wrong = sorted(set(scores.wrong))
    return scores
