"""Hostile input: every file of tests/data/hostile/ through upload, metadata, rendering and the form.

The corpus and each file's expectation come from ``tests/hostile/make_corpus.py``. A file is
either refused with the 4xx problem it declares, or it becomes a correct asset (the right type,
size and hash), whose metadata reads back and for which every preset renders through the publish
gate once its rights are cleared. No answer is a 5xx; every request stays within a time and a
memory bound; and afterwards the database and the blob store hold exactly the accepted files.

Parametrisation: the whole corpus runs on SQLite + the local store only. What is under test
here (sniffing, decoding, metadata, rendering) does not depend on the backends, and rendering
every preset of every accepted file is most of the run time. PostgreSQL + S3 run the entries
marked ``subset``: some of every kind, among them the metadata with NUL characters that only
PostgreSQL refuses to store, so that the database and the bucket are checked end to end too.
"""

from __future__ import annotations

import faulthandler
import hashlib
import io
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image, ImageChops, ImageStat
from sqlalchemy import select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from service.http import database as db
from service.media import metadata, render
from service.rules.presets import Preset
from service.storage.blobs import original_key
from service.storage.models import Asset, Variant
from tests.hostile.make_corpus import CORPUS, DATA, Entry, build_all
from tests.support.api import upload
from tests.support.database import stored_state
from tests.support.people import no_recognisable_people
from tests.support.rights import BM, CC_BY
from tests.support.web import add_user, csrf, page, sign_in

Tokens = dict[str, dict[str, str]]

# Bounds on one request. Real answers take well under a second and a few tens of MB; the
# bounds leave room for a slow machine while catching a decode that is not bounded.
SECONDS_PER_REQUEST = 20.0
MEMORY_PER_REQUEST = 300 * 1024 * 1024
# A refusal is decided from headers and a bounded decode: it must come quickly.
SECONDS_PER_REFUSAL = 3.0
# A hang in C (where no Python timeout reaches) dumps every thread's stack and ends the run.
HANG_SECONDS = 180
# A variant that keeps the source's size must look like the source (JPEG noise aside).
MAX_MEAN_DIFFERENCE = 8.0
# Text that must never reach a variant: the payloads of the polyglots and the XXE target.
PAYLOADS = (b"<script", b"<html", b"PK\x03\x04", b"/etc/passwd", b"<?php")
CONTROL_CHARACTERS = {chr(c) for c in range(32) if chr(c) not in "\t\n"} | {"\x7f"}

BACKENDS = pytest.mark.parametrize(
    ("database_url", "blob_settings"),
    [
        pytest.param("sqlite", "local", id="sqlite-local-full-corpus"),
        pytest.param("postgresql", "s3", id="postgresql-s3-subset"),
    ],
    indirect=True,
)


def corpus_for(app: Flask) -> list[Entry]:
    full = app.config["DATABASE_URL"].startswith("sqlite")
    return [entry for entry in CORPUS if full or entry.subset]


def file_bytes(entry: Entry) -> bytes:
    return (DATA / entry.name).read_bytes()


def sha256(entry: Entry) -> str:
    return hashlib.sha256(file_bytes(entry)).hexdigest()


def form_fields(entry: Entry) -> dict[str, str]:
    """What a contributor fills in, then whatever hostile values the entry brings."""
    return {
        "title": f"Hostile {entry.name}",
        "object_number": "HX.1",
        "alt_text": f"A test picture made for {entry.kind} input.",
        **entry.fields,
    }


# ---------------------------------------------------------------- bounds


@dataclass
class Cost:
    seconds: float = 0.0
    memory: int = 0  # the peak resident size over what it was before, in bytes


