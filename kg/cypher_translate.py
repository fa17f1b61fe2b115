"""Translate Neo4j Cypher to LadybugDB Cypher where the two differ, or refuse in one line.

Translated (same rows as Neo4j):

- ``labels(x)[0]`` -> ``label(x)`` (LadybugDB silently returns ``''``), ``labels(x)`` ->
  ``[label(x)]``, ``type(r)`` -> ``label(r)``, ``relationships(p)`` -> ``rels(p)``;
- list comprehensions ``[x IN list WHERE p | e]`` -> ``list_transform(list_filter(...))``;
- ``shortestPath((a)-[:T*..n]-(b))`` -> ``(a)-[:T* SHORTEST 1..n]-(b)`` and
  ``allShortestPaths`` -> ``* ALL SHORTEST``;
- ``list[i]`` -> ``list[(i) + 1]`` and ``substring(s, i, n)`` -> ``substring(s, (i) + 1, n)``
  (Neo4j counts from 0, LadybugDB from 1); ``x IN a + b`` -> ``x IN (a + b)``; ``ORDER BY`` an
  alias that shadows a node variable sorts by the alias's expression, as in Neo4j;
  ``toString``/``toInteger``/``toFloat``/``split`` -> LadybugDB's names (a bad number
  raises instead of returning null);
- variable-length ``[*a..b]`` -> ``[* TRAIL a..b]``: Neo4j counts trails (no relationship
  twice), LadybugDB walks unless told;
- the name test of the query library, ``toLower($p) IN [toLower(n.name)] + [a IN
  n.aliases | toLower(a)]``, -> ``toLower($p) IN n.`_kg_names```: the index stores that
  very list per node (``kg.embedded``), computed by the same functions, so the answer is
  the same; the list is not rebuilt for every node of every query (a scan of a million-edge
  graph's nodes took 100-170 ms with it, under 10 ms without).

Refused (no exact equivalent): ``CALL { }`` / ``CALL (x) { }`` subqueries, procedure
calls, list slices ``list[a..b]``. String literals and comments are never rewritten.
"""

import re
from functools import partial

from kg.errors import KgError

# LadybugDB's default upper bound of a variable-length pattern.
MAX_HOPS = 30
# The node column of the embedded index holding [toLower(name)] + lowered aliases.
NAMES_COLUMN = "_kg_names"
_NAME_TEST = re.compile(
    r"toLower\(\s*(\$\w+|\x00\d+\x00)\s*\)\s+IN\s+\[\s*toLower\(\s*([A-Za-z_]\w*)\.name\s*\)\s*\]"
    r"\s*\+\s*\[\s*([A-Za-z_]\w*)\s+IN\s+\2\.aliases\s*\|\s*toLower\(\s*\3\s*\)\s*\]", re.I)

_LITERAL_OR_COMMENT = re.compile(
    r"(//[^\n]*|/\*.*?\*/)|'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`", re.DOTALL)
_REFUSED = (
    (re.compile(r"\bCALL\s*(\([^()]*\))?\s*\{", re.I),
     "CALL { } subqueries; write the parts as separate queries or a top-level UNION, "
     "or run it on Neo4j (set NEO4J_URI)"),
    (re.compile(r"\bCALL\s+[A-Za-z_][\w.]*\s*\(", re.I),
     "procedure calls; run it on Neo4j (set NEO4J_URI)"),
    (re.compile(r"\[\s*\w+\s*=\s*\(", re.I),
     "named pattern comprehensions; MATCH the pattern and collect() instead"),
)
_COMPREHENSION = re.compile(r"\[\s*([A-Za-z_]\w*)\s+IN\s+", re.I)
_RANGE = re.compile(r"\*\s*(?!\s*(?:SHORTEST|ALL|TRAIL|ACYCLIC|WALK)\b)(\d*)\s*(\.\.)?\s*(\d*)",
                    re.I)


