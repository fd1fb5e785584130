"""Credit lines: tolerant matching that explains itself, and the credit policy rules."""

from __future__ import annotations

import json
import pathlib
import unicodedata

import pytest

from service.rules import credits
from service.rules.credits import (
    CreditRule,
    find_rule,
    holder_of,
    load_policy,
    match_credit,
    normalise_credit,
    validate_rule,
)

BM = "© Trustees of the British Museum"
SEED = pathlib.Path(__file__).resolve().parents[2] / "service" / "data" / "credit-policy.json"
NBSP = "\u00a0"

CAPTION = "Somali wedding basket, ITP Room 3 project by Sahara Dahir."

# Whole texts that are another spelling of the required credit, reported verbatim as found.
EQUIVALENT_FIELDS = [
    "© The Trustees of the British Museum",
    "(c) Trustees of the British Museum",
    "(C) the trustees of the british museum.",
    "Copyright Trustees of the British Museum",
    "copyright the trustees of the british museum",
    "Copyright © The Trustees of the British Museum",
    "Copr. Trustees of the British Museum",
    "©Trustees of the British Museum",
    "©  Trustees  of the British Museum",
    f"©{NBSP}Trustees of the British Museum",
    "© Trustees of the British\tMuseum",
    "Ⓒ Trustees of the British Museum",
    "© TRUSTEES OF THE BRITISH MUSEUM",
    "© 2024 The Trustees of the British Museum.",
    "© 1998-2024 Trustees of the British Museum",
    "© The Trustees of the British Museum, 2019",
    "Courtesy of the Trustees of the British Museum",
    "Photo: © The Trustees of the British Museum",
    "The Trustees of the British Museum",
]

# Whole texts that are a credit naming another holder, reported verbatim as found.
CONFLICTING_FIELDS = [
    "© CSMVS Mumbai",
    "Courtesy of the Egyptian Museum, Cairo",
    "Photo: Jane Doe",
    "Copyright British Museum",
    "© Trustees of the British Museum of Natural History",
    "© Trustees of the British Museum & CSMVS Mumbai",
]

# (text, outcome, verbatim slice reported as found)
SPELLINGS: list[tuple[str | None, str, str | None]] = [
    # exact: the required wording itself, bare or inside a caption
    (BM, "exact", BM),
    (f"  {BM}  ", "exact", BM),
    (f"{BM}.", "exact", BM),
    (f"{BM}. All rights reserved.", "exact", BM),
    (f"{CAPTION}\n\n{BM}\n\n#MuseumWeek #BritishMuseum", "exact", BM),
    (f"What could go inside this basket? {BM} #MuseumWeek", "exact", BM),
    (unicodedata.normalize("NFD", f"Objet présenté à l'exposition.\n{BM}"), "exact", BM),
    (f"Photo: Jane Doe\n{BM}\n© CSMVS Mumbai", "exact", BM),
    # equivalent: another spelling of the same credit, alone or inside a caption
    *[(text, "equivalent", text) for text in EQUIVALENT_FIELDS],
    (
        f"{CAPTION}\n(c) The Trustees of the British Museum\n#MuseumWeek #ITP",
        "equivalent",
        "(c) The Trustees of the British Museum",
    ),
    (
        f"{CAPTION} © The Trustees of the British Museum #MuseumWeek",
        "equivalent",
        "© The Trustees of the British Museum",
    ),
    (
        "© The Trustees of the British Museum. Shared under a Creative Commons "
        "Attribution-NonCommercial-ShareAlike 4.0 International (CC BY-NC-SA 4.0) licence",
        "equivalent",
        "© The Trustees of the British Museum.",
    ),
    (
        "A basket (© The Trustees of the British Museum) from Somalia.",
        "equivalent",
        "© The Trustees of the British Museum",
    ),
    (
        "Basket | Courtesy of the Trustees of the British Museum | #MuseumWeek",
        "equivalent",
        "Courtesy of the Trustees of the British Museum",
    ),
    # conflicting: a credit-like statement naming someone else
    *[(text, "conflicting", text) for text in CONFLICTING_FIELDS],
    ("© CSMVS Mumbai. Shared with thanks.", "conflicting", "© CSMVS Mumbai"),
    (f"{CAPTION}\n(c) 2015 Sahara Dahir\n#MuseumWeek", "conflicting", "(c) 2015 Sahara Dahir"),
    # missing: nothing credit-like
    (None, "missing", None),
    ("", "missing", None),
    ("   \n ", "missing", None),
    (f"{CAPTION} #MuseumWeek #BritishMuseum", "missing", None),
    ("This week we discussed copyright in museum photography.", "missing", None),
    ("Copyright is complicated for museums.", "missing", None),
    ("Copyright Week starts on Monday!", "missing", None),
    ("Thanks to the Trustees of the British Museum for the loan.", "missing", None),
    ("Join our talk on #copyright and images", "missing", None),
    ("Refreshments by courtesy of our volunteers.", "missing", None),
    ("Options (a), (b) and (c) are open", "missing", None),
    ("©", "missing", None),
    ("© 2024", "missing", None),
]