@contextmanager
def bounded(what: str, problems: list[str], memory: int = MEMORY_PER_REQUEST) -> Iterator[Cost]:
    """Measure time and peak memory growth (RSS, sampled every 5 ms) of the block."""
    process = psutil.Process()
    baseline = process.memory_info().rss
    peak = [baseline]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.005):
            peak[0] = max(peak[0], process.memory_info().rss)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    cost = Cost()
    started = time.perf_counter()
    try:
        yield cost
    finally:
        cost.seconds = time.perf_counter() - started
        done.set()
        sampler.join()
        cost.memory = max(peak[0], process.memory_info().rss) - baseline
        if cost.seconds > SECONDS_PER_REQUEST:
            problems.append(f"{what}: took {cost.seconds:.1f} s")
        if cost.memory > memory:
            problems.append(f"{what}: grew the process by {cost.memory >> 20} MB")


def render_memory(entry: Entry) -> int:
    """What rendering the entry may hold beyond a request's bound: its decode, if large."""
    if entry.size is None:
        return 0
    decoded = render.decoded_bytes(*entry.size, "RGB")
    return decoded if decoded > MEMORY_PER_REQUEST else 0


@contextmanager
def hang_guard() -> Iterator[None]:
    faulthandler.dump_traceback_later(HANG_SECONDS, exit=True)
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()


# ---------------------------------------------------------------- checks


def check_problem(entry: Entry, response: Any, problems: list[str]) -> None:
    """A refusal is the declared 4xx, as application/problem+json with a code and a detail."""
    where = f"{entry.name}: upload"
    if response.status_code != entry.status:
        problems.append(
            f"{where} answered {response.status_code}, not {entry.status}: "
            f"{response.get_data(as_text=True)[:300]}"
        )
        return
    body = response.json
    if response.mimetype != "application/problem+json" or not isinstance(body, dict):
        problems.append(f"{where}: {response.mimetype} is not a problem")
        return
    if body.get("code") != entry.code or body.get("status") != entry.status:
        problems.append(f"{where}: problem {body.get('code')}, not {entry.code}")
    if not (body.get("detail") and body.get("title") and body.get("type")):
        problems.append(f"{where}: the problem lacks a title, type or detail: {body}")


def check_asset(entry: Entry, body: dict[str, Any], problems: list[str]) -> None:
    """The asset is the uploaded file: its hash, type, size; labels without control characters."""
    where = f"{entry.name}: asset"
    expected = {
        "sha256": sha256(entry),
        "media_type": entry.media_type,
        "byte_size": len(file_bytes(entry)),
        "width": entry.size[0] if entry.size else None,
        "height": entry.size[1] if entry.size else None,
    }
    actual = {key: body.get(key) for key in expected}
    if actual != expected:
        problems.append(f"{where} is {actual}, not {expected}")
    for field in ("original_filename", "title", "description", "alt_text"):
        value = body.get(field) or ""
        if set(value) & CONTROL_CHARACTERS or "\u202e" in value:
            problems.append(f"{where}: {field} keeps control characters: {value[:80]!r}")
    if len(body.get("original_filename") or "") > 255:
        problems.append(f"{where}: the filename label is {len(body['original_filename'])} long")


def check_metadata(entry: Entry, response: Any, problems: list[str]) -> None:
    """The metadata answer is bounded and has no control characters (nor NUL) in it."""
    where = f"{entry.name}: metadata"
    if response.status_code != 200:
        problems.append(f"{where} answered {response.status_code}")
        return
    body = response.json
    if len(response.data) > 512 * 1024:
        problems.append(f"{where}: {len(response.data):,} bytes of metadata")
    if set(body["raw"]) != {"exif", "iptc", "xmp", "icc"}:
        problems.append(f"{where}: raw blocks {sorted(body['raw'])}")
    for block, values in body["raw"].items():
        if len(values) > metadata.MAX_RAW_TAGS:
            problems.append(f"{where}: {len(values)} {block} values kept")
        for key, value in values.items():
            text = f"{key}{value}"
            if set(text) & CONTROL_CHARACTERS or "\u202e" in text:
                problems.append(f"{where}: {block} {key[:40]!r} keeps control characters")
            if len(value) > metadata.MAX_RAW_CHARS or len(key) > metadata.MAX_KEY_CHARS:
                problems.append(f"{where}: {block} {key[:40]!r} is too long")
    if len(body["warnings"]) > metadata.MAX_WARNINGS:
        problems.append(f"{where}: {len(body['warnings'])} warnings")


