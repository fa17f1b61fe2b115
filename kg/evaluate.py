"""Measure the article extractor against hand-made gold relations.

Matching follows ``shared/articles/README.md``: a prediction matches a gold
relation when the article, the type and both ends agree after entity
resolution. Ends agree when they resolve to the same registry entity or to a
parent and its subsidiary, or, for names the registry lacks, when the content
words of one name contain the other's. A prediction may match several gold
lines that say the same thing ("ICE" and "Immigration and Customs Enforcement").
"""

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import InputError
from kg.names import normalise
from kg.registry import Registry, load_registry
from loaders.extract import Relation, extract
from loaders.extract.text import read_document

RELATION_NAMES = {"MAKES": "DEVELOPS"}
_GENERIC = frozenset("the of department dept police pd agency office u s us".split())


@dataclass(frozen=True)
class Triple:
    """A relation as names: the set of names each end may go by."""

    article: str
    relation: str
    subject: tuple[str, ...]
    object: tuple[str, ...]
    evidence: str = ""
    rule: str = ""

    def describe(self) -> str:
        """One line for the misses / false-positive lists."""
        return f"{self.article}: {self.subject[0]} {self.relation} {self.object[0]}"


@dataclass
class Score:
    """Counts for one relation type."""

    predicted: int = 0
    correct_predictions: int = 0
    gold: int = 0
    found_gold: int = 0

    @property
    def precision(self) -> float:
        return self.correct_predictions / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.found_gold / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class EvalReport:
    """Scores per relation type and overall, with the errors listed."""

    scores: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    false_positives: list[Triple] = field(default_factory=list)
    misses: list[Triple] = field(default_factory=list)
    articles: int = 0

    @property
    def overall(self) -> Score:
        total = Score()
        for score in self.scores.values():
            total.predicted += score.predicted
            total.correct_predictions += score.correct_predictions
            total.gold += score.gold
            total.found_gold += score.found_gold
        return total


class NameMatcher:
    """Decides whether two names denote the same entity (or parent and subsidiary)."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    def _family(self, name: str) -> set[str]:
        entity = self.registry.lookup(name)
        if entity is None:
            return set()
        return {entity.iri, *self.registry.ancestors(entity.iri)}

    def same(self, first: str, second: str) -> bool:
        """True if the two names agree after resolution."""
        families = self._family(first), self._family(second)
        if families[0] and families[1]:
            a, b = (self.registry.lookup(n) for n in (first, second))
            assert a is not None and b is not None
            return a.iri in families[1] or b.iri in families[0]
        words = [set(normalise(n).split()) - _GENERIC for n in (first, second)]
        if not words[0] or not words[1]:
            return normalise(first) == normalise(second)
        return words[0] <= words[1] or words[1] <= words[0]

    def any_same(self, first: Iterable[str], second: Iterable[str]) -> bool:
        """True if some name of one end agrees with some name of the other."""
        return any(self.same(a, b) for a in first for b in second if a and b)


def read_gold(path: Path) -> list[Triple]:
    """Gold relations from a ``gold.jsonl`` (format of shared/articles/README.md)."""
    triples = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            triples.append(Triple(row["article"], row["relation"], (row["subject"],),
                                  tuple(n for n in (row["object"], row.get("product")) if n),
                                  row.get("evidence", "")))
        except (ValueError, KeyError) as error:
            raise InputError(f"{path}:{number}: not a gold relation ({error})") from error
    return triples


def predicted_triples(article: str, relations: list[Relation]) -> list[Triple]:
    """The extractor's relations as gold-comparable triples (ended deals also as ENDED)."""
    triples = []
    for rel in relations:
        objects = tuple(m.resolved.name for m in (rel.object, rel.product, rel.vendor) if m)
        subject = (rel.subject.resolved.name,)
        triples.append(Triple(article, RELATION_NAMES.get(rel.type, rel.type), subject, objects,
                              rule=rel.rule))
        if rel.status in ("ended", "paused"):
            agency = rel.object if rel.type in ("SELLS_TO", "PITCHED_TO") else rel.subject
            other = tuple(m.resolved.name for m in (rel.vendor, rel.product) if m)
            triples.append(Triple(article, "ENDED", (agency.resolved.name,), other, rule=rel.rule))
    unique = {(t.relation, t.subject[0], t.object[0]): t for t in reversed(triples)}
    return [t for t in triples if unique[(t.relation, t.subject[0], t.object[0])] is t]


def evaluate_articles(directory: Path, registry: Registry | None = None) -> EvalReport:
    """Extract every article named in ``directory/gold.jsonl`` and score it."""
    registry = registry or load_registry()
    gold_path = directory / "gold.jsonl"
    if not gold_path.is_file():
        raise InputError(f"{directory}: no gold.jsonl; see shared/articles/README.md")
    gold = read_gold(gold_path)
    matcher = NameMatcher(registry)
    report = EvalReport()
    for article in sorted({g.article for g in gold}):
        body = read_document(directory / article).body
        predicted = predicted_triples(article, extract(body, registry).relations)
        _score(report, matcher, [g for g in gold if g.article == article], predicted)
        report.articles += 1
    return report


def _score(report: EvalReport, matcher: NameMatcher, gold: list[Triple],
           predicted: list[Triple]) -> None:
    def agree(p: Triple, g: Triple) -> bool:
        return (p.relation == g.relation and matcher.any_same(p.subject, g.subject)
                and matcher.any_same(p.object, g.object))

    for g in gold:
        report.scores[g.relation].gold += 1
        if any(agree(p, g) for p in predicted):
            report.scores[g.relation].found_gold += 1
        else:
            report.misses.append(g)
    for p in predicted:
        report.scores[p.relation].predicted += 1
        if any(agree(p, g) for g in gold):
            report.scores[p.relation].correct_predictions += 1
        else:
            report.false_positives.append(p)