@pytest.mark.parametrize(("text", "outcome", "found"), SPELLINGS)
def test_each_spelling_of_the_british_museum_credit_gets_its_outcome_and_verbatim_slice(
    text: str | None, outcome: str, found: str | None
) -> None:
    result = match_credit(BM, text)
    assert (result.outcome, result.found) == (outcome, found)
    assert result.required == BM


def test_the_table_covers_at_least_thirty_spellings_of_every_outcome() -> None:
    outcomes = [outcome for _, outcome, _ in SPELLINGS]
    assert len(SPELLINGS) >= 30
    assert {"exact", "equivalent", "conflicting", "missing"} <= set(outcomes)


def test_a_differing_credit_is_explained_with_both_wordings() -> None:
    result = match_credit(BM, "(c) The Trustees of the British Museum")
    assert result.reason == (
        'Credit line differs from the required wording: found "(c) The Trustees of the '
        'British Museum", required "© Trustees of the British Museum".'
    )


def test_a_conflicting_credit_names_the_other_holder_in_its_reason() -> None:
    assert "© CSMVS Mumbai" in match_credit(BM, "© CSMVS Mumbai").reason
    assert "different holder" in match_credit(BM, "© CSMVS Mumbai").reason


def test_a_missing_credit_says_which_wording_is_required() -> None:
    assert BM in match_credit(BM, None).reason
    assert BM in match_credit(BM, "Just a basket.").reason


def test_decomposed_accents_match_the_composed_required_wording_exactly() -> None:
    required = "© Musée Égyptien, Le Caire"
    result = match_credit(required, unicodedata.normalize("NFD", f"Un scarabée.\n{required}"))
    assert (result.outcome, result.found) == ("exact", required)


def test_a_decomposed_required_wording_is_compared_in_nfc() -> None:
    required = unicodedata.normalize("NFD", "© Musée Égyptien")
    result = match_credit(required, "© Musée Égyptien")
    assert result.outcome == "exact"
    assert result.required == unicodedata.normalize("NFC", required)


def test_an_equivalent_credit_is_found_when_the_required_wording_has_a_courtesy_form() -> None:
    result = match_credit("Courtesy of the Egyptian Museum, Cairo", "© The Egyptian Museum, Cairo")
    assert (result.outcome, result.found) == ("equivalent", "© The Egyptian Museum, Cairo")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("© Trustees of the British Museum", "© trustees of the british museum"),
        ("(C) 2024 the Trustees of the  British Museum.", "© trustees of the british museum"),
        (
            "Copyright © 1998–2024 The Trustees of the British Museum",
            "© trustees of the british museum",
        ),
        (
            "©Trustees of the British Museum, 2019. All rights reserved.",
            "© trustees of the british museum",
        ),
        ("Courtesy of the Egyptian Museum", "courtesy of the egyptian museum"),
    ],
)
def test_spellings_of_one_credit_share_a_normalised_key(text: str, key: str) -> None:
    assert normalise_credit(text) == key


def test_the_holder_of_a_credit_drops_symbol_year_article_and_full_stop() -> None:
    assert (
        holder_of("© 2024 The Trustees of the British Museum.") == "trustees of the british museum"
    )
    assert holder_of("Courtesy of the Egyptian Museum, Cairo") == "egyptian museum, cairo"
    assert holder_of("Photo: © CSMVS Mumbai") == "csmvs mumbai"


def test_the_seed_policy_loads_three_documented_example_rules() -> None:
    rules = load_policy(SEED)
    assert len(rules) == 3
    assert rules[0] == CreditRule("Trustees of the British Museum", BM, burn_in=False)
    assert "replaces" in json.loads(SEED.read_text(encoding="utf-8"))["description"]