def check_original(entry: Entry, response: Any, problems: list[str]) -> None:
    """The original comes back byte for byte, as a download the browser may not sniff."""
    where = f"{entry.name}: original"
    if response.status_code != 200 or response.get_data() != file_bytes(entry):
        problems.append(f"{where} answered {response.status_code} with other bytes")
    disposition = response.headers.get("Content-Disposition", "")
    if not disposition.startswith("attachment") or set(disposition) & CONTROL_CHARACTERS:
        problems.append(f"{where}: Content-Disposition {disposition[:120]!r}")
    if (response.mimetype, response.headers.get("X-Content-Type-Options")) != (
        entry.media_type,
        "nosniff",
    ):
        problems.append(f"{where}: served as {response.mimetype}, sniffable")


def expected_size(entry: Entry, preset: Preset) -> tuple[int, int] | None:
    """The variant's size, where the preset fixes it: the box, or the source if it fits."""
    if preset.fit in ("cover", "contain"):
        return preset.width, preset.height
    assert entry.size is not None
    width, height = entry.size
    fits = width <= preset.width and height <= preset.height
    if fits and (preset.max_pixels is None or width * height <= preset.max_pixels):
        return entry.size
    return None


def fetch(app: Flask, client: FlaskClient, url: str) -> bytes:
    if app.config["BLOB_BACKEND"] == "s3":
        with urllib.request.urlopen(url, timeout=30) as response:
            return bytes(response.read())
    response = client.get(url.removeprefix("http://localhost"), buffered=True)
    assert response.status_code == 200, response.status_code
    return bytes(response.data)


def check_variant(
    app: Flask,
    client: FlaskClient,
    entry: Entry,
    preset: Preset,
    response: Any,
    problems: list[str],
) -> None:
    """A 200 with the preset's size, whose bytes decode to it and carry no payload."""
    where = f"{entry.name}: {preset.name}"
    if response.status_code != 200:
        problems.append(
            f"{where} answered {response.status_code}: {response.get_data(as_text=True)[:300]}"
        )
        return
    body = response.json
    size = (body["width"], body["height"])
    want = expected_size(entry, preset)
    if (want is not None and size != want) or size[0] > preset.width or size[1] > preset.height:
        problems.append(f"{where} is {size}, not {want or 'within the box'}")
    data = fetch(app, client, body["url"])
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        if image.size != size or Image.MIME[image.format or ""] != body["media_type"]:
            problems.append(f"{where}: the bytes are {image.format} {image.size}")
        if image.mode not in ("RGB", "RGBA"):
            problems.append(f"{where}: the bytes are in mode {image.mode}")
        if entry.pixels is not None and size == entry.size:
            difference = ImageChops.difference(image.convert("RGB"), entry.pixels())
            mean = sum(ImageStat.Stat(difference).mean) / 3
            if mean > MAX_MEAN_DIFFERENCE:
                problems.append(f"{where} differs from the picture by {mean:.1f} on average")
    typed = "".join(form_fields(entry).values()).encode()  # the user's own text is written in
    if any(payload in data and payload not in typed for payload in PAYLOADS):
        problems.append(f"{where}: a payload of the original survived into the variant")
    if preset.max_bytes is not None and len(data) > preset.max_bytes:
        problems.append(f"{where}: {len(data):,} bytes, over {preset.max_bytes:,}")


