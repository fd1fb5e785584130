"""Credit policy rules and tolerant matching of credit lines.

A rule says which exact credit line a rights holder requires (policy). :func:`match_credit`
(matching) looks for that line in a bare credit field or in a whole caption and says whether it
is there verbatim ("exact"), in another spelling of the same credit ("equivalent"), replaced by
a credit naming someone else ("conflicting"), or absent ("missing"), with a sentence the audit
can show as it is.

Spellings treated as the same credit (normalise): "©", "(c)", "Ⓒ", "Copyright", "Copr." and
their combinations ("Copyright ©"); any run of whitespace, NBSP included; case; a leading "The"
on the holder; a trailing full stop; "All rights reserved" at the end; a year or year range
("© 2024", "1998-2024") after the symbol or after a comma at the end, because a year dates the
notice but does not change who must be credited; "Courtesy of" and labels such as "Photo:",
which name the same holder in a different form. A line that is nothing but the holder's name
counts too. The required wording anywhere wins over other credits in the same text (segments
finds them); otherwise a spelling of it wins over a credit naming someone else. NFC throughout.

"Exact" is what a reader sees: the required wording standing as its own phrase. Not exact,
and named in the reason: a credit that runs on into more words after any space (thin,
ideographic, zero-width...), a dash, an apostrophe-s or a connector, or with a combining mark
on its last letter ("conflicting": it names someone else); one imitated with look-alike
letters (Cyrillic "Ve" for "B": "conflicting"; fullwidth or mathematical letters, another
form of the same letter: "equivalent"); one disguised by a bidi override ("conflicting") or
wrapped in an embedding or isolate ("equivalent") (spoofing).

This package re-exports what callers use, so ``credits.match_credit(...)`` reads as it did
when it was one module.
"""

from service.rules.credits.matching import CreditMatch, match_credit
from service.rules.credits.normalise import holder_of, normalise_credit
from service.rules.credits.policy import (
    MAX_FIELD_CHARS,
    PLACEMENTS,
    CreditRule,
    changed_holders,
    display_holder,
    find_rule,
    load_policy,
    normalise_holder,
    required_credit_line,
    rule_json,
    validate_rule,
)

__all__ = [
    "MAX_FIELD_CHARS",
    "PLACEMENTS",
    "CreditMatch",
    "CreditRule",
    "changed_holders",
    "display_holder",
    "find_rule",
    "holder_of",
    "load_policy",
    "match_credit",
    "normalise_credit",
    "normalise_holder",
    "required_credit_line",
    "rule_json",
    "validate_rule",
]