def translate(query: str) -> str:
    """The LadybugDB form of a Neo4j query; KgError names what cannot be translated.

    >>> translate("MATCH (a)-[r:SELLS_TO*..3]->(b) RETURN labels(a)[0], type(r)")
    'MATCH (a)-[r:SELLS_TO* TRAIL 1..3]->(b) RETURN label(a), label(r)'
    >>> translate("RETURN [x IN $l WHERE x > 1 | x * 2] AS y")
    'RETURN list_transform(list_filter($l, x -> x > 1), x -> x * 2) AS y'
    >>> translate("MATCH (v) WHERE toLower($n) IN [toLower(v.name)] + "
    ...           "[a IN v.aliases | toLower(a)] RETURN v")
    'MATCH (v) WHERE toLower($n) IN v.`_kg_names` RETURN v'
    >>> translate("MATCH (n) RETURN keys(n)")
    "MATCH (n) RETURN list_filter(keys(n), k -> k <> '_kg_names')"
    >>> translate("RETURN substring(n.name, 0, 3), toString(1)")
    'RETURN substring(n.name, (0) + 1, 3), cast(1 AS STRING)'
    """
    literals: list[str] = []

    def stash(match: re.Match[str]) -> str:
        if match.group(1):
            return " "
        literals.append(match.group(0))
        return f"\x00{len(literals) - 1}\x00"

    code = _LITERAL_OR_COMMENT.sub(stash, query)
    for pattern, what in _REFUSED:
        if pattern.search(code):
            raise KgError(f"embedded Cypher (LadybugDB) has no {what}")
    code = re.sub(r"\blabels\s*\(\s*([A-Za-z_]\w*)\s*\)\s*\[\s*0\s*\]", r"label(\1)", code,
                  flags=re.I)
    code = re.sub(r"\blabels\s*\(\s*([A-Za-z_]\w*)\s*\)", r"[label(\1)]", code, flags=re.I)
    code = re.sub(r"\bkeys\s*\(\s*([A-Za-z_]\w*)\s*\)",  # the name column is ours, not theirs
                  rf"list_filter(keys(\1), k -> k <> '{NAMES_COLUMN}')", code, flags=re.I)
    code = re.sub(r"(?<![\w.])type\s*\(", "label(", code, flags=re.I)
    code = re.sub(r"\brelationships\s*\(", "rels(", code, flags=re.I)
    code = _NAME_TEST.sub(lambda m: f"toLower({m.group(1)}) IN {m.group(2)}.`{NAMES_COLUMN}`",
                          code)
    code = _comprehensions(code)
    code = _shortest(code)
    code = _in_operands(code)
    code = _indexes(code)
    code = _order_by_aliases(code)
    code = _functions(code)
    code = re.sub(r"(?<=-)\[[^\[\]]*\]", _trail, code)
    return re.sub(r"\x00(\d+)\x00", lambda m: literals[int(m.group(1))], code)


def _closing(code: str, start: int) -> int:
    """Index of the bracket closing the one at ``start``."""
    depth = 0
    for index in range(start, len(code)):
        if code[index] in "([{":
            depth += 1
        elif code[index] in ")]}":
            depth -= 1
            if depth == 0:
                return index
    raise KgError("the query has an unbalanced bracket")


def _top_level(text: str, token: re.Pattern[str]) -> int:
    """Index of the first ``token`` outside brackets in ``text``, or -1."""
    depth = 0
    index = 0
    while index < len(text):
        char = text[index]
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif depth == 0:
            match = token.match(text, index)
            if match:
                return index
        index += 1
    return -1


_WHERE = re.compile(r"(?<![\w])WHERE\b", re.I)
_BAR = re.compile(r"\|")


def _comprehensions(code: str) -> str:
    """``[v IN list WHERE pred | expr]`` -> ``list_transform(list_filter(...))``, innermost too."""
    match = _COMPREHENSION.search(code)
    while match:
        start = match.start()
        end = _closing(code, start)
        var = match.group(1)
        body = _comprehensions(code[match.end():end])
        bar = _top_level(body, _BAR)
        body, expr = (body[:bar], body[bar + 1:].strip()) if bar >= 0 else (body, None)
        where = _top_level(body, _WHERE)
        body, pred = ((body[:where], body[where + 5:].strip()) if where >= 0 else (body, None))
        result = body.strip()
        if pred:
            result = f"list_filter({result}, {var} -> {pred})"
        if expr:
            result = f"list_transform({result}, {var} -> {expr})"
        code = code[:start] + result + code[end + 1:]
        match = _COMPREHENSION.search(code, start + len(result))
    return code