@pytest.mark.parametrize(
    ("holder", "expected"),
    [
        ("Trustees of the British Museum", "Trustees of the British Museum"),
        ("The Trustees of the British Museum.", "Trustees of the British Museum"),
        ("  trustees  of THE british museum ", "Trustees of the British Museum"),
        ("Egyptian Museum, Cairo", "The Egyptian Museum, Cairo"),
        (unicodedata.normalize("NFD", "the egyptian museum, cairo"), "The Egyptian Museum, Cairo"),
        (
            "Chhatrapati Shivaji Maharaj Vastu Sangrahalaya (CSMVS), Mumbai",
            "Chhatrapati Shivaji Maharaj Vastu Sangrahalaya (CSMVS), Mumbai",
        ),
    ],
)
def test_a_rule_is_found_for_spellings_of_its_holder(holder: str, expected: str) -> None:
    rule = find_rule(load_policy(SEED), holder)
    assert rule is not None
    assert rule.holder == expected


@pytest.mark.parametrize("holder", [None, "", "   ", "British Museum", "Musée du Louvre"])
def test_no_rule_is_found_for_an_unknown_or_empty_holder(holder: str | None) -> None:
    assert find_rule(load_policy(SEED), holder) is None


def test_a_valid_rule_is_built_with_defaults_and_tidy_text() -> None:
    rule = validate_rule({"holder": "  Museum X ", "credit_line": "© Museum X"})
    assert rule == CreditRule("Museum X", "© Museum X", burn_in=False, placement="bottom-right")


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"credit_line": "© X"}, "holder"),
        ({"holder": "", "credit_line": "© X"}, "holder"),
        ({"holder": "   ", "credit_line": "© X"}, "holder"),
        ({"holder": 7, "credit_line": "© X"}, "holder"),
        ({"holder": "X" * 301, "credit_line": "© X"}, "holder"),
        ({"holder": "X"}, "credit_line"),
        ({"holder": "X", "credit_line": "© X\n© Y"}, "credit_line"),
        ({"holder": "X", "credit_line": "© X" * 101}, "credit_line"),
        ({"holder": "X", "credit_line": "© X", "burn_in": "false"}, "burn_in"),
        ({"holder": "X", "credit_line": "© X", "burn_in": 1}, "burn_in"),
        ({"holder": "X", "credit_line": "© X", "placement": "top-left"}, "placement"),
        ({"holder": "X", "credit_line": "© X", "burnin": True}, "burnin"),
    ],
)
def test_an_invalid_rule_is_refused_naming_the_field(raw: dict[str, object], field: str) -> None:
    with pytest.raises(ValueError, match=rf"^{field}: "):
        validate_rule(raw)


def test_a_policy_file_that_is_not_json_is_refused_clearly(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "policy.json"
    path.write_text("{rules: ", encoding="utf-8")
    with pytest.raises(ValueError, match="not valid JSON"):
        load_policy(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ([], 'expected an object with a "rules" list'),
        ({"rules": {}}, 'expected an object with a "rules" list'),
        ({"rules": ["© X"]}, "rule 1: must be an object"),
        (
            {"rules": [{"holder": "X", "credit_line": "© X"}, {"holder": "Y"}]},
            "rule 2: credit_line: ",
        ),
        (
            {
                "rules": [
                    {"holder": "The Museum", "credit_line": "© A"},
                    {"holder": "museum.", "credit_line": "© B"},
                ]
            },
            "rule 2: holder 'museum.' repeats 'The Museum'",
        ),
    ],
)
def test_an_invalid_policy_file_is_refused_naming_the_rule(
    tmp_path: pathlib.Path, content: object, message: str
) -> None:
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        load_policy(path)


def test_comment_keys_in_a_policy_file_are_ignored(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "policy.json"
    rules = [{"_comment": "ours", "holder": "X", "credit_line": "© X", "placement": "band"}]
    path.write_text(json.dumps({"description": "d", "rules": rules}), encoding="utf-8")
    assert load_policy(path) == [CreditRule("X", "© X", placement="band")]


@pytest.mark.parametrize(
    ("credit", "holder"),
    [
        ("© Trustees of the British Museum", "Trustees of the British Museum"),
        (
            "(c) 2024 The Trustees of the British Museum. All rights reserved.",
            "Trustees of the British Museum",
        ),
        ("Copyright © 1998-2024 CSMVS, Mumbai", "CSMVS, Mumbai"),
        ("", ""),
    ],
)
def test_display_holder_keeps_the_holders_own_spelling_without_symbol_year_or_the(
    credit: str, holder: str
) -> None:
    assert credits.display_holder(credit) == holder
