"""Helpers for the web UI tests: users, signing in, CSRF tokens, and reading pages.

Pages are read with the standard library's HTML parser into a small element tree, so
that a test can ask "which error message sits beside the field ``title``" instead of
matching raw HTML with regular expressions.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from service.http import database as db
from service.services import accounts as auth

PASSWORD = "correct horse battery staple"
# What a browser sends, so that errors come back as pages and not as problem+json.
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
CONTROLS = {"input", "select", "textarea", "button"}


# ---------------------------------------------------------------- users and sessions


def add_user(app: Flask, username: str, role: str, password: str = PASSWORD) -> None:
    with app.app_context(), db.new_session() as session:
        auth.create_user(session, username=username, password=password, role=role)
        session.commit()


def browser_like(client: FlaskClient) -> FlaskClient:
    """Make ``client`` ask for HTML, as a browser does."""
    client.environ_base["HTTP_ACCEPT"] = BROWSER_ACCEPT
    return client


def web_client(app: Flask, client: FlaskClient, *roles: str) -> FlaskClient:
    """A client that asks for HTML, with a user per role, named after the role."""
    for role in roles:
        add_user(app, role, role)
    return browser_like(client)


def csrf(client: FlaskClient, path: str = "/login") -> str:
    """This session's CSRF token, read from the ``csrf-token`` meta tag of a page."""
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    meta = page(response).find("meta", name="csrf-token")
    assert meta is not None, f"{path} has no csrf-token meta tag"
    return meta.attrs["content"]


def sign_in(
    client: FlaskClient, username: str, password: str = PASSWORD, next_path: str | None = None
) -> Any:
    """Sign in through the form (with its CSRF token); answers the POST's response."""
    token = csrf(client)
    url = "/login" if next_path is None else f"/login?next={next_path}"
    return client.post(url, data={"username": username, "password": password, "csrf_token": token})


def signed_in(client: FlaskClient, username: str) -> str:
    """Sign in and answer a CSRF token that is good for the signed-in session."""
    response = sign_in(client, username)
    assert response.status_code == 302, response.status_code
    return csrf(client, "/library")


def snapshot(client: FlaskClient, headers: dict[str, str], asset_id: int) -> tuple[Any, Any, Any]:
    """Everything a refused form must leave alone: the asset, its rights and its history."""
    asset = client.get(f"/api/v1/assets/{asset_id}", headers=headers)
    rights = client.get(f"/api/v1/assets/{asset_id}/rights", headers=headers)
    history = client.get(f"/api/v1/assets/{asset_id}/history", headers=headers)
    assert asset.status_code == rights.status_code == history.status_code == 200
    return asset.json, rights.json, history.json


# ---------------------------------------------------------------- reading pages


@dataclass(eq=False)
class Element:
    tag: str
    attrs: dict[str, str]
    parent: Element | None = None
    children: list[Element | str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    @property
    def text(self) -> str:
        """The inner text, whitespace collapsed."""
        parts: list[str] = []

        def walk(node: Element) -> None:
            for child in node.children:
                if isinstance(child, str):
                    parts.append(child)
                else:
                    walk(child)

        walk(self)
        return " ".join("".join(parts).split())

    def iter(self) -> Iterator[Element]:
        """This element and all below it, in document order."""
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()

    def find_all(
        self, tag: str | None = None, *, cls: str | None = None, **attrs: str
    ) -> list[Element]:
        """Elements below (and including) this one by tag, class and exact attribute values.

        Attribute names use ``_`` for ``-`` (``data_status`` is ``data-status``).
        """
        wanted = {name.replace("_", "-"): value for name, value in attrs.items()}
        return [
            element
            for element in self.iter()
            if (tag is None or element.tag == tag)
            and (cls is None or cls in element.classes)
            and all(element.attrs.get(name) == value for name, value in wanted.items())
        ]

    def find(
        self, tag: str | None = None, *, cls: str | None = None, **attrs: str
    ) -> Element | None:
        found = self.find_all(tag, cls=cls, **attrs)
        return found[0] if found else None

    def by_id(self, element_id: str) -> Element | None:
        return self.find(id=element_id)

    def ancestors(self) -> Iterator[Element]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def __repr__(self) -> str:
        attrs = " ".join(f'{name}="{value}"' for name, value in self.attrs.items())
        return f"<{self.tag} {attrs}>"


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.open: list[Element] = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {name: value or "" for name, value in attrs}, self.open[-1])
        self.open[-1].children.append(element)
        if tag not in VOID:
            self.open.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {name: value or "" for name, value in attrs}, self.open[-1])
        self.open[-1].children.append(element)

    def handle_endtag(self, tag: str) -> None:
        # Close up to the matching open element; a stray end tag closes nothing.
        for depth in range(len(self.open) - 1, 0, -1):
            if self.open[depth].tag == tag:
                del self.open[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.open[-1].children.append(data)


def parse(html: str) -> Element:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def page(response: Any) -> Element:
    return parse(response.get_data(as_text=True))


def control(document: Element, name: str) -> Element:
    """The one visible form control named ``name``."""
    found = [
        element
        for element in document.iter()
        if element.tag in CONTROLS
        and element.attrs.get("name") == name
        and element.attrs.get("type") != "hidden"
    ]
    assert found, f"no control named {name!r}"
    return found[0]


def _is_control(element: Element) -> bool:
    return element.tag in CONTROLS and element.attrs.get("type") not in ("hidden", "submit")


def errors_beside(document: Element, name: str) -> list[str]:
    """The texts of the ``.error`` messages that belong to the control named ``name``.

    A message belongs to a control when the control's ``aria-describedby`` names it, or when
    it sits in the control's own wrapper: the largest ancestor that holds no other control.
    """
    target = control(document, name)
    messages = []
    described = target.attrs.get("aria-describedby", "").split()
    for element_id in described:
        element = document.by_id(element_id)
        if element is not None and "error" in element.classes:
            messages.append(element)
    wrapper = None
    for ancestor in target.ancestors():
        others = [e for e in ancestor.iter() if _is_control(e) and e is not target]
        if others:
            break
        wrapper = ancestor
    if wrapper is not None:
        messages += [e for e in wrapper.find_all(cls="error") if e not in messages]
    return [message.text for message in messages]


def all_errors(document: Element) -> list[str]:
    return [element.text for element in document.find_all(cls="error")]


def label_for(document: Element, element: Element) -> str | None:
    """The accessible label of a control: aria-label, <label for=id>, or a wrapping <label>."""
    if element.attrs.get("aria-label") or element.attrs.get("aria-labelledby"):
        return element.attrs.get("aria-label") or element.attrs["aria-labelledby"]
    element_id = element.attrs.get("id")
    if element_id:
        label = document.find("label", **{"for": element_id})
        if label is not None:
            return label.text
    for ancestor in element.ancestors():
        if ancestor.tag == "label":
            return ancestor.text
    return None