_STOP = re.compile(r"(?<![\w.$])(AND|OR|XOR|WHERE|RETURN|WITH|ORDER|MATCH|OPTIONAL|UNWIND|"
                   r"LIMIT|SKIP|AS|THEN|ELSE|END|WHEN|UNION)\b|,", re.I)
_IN = re.compile(r"(?<![\w.$])IN\s+", re.I)
_PLUS = re.compile(r"\+")


def _in_operands(code: str) -> str:
    """``x IN a + b`` -> ``x IN (a + b)``: LadybugDB binds IN tighter than ``+``."""
    out: list[str] = []
    position = 0
    for match in _IN.finditer(code):
        if match.start() < position:
            continue
        start = match.end()
        depth, index = 0, start
        while index < len(code):
            char = code[index]
            if char in "([{":
                depth += 1
            elif char in ")]}":
                depth -= 1
                if depth < 0:
                    break
            elif depth == 0 and _STOP.match(code, index) and (
                    code[index] == "," or index == 0 or not code[index - 1].isalnum()):
                break
            index += 1
        operand = code[start:index]
        if _top_level(operand, _PLUS) >= 0:
            out.append(code[position:start] + "(" + operand.rstrip() + ") ")
            position = index
    out.append(code[position:])
    return "".join(out)


_RETURN_ORDER = re.compile(r"\b(RETURN|WITH)\s+(DISTINCT\s+)?(.*?)\bORDER\s+BY\s+(.*?)"
                           r"(?=\bSKIP\b|\bLIMIT\b|\bUNION\b|\bWHERE\b|\bMATCH\b|"
                           r"\bUNWIND\b|\bWITH\b|\bRETURN\b|$)", re.I | re.DOTALL)
_COMMA = re.compile(",")
_ITEM = re.compile(r"(.*?)\s+AS\s+([A-Za-z_]\w*)\s*$", re.I | re.DOTALL)
_SORT_KEY = re.compile(r"\s*([A-Za-z_]\w*)(\s+(?:ASC|DESC|ASCENDING|DESCENDING))?\s*$", re.I)


def _split(text: str) -> list[str]:
    parts: list[str] = []
    while (index := _top_level(text, _COMMA)) >= 0:
        parts.append(text[:index])
        text = text[index + 1:]
    return [*parts, text]


def _order_by_aliases(code: str) -> str:
    """``RETURN x.name AS x ORDER BY x``: Neo4j sorts by the alias, LadybugDB by the node x."""
    def rewrite(match: re.Match[str]) -> str:
        aliases: dict[str, str] = {}
        for item in _split(match.group(3)):
            named = _ITEM.match(item.strip())
            if named and named.group(2) != named.group(1).strip():
                aliases[named.group(2)] = named.group(1).strip()
        keys: list[str] = []
        for key in _split(match.group(4)):
            sort = _SORT_KEY.match(key)
            name = sort.group(1) if sort else ""
            if sort and name in aliases and re.search(rf"[(\[]\s*{name}\b\s*[:)\]{{]", code):
                keys.append(f"{aliases[name]}{sort.group(2) or ''}")
            else:
                keys.append(key.strip())
        head = match.group(0)[:match.start(4) - match.start(0)]
        return head + ", ".join(keys) + " "

    return _RETURN_ORDER.sub(rewrite, code)


_INDEX = re.compile(r"(?<=[\w)\]])\[")
_KEYWORD_BEFORE = re.compile(r"(?<![\w.$])(RETURN|WITH|IN|AND|OR|XOR|NOT|WHEN|THEN|ELSE|UNWIND|BY|"
                             r"WHERE|DISTINCT|CONTAINS|WITH)$", re.I)
_DOTS = re.compile(r"\.\.")