def check_stored(app: Flask, accepted: list[Entry], problems: list[str]) -> None:
    """The database and the blob store hold the accepted files, nothing else."""
    shas = sorted({sha256(entry) for entry in accepted})
    state = stored_state(app)
    expected = (len(shas), sorted(original_key(sha) for sha in shas))
    if state != expected:
        extra = sorted(set(state[1]) - set(expected[1]))
        missing = sorted(set(expected[1]) - set(state[1]))
        problems.append(f"stored {state[0]} rows; extra blobs {extra}, missing {missing}")
    with app.app_context(), db.new_session() as session:
        rows = sorted(session.scalars(select(Asset.sha256)))
        unfinished = session.query(Variant).filter(Variant.status != "ready").count()
        # Blob names are secret (keyed HMACs): their owners are found through the rows.
        owners = dict(session.execute(select(Variant.blob_key, Asset.sha256).join(Asset)).all())
    if rows != shas:
        problems.append(f"asset rows {len(rows)} do not match the {len(shas)} accepted files")
    if unfinished:
        problems.append(f"{unfinished} variants were left half-made")
    store = app.extensions["vitrine.store"]
    rendered = {*store.keys("variants/"), *store.keys("previews/")}
    if not rendered <= owners.keys():
        problems.append(f"variant blobs no row owns: {sorted(rendered - owners.keys())}")
    if not set(owners.values()) <= set(shas):
        problems.append(
            f"variants of unknown originals: {sorted(set(owners.values()) - set(shas))}"
        )
    left = [path.name for path in Path(app.config["SPOOL_DIR"]).glob("*")]
    if left:
        problems.append(f"spool files left behind: {left}")


# ---------------------------------------------------------------- the corpus itself


def test_the_committed_corpus_is_what_its_generator_makes_and_stays_small() -> None:
    built = build_all()
    on_disk = {path.name: path.read_bytes() for path in DATA.iterdir() if path.name != "README.md"}
    assert set(on_disk) == set(built), "run: python -m tests.hostile.make_corpus"
    changed = sorted(name for name, data in built.items() if on_disk[name] != data)
    assert not changed, f"{changed} differ from the generator; run it again"
    assert len(built) >= 40
    assert sum(map(len, built.values())) < 3 * 1024 * 1024
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    assert all(f"`{name}`" in readme for name in built)
    accepted = [entry for entry in CORPUS if entry.accepted]
    assert len({sha256(entry) for entry in accepted}) == len(accepted), "accepted files repeat"
    assert all(entry.size and entry.media_type for entry in accepted)
    assert all(entry.code for entry in CORPUS if not entry.accepted)
    kinds = {entry.kind for entry in CORPUS if entry.subset}
    assert kinds == {entry.kind for entry in CORPUS} - {"not an image"}, "subset misses a kind"


# ---------------------------------------------------------------- through the API


def clear_rights(client: FlaskClient, tokens: Tokens, asset_id: int) -> Any:
    """Clear the rights, and say the photograph shows no recognisable people."""
    body = {
        "status": "cleared",
        "holder": "Trustees of the British Museum",
        "credit_line": BM,
        "licence_uri": CC_BY,
        "channels": ["web", "social"],
    }
    answer = client.put(f"/api/v1/assets/{asset_id}/rights", json=body, headers=tokens["rights"])
    if answer.status_code == 200:
        no_recognisable_people(client.application, asset_id)
    return answer


@BACKENDS
def test_every_hostile_upload_is_refused_with_its_problem_or_becomes_an_asset_that_renders(
    app: Flask, client: FlaskClient, tokens: Tokens
) -> None:
    """Upload, metadata, the original back, and every preset through the publish gate."""
    presets: dict[str, Preset] = app.extensions["vitrine.presets"]
    corpus = corpus_for(app)
    problems: list[str] = []
    costs: dict[str, Cost] = {}
    for entry in corpus:
        with hang_guard():
            with bounded(f"{entry.name}: upload", problems) as costs[entry.name]:
                response = upload(
                    client,
                    tokens["contributor"],
                    file_bytes(entry),
                    filename=entry.upload_name,
                    **form_fields(entry),
                )
            if not entry.accepted:
                check_problem(entry, response, problems)
                if costs[entry.name].seconds > SECONDS_PER_REFUSAL:
                    problems.append(
                        f"{entry.name}: refused after {costs[entry.name].seconds:.1f} s"
                    )
                continue
            if response.status_code != 201:
                problems.append(
                    f"{entry.name}: upload answered {response.status_code}, not 201: "
                    f"{response.get_data(as_text=True)[:300]}"
                )
                continue
            check_asset(entry, response.json, problems)
            asset_id = response.json["id"]
            check_metadata(
                entry,
                client.get(f"/api/v1/assets/{asset_id}/metadata", headers=tokens["viewer"]),
                problems,
            )
            original = client.get(
                f"/api/v1/assets/{asset_id}/original", headers=tokens["contributor"], buffered=True
            )
            check_original(entry, original, problems)
            cleared = clear_rights(client, tokens, asset_id)
            if cleared.status_code != 200:
                problems.append(
                    f"{entry.name}: clearing answered {cleared.status_code}: "
                    f"{cleared.get_data(as_text=True)[:300]}"
                )
                continue
            if not entry.render:
                continue
            for preset in presets.values():
                url = f"/api/v1/assets/{asset_id}/variants/{preset.name}"
                # A render may hold its source decoded, and bounded working images (README,
                # "Rendering memory"): 576 MB more for the 144 Mpx PNG, nothing for the rest.
                allowance = MEMORY_PER_REQUEST + render_memory(entry)
                with bounded(f"{entry.name}: {preset.name}", problems, allowance):
                    answer = client.get(url, headers=tokens["viewer"])
                check_variant(app, client, entry, preset, answer, problems)
    check_stored(app, [entry for entry in corpus if entry.accepted], problems)
    slowest = max(costs.items(), key=lambda item: item[1].seconds)
    print(f"\n{len(corpus)} files; slowest upload {slowest[0]} {slowest[1].seconds:.2f} s")
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------- through the web form


