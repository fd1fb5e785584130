"""The library page sorts as the API does, and pages on in that order."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from service.services.assets import SORTS
from service.web.library import PAGE_SIZE, SORT_LABELS
from tests.support import photos
from tests.support.api import upload
from tests.support.web import add_user, browser_like, errors_beside, page, signed_in

Tokens = dict[str, dict[str, str]]


def _titles_on(web: FlaskClient, path: str) -> tuple[list[str], str | None]:
    document = page(web.get(path))
    titles = [card.find("h2").text for card in document.find_all("article", cls="asset-card")]  # type: ignore[union-attr]
    pager = document.find("a", rel="next")
    return titles, pager.attrs["href"] if pager else None


def test_the_library_sorts_by_title_across_pages_and_offers_every_sort(
    app: Flask, client: FlaskClient, tokens: Tokens
) -> None:
    titles = [f"Print {number:02d}" for number in range(PAGE_SIZE + 2)]
    for number, title in enumerate(reversed(titles)):
        upload(client, tokens["contributor"], photos.jpeg_plain(30 + number, 30), title=title)
    add_user(app, "viewer", "viewer")
    web = browser_like(client)
    signed_in(web, "viewer")
    first, next_path = _titles_on(web, "/library?sort=title")
    assert first == titles[:PAGE_SIZE]
    assert next_path is not None and "sort=title" in next_path
    rest, last = _titles_on(web, next_path)
    assert (rest, last) == (titles[PAGE_SIZE:], None)
    options = page(web.get("/library")).find("select", id="sort").find_all("option")  # type: ignore[union-attr]
    assert [option.attrs["value"] for option in options] == list(SORTS) == list(SORT_LABELS)
    refused = web.get("/library?sort=price")
    assert refused.status_code == 422
    assert errors_beside(page(refused), "sort")