def _indexes(code: str) -> str:
    """``list[i]`` -> ``list[(i) + 1]``: Neo4j counts from 0, LadybugDB from 1."""
    match = _INDEX.search(code)
    while match:
        open_at = match.end() - 1
        close_at = _closing(code, open_at)
        inner = code[open_at + 1:close_at]
        if _KEYWORD_BEFORE.search(code, 0, open_at):
            match = _INDEX.search(code, open_at + 1)
            continue
        if _top_level(inner, _DOTS) >= 0:
            raise KgError("embedded Cypher (LadybugDB) has no Neo4j list slices list[a..b]; "
                          "use list_slice or run it on Neo4j (set NEO4J_URI)")
        if not re.fullmatch(r"\s*-\s*\d+\s*", inner):  # negative: from the end in both
            replacement = f"[({_indexes(inner).strip()}) + 1]"
            code = code[:open_at] + replacement + code[close_at + 1:]
            close_at = open_at + len(replacement) - 1
        match = _INDEX.search(code, close_at + 1)
    return code


_RENAMED = {"tointeger": "to_int64", "tofloat": "to_double", "split": "string_split"}


def _rewrite_call(name: str, args: list[str]) -> str:
    if name == "substring":  # Neo4j counts from 0, LadybugDB from 1
        text, start = args[0].strip(), args[1].strip()
        length = args[2].strip() if len(args) > 2 else f"size({text})"
        return f"substring({text}, ({start}) + 1, {length})"
    if name == "tostring":
        return f"cast({args[0].strip()} AS STRING)"
    return f"{_RENAMED[name]}({', '.join(a.strip() for a in args)})"


def _functions(code: str) -> str:
    """Neo4j functions LadybugDB names or counts differently: ``substring`` (0-based),
    ``toString``, ``toInteger``, ``toFloat``, ``split``."""
    call = re.compile(r"(?<![\w.$])(substring|tostring|tointeger|tofloat|split)\s*\(", re.I)
    match = call.search(code)
    while match:
        open_at = match.end() - 1
        close_at = _closing(code, open_at)
        args = _split(_functions(code[open_at + 1:close_at]))
        replacement = _rewrite_call(match.group(1).lower(), args)
        code = code[:match.start()] + replacement + code[close_at + 1:]
        match = call.search(code, match.start() + len(replacement))
    return code


def _shortest(code: str) -> str:
    """``shortestPath(pattern)`` -> the pattern with ``* SHORTEST lo..hi``."""
    shortest = re.compile(r"\b(all)?shortestPath\s*\(", re.I)
    match = shortest.search(code)
    while match:
        open_at = match.end() - 1
        close_at = _closing(code, open_at)
        inner = code[open_at + 1:close_at]
        mode = "ALL SHORTEST" if match.group(1) else "SHORTEST"
        rewritten, count = re.subn(r"(?<=-)\[[^\[\]]*\]", partial(_hops_match, mode=mode),
                                   inner)
        if count != 1 or "*" not in inner:
            raise KgError("embedded Cypher (LadybugDB) needs shortestPath over one "
                          "variable-length relationship, like (a)-[:T*..8]-(b)")
        code = code[:match.start()] + rewritten.strip() + code[close_at + 1:]
        match = shortest.search(code, match.start() + len(rewritten))
    return code


def _hops_match(match: re.Match[str], mode: str) -> str:
    return _hops(match.group(0), mode, 1)


def _hops(bracket: str, mode: str, default_low: int) -> str:
    def bounds(match: re.Match[str]) -> str:
        low, dots, high = match.group(1), match.group(2), match.group(3)
        if not dots:  # `*` or `*n`
            low_n = int(low) if low else default_low
            high_n = int(low) if low else MAX_HOPS
        else:
            low_n = int(low) if low else default_low
            high_n = int(high) if high else MAX_HOPS
        return f"* {mode} {low_n}..{high_n}"

    return _RANGE.sub(bounds, bracket, count=1)


def _trail(match: re.Match[str]) -> str:
    bracket = match.group(0)
    if "*" not in bracket or re.search(r"\*\s*(SHORTEST|ALL|TRAIL|ACYCLIC|WALK)\b", bracket,
                                       re.I):
        return bracket
    return _hops(bracket, "TRAIL", 1)