@BACKENDS
def test_every_hostile_file_through_the_web_upload_form_is_refused_or_stored_per_file(
    app: Flask, client: FlaskClient, tokens: Tokens
) -> None:
    """The upload form, signed in as a contributor with the CSRF token: one file per post
    (as the page's script sends them) answering JSON, then all at once without script."""
    add_user(app, "contributor", "contributor")
    assert sign_in(client, "contributor").status_code == 302
    token = csrf(client, "/upload")
    corpus = corpus_for(app)
    problems: list[str] = []
    for entry in corpus:
        form = {
            "csrf_token": token,
            "files": (io.BytesIO(file_bytes(entry)), entry.upload_name),
            **form_fields(entry),
        }
        with hang_guard(), bounded(f"{entry.name}: web upload", problems):
            response = client.post(
                "/upload",
                data=form,
                content_type="multipart/form-data",
                headers={"Accept": "application/json"},
            )
        body = response.json if response.is_json else None
        where = f"{entry.name}: web upload"
        if response.status_code != entry.status or not isinstance(body, dict):
            problems.append(
                f"{where} answered {response.status_code}, not {entry.status}: "
                f"{response.get_data(as_text=True)[:300]}"
            )
            continue
        if not entry.accepted:
            if body["status"] != "refused" or not body["message"] or body["asset_id"]:
                problems.append(f"{where}: {body} is not a refusal with a reason")
            continue
        if body["status"] != "created":
            problems.append(f"{where}: {body} is not a created asset")
            continue
        asset = client.get(f"/api/v1/assets/{body['asset_id']}", headers=tokens["viewer"])
        check_asset(entry, asset.json, problems)

    # Without script the form posts every file at once; each gets its own result, and the
    # files already stored are duplicates: nothing new is kept.
    # The body is encoded here, in memory: the test client spools a large one to a temporary
    # file that it never closes.
    batch = [entry for entry in corpus if not entry.fields]
    form = MultiDict([("csrf_token", token)])
    for entry in batch:
        form.add("files", FileStorage(io.BytesIO(file_bytes(entry)), entry.upload_name))
    boundary, encoded = encode_multipart(form)
    with hang_guard(), bounded("the whole corpus in one web post", problems):
        response = client.post(
            "/upload", data=encoded, content_type=f"multipart/form-data; boundary={boundary}"
        )
    assert response.status_code == 200, response.status_code
    results = page(response).find_all("li", cls="upload-result")
    statuses = [result.attrs.get("data-status") for result in results]
    assert statuses == ["duplicate" if e.accepted else "refused" for e in batch], statuses
    assert b"<script>alert" not in response.data
    check_stored(app, [entry for entry in corpus if entry.accepted], problems)
    assert not problems, "\n".join(problems)
