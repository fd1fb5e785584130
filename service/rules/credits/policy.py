"""The credit policy: which credit line each rights holder requires, read and checked."""

from __future__ import annotations

import json
import pathlib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from service.rules.credits.normalise import _SYMBOL, _YEARS, holder_of
from service.rules.text import clean_text, direction_control_problem

PLACEMENTS = frozenset({"bottom-left", "bottom-right", "band"})
MAX_FIELD_CHARS = 300


@dataclass(frozen=True)
class CreditRule:
    """The credit line one rights holder requires, and whether and where it is burned in."""

    holder: str
    credit_line: str
    burn_in: bool = False
    placement: str = "bottom-right"


_RULE_FIELDS = ("holder", "credit_line", "burn_in", "placement")


def _text_field(raw: Mapping[str, Any], name: str, *, stored: bool) -> str:
    value = raw.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name}: must be a non-empty string")
    value = value.strip()  # kept as written (not NFC): matching normalises
    if len(value) > MAX_FIELD_CHARS:
        raise ValueError(f"{name}: must be at most {MAX_FIELD_CHARS} characters")
    if any(unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp") for ch in value) or (
        clean_text(value) != value
    ):
        raise ValueError(f"{name}: must be a single line without control characters")
    problem = None if stored else direction_control_problem(value)
    if problem:
        raise ValueError(f"{name}: {problem}")
    return value


def validate_rule(raw: Mapping[str, Any], *, stored: bool = False) -> CreditRule:
    """Build a rule from untrusted input (admin API, seed file); ValueError names the bad field.

    ``stored`` reads a rule saved before direction controls were refused, rather than
    refusing the whole policy; matching still reports such a credit line as not exact.
    """
    # Keys starting with "_" are comments in the seed file; any other unknown key is a typo
    # ("burnin") that would otherwise be dropped silently.
    unknown = sorted(k for k in raw if not k.startswith("_") and k not in _RULE_FIELDS)
    if unknown:
        raise ValueError(f"{unknown[0]}: unknown field (expected one of {', '.join(_RULE_FIELDS)})")
    holder = _text_field(raw, "holder", stored=stored)
    credit_line = _text_field(raw, "credit_line", stored=stored)
    burn_in = raw.get("burn_in", False)
    if not isinstance(burn_in, bool):  # 0/1 or "false" would be ambiguous
        raise ValueError("burn_in: must be true or false")
    placement = raw.get("placement", "bottom-right")
    if not isinstance(placement, str) or placement not in PLACEMENTS:
        raise ValueError(f"placement: must be one of {', '.join(sorted(PLACEMENTS))}")
    return CreditRule(holder, credit_line, burn_in, placement)


def load_policy(path: pathlib.Path) -> list[CreditRule]:
    """Read and validate a credit policy file: {"description": ..., "rules": [rule, ...]}."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not valid JSON ({exc})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise ValueError(f'{path}: expected an object with a "rules" list')
    rules: list[CreditRule] = []
    seen: dict[str, str] = {}
    for index, raw in enumerate(data["rules"], start=1):
        if not isinstance(raw, dict):
            raise ValueError(f"{path}: rule {index}: must be an object")
        try:
            rule = validate_rule(raw)
        except ValueError as exc:
            raise ValueError(f"{path}: rule {index}: {exc}") from exc
        key = holder_of(rule.holder)
        if key in seen:  # find_rule would never reach the second one
            raise ValueError(f"{path}: rule {index}: holder {rule.holder!r} repeats {seen[key]!r}")
        seen[key] = rule.holder
        rules.append(rule)
    return rules


def rule_json(rule: CreditRule) -> dict[str, Any]:
    """A rule as stored and shown: the four fields, nothing else."""
    return {
        "holder": rule.holder,
        "credit_line": rule.credit_line,
        "burn_in": rule.burn_in,
        "placement": rule.placement,
    }


def display_holder(credit: str) -> str:
    """The holder a credit names, in its own spelling: "© 2024 The Trustees." -> "Trustees".

    Used to propose a holder from an embedded copyright notice; ``holder_of`` gives the
    comparison key instead.
    """
    text = " ".join(unicodedata.normalize("NFC", credit).split())
    previous = None
    while text != previous:
        previous = text
        text = re.sub(rf"^(?:{_SYMBOL}\s*)+", "", text, flags=re.IGNORECASE)
        text = re.sub(rf"^{_YEARS}\b,?\s*", "", text)
        text = re.sub(r"(?:[.,;]?\s*all rights reserved)\W*$", "", text, flags=re.IGNORECASE)
    text = re.sub(r"^the\s+", "", text, flags=re.IGNORECASE)
    return text.strip(" .,;:")


def normalise_holder(holder: str) -> str:
    """The key under which two spellings of a holder's name are the same holder."""
    return holder_of(holder)


def find_rule(rules: Sequence[CreditRule], holder: str | None) -> CreditRule | None:
    """Return the rule for a holder, matching names as credits are matched (case, "The", ...)."""
    if holder is None or not holder.strip():
        return None
    key = holder_of(holder)
    return next((rule for rule in rules if holder_of(rule.holder) == key), None)


def required_credit_line(rule: CreditRule | None, recorded: str) -> str:
    """The credit line an asset must carry: the policy's wording for its holder when the
    policy has a rule for it, else the credit line recorded with the asset's rights."""
    return rule.credit_line if rule else recorded


def changed_holders(before: Sequence[CreditRule], after: Sequence[CreditRule]) -> set[str]:
    """The holders (comparison keys) whose rule a policy change added, removed or altered."""

    def requirements(rules: Sequence[CreditRule]) -> dict[str, tuple[str, bool, str]]:
        return {holder_of(r.holder): (r.credit_line, r.burn_in, r.placement) for r in rules}

    old, new = requirements(before), requirements(after)
    return {holder for holder in old.keys() | new.keys() if old.get(holder) != new.get(holder)}
