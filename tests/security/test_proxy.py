"""Issue 11, abuse: compose puts nginx in front of gunicorn (timeouts, size limits), publishes
it on loopback only, gives the app a MinIO user of its own, and the app believes
X-Forwarded-* only from VITRINE_TRUSTED_PROXIES hops.

No Docker engine runs here: the compose file is checked against the Compose Specification's
schema by `make lint` (check-jsonschema), and its content by the tests below; the nginx
configuration with `nginx -t` when nginx is installed."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask, request

from service import config
from service.gunicorn_conf import timeout as gunicorn_timeout

ROOT = Path(__file__).parents[2]
COMPOSE = ROOT / "docker" / "compose.yaml"
TEMPLATE = ROOT / "docker" / "nginx" / "vitrine.conf.template"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return document


def default_of(value: str, name: str) -> str:
    """The default compose substitutes for ``${name:-default}`` in ``value``."""
    match = re.search(r"\$\{" + name + r":-([^}]*)\}", value)
    assert match, (name, value)
    return match.group(1)


# ---------------------------------------------------------------- which hops are believed


def probe(app: Flask) -> Any:
    """Adds a route answering what the app believes of the request."""

    @app.get("/_probe")
    def seen() -> dict[str, str | None]:
        return {"address": request.remote_addr, "scheme": request.scheme, "host": request.host}

    return app.test_client()


# What two proxies would send: a TLS terminator, then nginx (each appends one entry).
FORWARDED = {
    "X-Forwarded-For": "198.51.100.1, 203.0.113.7",
    "X-Forwarded-Proto": "https, http",
    "X-Forwarded-Host": "photos.example.org, proxy.internal",
}


@pytest.mark.parametrize(
    ("hops", "address", "scheme", "host"),
    [
        (0, "10.0.0.2", "http", "localhost"),  # the default: a client's claims are ignored
        (1, "203.0.113.7", "http", "proxy.internal"),  # the last entry: the one proxy's
        (2, "198.51.100.1", "https", "photos.example.org"),
    ],
)
def test_forwarded_headers_are_believed_from_the_trusted_hops_only(
    tmp_path: Path, hops: int, address: str, scheme: str, host: str
) -> None:
    from service.app import create_app

    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'v.db'}", "TESTING": True,
                      "BLOB_DIR": str(tmp_path), "TRUSTED_PROXIES": hops})  # fmt: skip
    try:
        seen = (
            probe(app)
            .get("/_probe", headers=FORWARDED, environ_base={"REMOTE_ADDR": "10.0.0.2"})
            .json
        )
    finally:
        app.extensions["vitrine.engine"].dispose()
    assert seen == {"address": address, "scheme": scheme, "host": host}


def test_an_unreasonable_number_of_hops_is_refused_at_start(make_bare: Callable[..., Any]) -> None:
    with pytest.raises(config.ConfigError, match="TRUSTED_PROXIES"):
        make_bare(TRUSTED_PROXIES=-1)


@pytest.fixture
def make_bare(tmp_path: Path) -> Callable[..., Any]:
    from service.app import create_app

    def make(**settings: Any) -> Any:
        return create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'v.db'}", "TESTING": True,
                           "BLOB_DIR": str(tmp_path), **settings})  # fmt: skip

    return make


# ---------------------------------------------------------------- docker/compose.yaml


def test_only_the_proxy_is_published_and_on_loopback_by_default(compose: dict[str, Any]) -> None:
    services = compose["services"]
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"proxy", "minio"}
    [proxy_port] = services["proxy"]["ports"]
    assert proxy_port.startswith("${VITRINE_PUBLISH_ADDRESS:-127.0.0.1}:")
    assert proxy_port.endswith(":8080")
    assert all(port.startswith("127.0.0.1:") for port in services["minio"]["ports"])
    assert services["proxy"]["image"].startswith("${NGINX_IMAGE:-nginx:")  # the official image
    assert services["proxy"]["depends_on"]["web"]["condition"] == "service_healthy"


def test_the_app_needs_a_secret_key_and_trusts_one_proxy_hop(compose: dict[str, Any]) -> None:
    environment = compose["x-vitrine"]["environment"]
    assert environment["VITRINE_SECRET_KEY"].startswith("${VITRINE_SECRET_KEY:?")
    assert default_of(environment["VITRINE_TRUSTED_PROXIES"], "VITRINE_TRUSTED_PROXIES") == "1"
    for name in ("migrate", "web", "worker"):
        assert compose["services"][name]["environment"] == environment  # all share them
    example = (ROOT / "docker" / ".env.example").read_text()
    assert "secrets.token_urlsafe(48)" in example
    assert re.search(r"^VITRINE_SECRET_KEY=$", example, re.MULTILINE)


def test_the_app_uses_a_minio_user_limited_to_its_bucket_not_root(
    compose: dict[str, Any],
) -> None:
    environment = compose["x-vitrine"]["environment"]
    access = default_of(environment["VITRINE_S3_ACCESS_KEY"], "VITRINE_S3_ACCESS_KEY")
    assert "MINIO_ROOT" not in environment["VITRINE_S3_ACCESS_KEY"]
    assert "MINIO_ROOT" not in environment["VITRINE_S3_SECRET_KEY"]
    assert access != default_of(
        compose["services"]["minio"]["environment"]["MINIO_ROOT_USER"], "MINIO_ROOT_USER"
    )
    init = compose["services"]["minio-init"]
    assert default_of(init["environment"]["APP_ACCESS_KEY"], "VITRINE_S3_ACCESS_KEY") == access
    script = init["command"][0]
    policy = yaml.safe_load(script[script.index("<<POLICY") + len("<<POLICY") :
                                  script.index("\nPOLICY")])  # fmt: skip
    resources = {r for statement in policy["Statement"] for r in statement["Resource"]}
    assert resources == {"arn:aws:s3:::$$BUCKET", "arn:aws:s3:::$$BUCKET/*"}
    actions = {a for statement in policy["Statement"] for a in statement["Action"]}
    assert not any(action.startswith("admin:") or action == "s3:*" for action in actions)
    assert 'mc admin user add root "$$APP_ACCESS_KEY"' in script
    assert 'mc admin policy attach root vitrine-app --user "$$APP_ACCESS_KEY"' in script
    for name in ("web", "worker"):  # they start once the user exists
        assert "minio-init" in compose["services"][name]["depends_on"]


def test_nginx_limits_fit_the_apps_settings(compose: dict[str, Any]) -> None:
    environment = compose["services"]["proxy"]["environment"]
    body = default_of(environment["NGINX_MAX_BODY_SIZE"], "NGINX_MAX_BODY_SIZE")
    assert body.endswith("m")
    assert int(body[:-1]) * 1024 * 1024 > config.DEFAULTS["MAX_UPLOAD_BYTES"]
    assert int(body[:-1]) * 1024 * 1024 <= config.DEFAULTS["MAX_UPLOAD_BYTES"] + 16 * 1024**2
    read = default_of(environment["NGINX_PROXY_READ_TIMEOUT"], "NGINX_PROXY_READ_TIMEOUT")
    assert int(read.removesuffix("s")) > gunicorn_timeout  # gunicorn gives up first
    text = TEMPLATE.read_text()
    for directive in ("client_header_timeout", "client_body_timeout", "send_timeout",
                      "proxy_read_timeout ${NGINX_PROXY_READ_TIMEOUT};",
                      "proxy_request_buffering on", "client_body_buffer_size 2m;",
                      "proxy_set_header X-Forwarded-For $remote_addr"):  # fmt: skip
        assert directive in text, directive
    # Only the two upload routes take large bodies; everything else fits JSON's limit.
    locations = dict(re.findall(r"location ([^{]+?) \{\s*client_max_body_size (\S+);", text))
    assert locations == {
        "/": "2m",
        "= /upload": "${NGINX_MAX_BODY_SIZE}",
        "= /api/v1/assets": "${NGINX_MAX_BODY_SIZE}",
    }
    assert config.DEFAULTS["MAX_JSON_BYTES"] < 2 * 1024 * 1024
    mounted = compose["services"]["proxy"]["volumes"]
    assert "./nginx/vitrine.conf.template:/etc/nginx/templates/vitrine.conf.template:ro" in mounted


def rendered_template(values: dict[str, str]) -> str:
    """What the official image's envsubst makes of the template: the given ${NAME}s filled
    in, nginx's own $variables left."""
    text = TEMPLATE.read_text()
    for name, value in values.items():
        text = text.replace("${" + name + "}", value)
    assert "${" not in text
    return text


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")
def test_nginx_accepts_the_configuration(tmp_path: Path, compose: dict[str, Any]) -> None:
    environment = compose["services"]["proxy"]["environment"]
    server = rendered_template(
        {
            "NGINX_UPSTREAM": "127.0.0.1:8000",  # "web" resolves only on the compose network
            "NGINX_MAX_BODY_SIZE": default_of(environment["NGINX_MAX_BODY_SIZE"],
                                              "NGINX_MAX_BODY_SIZE"),
            "NGINX_PROXY_READ_TIMEOUT": default_of(environment["NGINX_PROXY_READ_TIMEOUT"],
                                                   "NGINX_PROXY_READ_TIMEOUT"),
        }
    ).replace("/var/log/nginx/access.log", str(tmp_path / "access.log"))  # fmt: skip
    (tmp_path / "vitrine.conf").write_text(server)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path / 'nginx.pid'};\n"
        f"error_log {tmp_path / 'error.log'};\n"
        "events {}\n"
        f"http {{\n    include {tmp_path / 'vitrine.conf'};\n}}\n"
    )
    checked = subprocess.run(
        ["nginx", "-t", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"),
         "-c", str(tmp_path / "nginx.conf")],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stderr
    assert "syntax is ok" in checked.stderr
