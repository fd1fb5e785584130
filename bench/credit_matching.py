"""Time credits.match_credit on long and hostile captions (the stored maximum is 70,000).

    .venv/bin/python bench/credit_matching.py [--repeat 3]

Each case is a caption a contributor could save; the asset page and the audit match it
against the required credit line. Prints the best of REPEAT runs per case, in ms.
"""

from __future__ import annotations

import argparse
import time

from service.rules.credits import match_credit

BM = "© Trustees of the British Museum"
CASES = {
    "ordinary caption": "Somali wedding basket 🧺 #MuseumWeek\n" * 3 + BM,
    "70k words, no credit": "word " * 14_000,
    "70k words after one ©": "© " + "word " * 14_000,
    "70k of other credits": "© Jane Doe. " * 5_800,
    "70k spaces after ©": "© " + " " * 70_000 + "x",
    "the credit run on 2,000 times": (BM + "s ") * 2_000,
    "a look-alike credit 1,800 times": "© Trustees of the \u0412ritish Museum of X " * 1_800,
    "70k thin spaces, then a word": BM + "\u2009" * 70_000 + "of",
    "another spelling run on 1,700 times": "(c) The Trustees of the British Museum's " * 1_700,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for name, text in CASES.items():
        best = float("inf")
        for _ in range(args.repeat):
            started = time.perf_counter()
            outcome = match_credit(BM, text).outcome
            best = min(best, time.perf_counter() - started)
        print(f"{name:38} {len(text):>7,} chars {best * 1000:8.1f} ms  {outcome}")


if __name__ == "__main__":
    main()
