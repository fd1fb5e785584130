"""Check IIIF Presentation 3.0 documents with iiif-prezi3 and the IIIF presentation validator.

Run by the venv of scripts/iiif-presentation-validator.sh, never imported by the tests (its
packages cannot live beside Vitrine's: iiif-prezi3 pins Pillow 12, the validator an old
jsonschema). Reads a JSON list of {"document": ..., "url": ...} on stdin and prints one JSON
object: whether the validator is there, and for each document

* ``prezi3``: whether iiif-prezi3's model of its type (Manifest, Collection) reads it, and
  where the model, written out again, differs from it (the models quietly turn a value
  they do not take as written into one they do, such as a bare string into a language map);
* ``validator``: ``check_manifest(document, IIIFVersion.V3_0, url).json()`` (``okay`` 1 or
  0, ``errorList``), or None without the validator.
"""

from __future__ import annotations

import contextlib
import json
import sys
from typing import Any


def differences(expected: Any, actual: Any, path: str = "$") -> list[str]:
    """Where ``actual`` differs from ``expected``, as JSON paths."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        found = []
        for key in sorted(set(expected) | set(actual)):
            if key not in expected or key not in actual:
                found.append(f"{path}.{key}")
            else:
                found += differences(expected[key], actual[key], f"{path}.{key}")
        return found
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        return [
            d
            for i, (e, a) in enumerate(zip(expected, actual, strict=True))
            for d in differences(e, a, f"{path}[{i}]")
        ]
    return [] if expected == actual else [path]


def prezi3_check(document: dict[str, Any]) -> dict[str, Any]:
    import iiif_prezi3

    model = {"Manifest": iiif_prezi3.Manifest, "Collection": iiif_prezi3.Collection}.get(
        str(document.get("type"))
    )
    if model is None:
        return {"ok": False, "error": f"no iiif-prezi3 model for type {document.get('type')!r}"}
    try:
        written = json.loads(model(**document).jsonld())
    except Exception as error:  # the model refused it: say why
        return {"ok": False, "error": f"{type(error).__name__}: {error}"}
    changed = differences(document, written)
    return {"ok": not changed, "error": "", "changed": changed}


def validator_check(document: dict[str, Any], url: str | None) -> dict[str, Any] | None:
    try:
        from presentation_validator.enum import IIIFVersion
        from presentation_validator.validator import check_manifest
    except ImportError:
        return None
    result: dict[str, Any] = check_manifest(document, IIIFVersion.V3_0, url).json()
    return result


def main() -> None:
    items = json.load(sys.stdin)
    results = []
    # Both libraries may print (the validator prints tracebacks): keep stdout for the answer.
    with contextlib.redirect_stdout(sys.stderr):
        for item in items:
            document, url = item["document"], item.get("url")
            results.append(
                {
                    "id": document.get("id"),
                    "prezi3": prezi3_check(document),
                    "validator": validator_check(document, url),
                }
            )
        try:
            import presentation_validator.validator  # noqa: F401

            available = True
        except ImportError:
            available = False
    json.dump({"validator": available, "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
