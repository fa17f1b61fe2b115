"""Word lists the extraction rules are built from: heads, descriptors, triggers, hedges.

Kept as data in one place so a rule's reason can name the word that fired it,
and so the lists can grow without touching the rules.
"""

import re

AGENCY_HEADS = frozenset("""
department dept office police sheriff patrol bureau agency administration service services
supervisors commissioners legislature district districts
commission authority board council court attorney marshals marshal guard command directorate
division unit pd ministry inspectorate corps constabulary troopers prosecutor
""".split())
VENDOR_HEADS = frozenset("""
technologies solutions systems labs analytics software robotics networks
inc llc corp corporation company co ltd limited group holdings industries enterprise enterprises
ai dynamics innovations forensics aerospace partners capital ventures
""".split())
ORG_HEADS = frozenset("""
union foundation institute coalition project alliance center centre law watch fund committee
campaign initiative society association caucus trust network clinic league coalition
""".split())
VENDOR_DESCRIPTORS = frozenset("""
company firm startup start-up maker vendor contractor provider developer broker brokers giant
manufacturer supplier reseller subsidiary spyware retailer corporation conglomerate
""".split())
ORG_DESCRIPTORS = frozenset("""
nonprofit non-profit group organization organisation watchdog coalition advocates advocacy
union charity
""".split())

# Definite references and the kind of entity each refers back to.
REFERENCES = {
    "vendor": "company firm startup start-up vendor maker contractor provider developer "
              "retailer giant broker manufacturer supplier",
    "agency": "agency department bureau office city county police force sheriff's district",
    "product": "software tool technology system product platform app application service "
               "program programme database devices cameras camera towers tower",
}
REFERENCE_RE = re.compile(
    r"\b[Tt]he\s+(?:(?:e-?commerce|tech|technology|online|retail|software|federal|city|"
    r"police|surveillance|data|facial recognition|face recognition|[a-z]+-[a-z]+)\s+)?("
    + "|".join(sorted({w for words in REFERENCES.values() for w in words.split()}, key=len,
                      reverse=True))
    + r")\b"
)
KIND_OF_REFERENCE = {word: kind for kind, words in REFERENCES.items() for word in words.split()}
PRONOUN_RE = re.compile(r"\b([Ii]ts?)\b")

# Trigger words, by relation. Regexes over the sentence text (case-insensitive).
TRIGGERS = {
    "sell": r"sold|sells?|selling|sale|sales|contracts?|contracted|contracting|awarded|awards?|"
            r"licen[cs]es?(?!\s+plate)|licen[cs]ed|licen[cs]ing|subscriptions?|subscribed?|purchased?|"
            r"purchases|purchasing|bought|buys?|buying|paid|pays|paying|renewed|renewals?|"
            r"extended|extensions?|extend|signed|supplies|supplied|provides|provided|deals?|"
            r"agreements?|procured?|acquired access|partnerships?|partnered|partners with|"
            r"customers?|clients?|hired|hires|retained|tapped|enlisted|contracts? with",
    "pitch": r"pitch(?:ed|es|ing)?|propos(?:ed|es|ing|al|als)|offer(?:ed|ing|s)?|"
             r"market(?:ed|ing|s)|demo(?:ed|s|nstrated|nstration|nstrations)?|courted|"
             r"courting|presentations?|approached|sales pitch",
    "pilot": r"pilot(?:ed|ing|s)?|trials?|trialed|trialled|test(?:ed|ing|s)?|evaluat(?:e|ed|es|"
             r"ing|ion)|trying out|tried out|try out",
    "use": r"uses?|used|using|deploy(?:s|ed|ing|ment)?|relies on|relied on|rely on|employs?|"
           r"employed|utili[sz](?:es|ed|ing|e)|has access to|had access to|have access to|"
           r"access to|operates?|operated(?!\s+by)|installed|installs|rolled out|adopted|"
           r"implemented|relies on|relying on",
    "make": r"develop(?:s|ed|er of)|makes|made by|maker of|creator of|created|builds|built|"
            r"manufactur(?:es|ed|er of)|designed|developed by",
    "criticize": r"critici[sz](?:e|ed|es|ing)|oppos(?:e|ed|es|ing)|sued|sues|suing|lawsuit|"
                 r"denounc(?:e|ed|es|ing)|condemn(?:ed|s|ing)?|protest(?:ed|s|ing)?|"
                 r"urg(?:e|ed|es|ing)|demand(?:ed|s|ing)?|raised concerns|questioned|"
                 r"organi[sz]ed|filed|call(?:s|ed|ing)? on|pressur(?:e|ed|ing)|slammed|blasted|"
                 r"petition(?:ed)?|campaign(?:ed|ing)? against|objected|challenged|"
                 r"criticism from|opposition from|backlash from|complaints? from",
    "end": r"ended|ends|end|ending|cancell?(?:ed|ing|s)?|cancell?ation|terminat(?:ed|es|e|ing|"
           r"ion)|stopped|stop|halted|halt|dropped|drop|scrapped|discontinu(?:ed|es|e)|"
           r"let\s+(?:\S+\s+){0,10}?expire|expired|lapsed|not renew|pulled the plug|paused|pause|"
           r"suspend(?:ed|s)?|banned|bans?|moratorium|no longer|abandoned|shut down|"
           r"cut ties|severed",
    "fund": r"grants?|funded|funds|funding|financed",
    "resume": r"resum(?:e|ed|es|ing)|reinstat(?:e|ed|es|ing)|restart(?:ed|s|ing)?|"
              r"reactivat(?:e|ed|es|ing)|revived?|reviving|brought back|bring back",
    "subsidiary": r"subsidiary of|owned by|acquired by|a unit of|a division of|"
                  r"parent company|acquired|acquisition of|(?<=-)owned",
}
# One pass over the lowercased sentence (same offsets; faster than IGNORECASE and than
# one regex per kind). Multi-word kinds come first so "owned by" beats "owned".
_TRIGGER_ORDER = ("subsidiary", "make", "criticize", "fund", "resume", "end", "pitch",
                  "pilot", "use", "sell")
TRIGGER_RE = re.compile("|".join(rf"(?P<{kind}>\b(?:{TRIGGERS[kind]})\b)"
                                 for kind in _TRIGGER_ORDER))

# Words before a trigger that deny it (checked in a short window before the trigger).
NEGATION_RE = re.compile(
    r"\b(?:not|n't|never|no|den(?:y|ied|ies)|declined to|refused to|without|nor|"
    r"rejected|unclear whether|whether|if)\b|n['’]t\b",
    re.IGNORECASE,
)
HEDGE_RE = re.compile(
    r"\b(?:declined to (?:confirm|say|comment|disclose)|would not (?:say|confirm|disclose)|"
    r"could not (?:confirm|verify)|did not (?:confirm|say)|unclear (?:whether|if)|"
    r"not clear (?:whether|if)|refused to (?:say|confirm)|tabled|voted down|shelved|"
    r"rejected|postponed|considering|considered|(?-i:may)|might|could|plans? to|planning to|"
    r"hopes? to|seeks? to|sought to|attempt(?:s|ed)? to|would like to|wants? to|asked to|if)\b",
    re.IGNORECASE,
)
PROPOSAL_RE = re.compile(r"\b(?:propos(?:ed|al|als|es)|plans? to)\b", re.IGNORECASE)
PAUSE_RE = re.compile(r"\b(?:paused|pause|suspend(?:ed|s)?|moratorium)\b", re.IGNORECASE)
