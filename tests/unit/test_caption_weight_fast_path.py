"""X's weight of text without a code point past U+10FF is its length, as cluster by cluster."""

from __future__ import annotations

import random

from service.rules.captions import counting

ALPHABETS = (
    "abcXYZ 019,.!?#@\n\t",
    "àéîõüçßÆØÅ",  # Latin-1 and Extended-A
    "ΑλφαβητοКириллицаשלוםمرحبا",  # Greek, Cyrillic, Hebrew, Arabic
    "\u0301\u0308\u200d",  # combining marks and a zero-width joiner
    "©®",  # emoji bases that, bare, count by code point
    "日本語한국어",  # weight 2 each, past the fast path
    "🏛️👩🏽‍🎨🇬🇧#️⃣",  # emoji sequences
)


def test_the_fast_path_weighs_what_the_cluster_walk_weighs() -> None:
    chance = random.Random(13)
    for _ in range(2_000):
        letters = "".join(chance.sample(ALPHABETS, chance.randint(1, 3)))
        text = "".join(chance.choice(letters) for _ in range(chance.randint(0, 40)))
        assert counting._x_weight(text) == counting._x_weight_by_cluster(text), text
