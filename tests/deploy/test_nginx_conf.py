"""deploy/nginx.conf and the systemd units say what DESIGN.md §5 and the settings say.

No nginx needed: a small parser reads the configuration, and a simplified version of nginx's
location matching (exact, longest prefix, then regular expressions in order) tells where a path
goes. ``nginx -t`` itself is run by hand (deploy/README.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
TOKEN = re.compile(
    r"""\s*(?:#[^\n]*|'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|([{};])|([^\s{};'"#]+))"""
)


@dataclass
class Directive:
    name: str
    args: list[str]
    block: list[Directive] = field(default_factory=list)

    def all(self, name: str) -> list[Directive]:
        return [d for d in self.block if d.name == name]

    def one(self, name: str) -> Directive:
        found = self.all(name)
        assert len(found) == 1, f"expected one {name} in {self.name} {self.args}, got {len(found)}"
        return found[0]

    def values(self, name: str) -> list[list[str]]:
        return [d.args for d in self.all(name)]


def parse(text: str) -> Directive:
    root = Directive("main", [])
    stack = [root]
    words: list[str] = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = TOKEN.match(text, position)
        assert match is not None, f"cannot parse at {position}"
        assert match.end() > position, f"cannot parse at {position}"
        position = match.end()
        single, double, punct, word = match.groups()
        if punct == "{":
            directive = Directive(words[0], words[1:])
            stack[-1].block.append(directive)
            stack.append(directive)
            words = []
        elif punct == ";":
            stack[-1].block.append(Directive(words[0], words[1:]))
            words = []
        elif punct == "}":
            assert not words, f"missing ';' after {words}"
            stack.pop()
        elif single is not None or double is not None:
            words.append(single if single is not None else double)
        elif word is not None:
            words.append(word)
    assert len(stack) == 1, "unbalanced braces"
    assert not words, "a missing ';' at the end"
    return root


@pytest.fixture(scope="module")
def conf() -> Directive:
    return parse((DEPLOY / "nginx.conf").read_text())


@pytest.fixture(scope="module")
def server(conf: Directive) -> Directive:
    return conf.one("http").one("server")


def location_for(server: Directive, path: str) -> Directive:
    """The location nginx picks for ``path`` (named locations and nesting left out)."""
    locations = [d for d in server.all("location") if not d.args[0].startswith("@")]
    for loc in locations:
        if loc.args[0] == "=" and loc.args[1] == path:
            return loc
    prefixes = [loc for loc in locations if len(loc.args) == 1 or loc.args[0] == "^~"]
    best = max(
        (loc for loc in prefixes if path.startswith(loc.args[-1])),
        key=lambda loc: len(loc.args[-1]),
        default=None,
    )
    if best is not None and best.args[0] == "^~":
        return best
    for loc in locations:
        if loc.args[0] in ("~", "~*"):
            flags = re.IGNORECASE if loc.args[0] == "~*" else 0
            if re.search(loc.args[1], path, flags):
                return loc
    assert best is not None, f"no location for {path}"
    return best


def upstream_of(location: Directive) -> str | None:
    passes = location.values("proxy_pass")
    return passes[0][0].removeprefix("http://") if passes else None


def nginx_size(value: str) -> int:
    units = {"k": 1024, "m": 1024 * 1024, "g": 1024 * 1024 * 1024}
    if value[-1].lower() in units:
        return int(value[:-1]) * units[value[-1].lower()]
    return int(value)


def test_the_two_pools_exist_with_servers(conf: Directive) -> None:
    upstreams = {d.args[0]: d for d in conf.one("http").all("upstream")}
    assert set(upstreams) == {"web", "edge"}
    for pool in upstreams.values():
        assert pool.all("server"), f"upstream {pool.args[0]} has no server"
        assert pool.all("keepalive")


@pytest.mark.parametrize(
    ("path", "upstream"),
    [
        ("/", "web"),
        ("/healthz", "web"),
        ("/readyz", "web"),
        ("/api/v1/openapi.json", "web"),
        ("/admin/login/", "web"),
        ("/edge/healthz", "edge"),
        ("/api/v1/campaigns/spring-2026/entries", "edge"),
        ("/api/v1/campaigns/spring-2026", "web"),
        ("/api/v1/me/notifications/stream", "edge"),
        ("/api/v1/me/notifications", "web"),
    ],
)
def test_paths_go_to_the_right_pool(server: Directive, path: str, upstream: str) -> None:
    assert upstream_of(location_for(server, path)) == upstream


def test_server_sent_events_are_not_buffered(server: Directive) -> None:
    stream = location_for(server, "/api/v1/me/notifications/stream")
    assert stream.values("proxy_buffering") == [["off"]]


def test_static_files_are_served_from_static_root(server: Directive) -> None:
    static = location_for(server, settings.STATIC_URL + "css/site.css")
    assert static.args == [settings.STATIC_URL]
    assert upstream_of(static) is None
    [[alias]] = static.values("alias")
    assert alias.endswith("/static/")


def test_body_limit_matches_the_default_max_body_bytes(conf: Directive, server: Directive) -> None:
    default = 10 * 1024 * 1024
    assert "10 * 1024 * 1024" in (Path(settings.BASE_DIR) / "settings.py").read_text()
    [[size]] = conf.one("http").values("client_max_body_size")
    assert nginx_size(size) == default
    too_large = next(d for d in server.all("location") if d.args == ["@too_large"])
    [[status, body]] = too_large.values("return")
    assert status == "413"
    assert str(default) in body
    assert '"code":"request.too_large"' in body


def test_request_id_and_forwarded_headers_are_set(server: Directive) -> None:
    headers = {args[0]: args[1] for args in server.values("proxy_set_header")}
    assert headers["X-Request-ID"] == "$cc_request_id"
    assert headers["X-Forwarded-Proto"] == "$scheme"
    assert headers["Host"] == "$host"
    assert ["X-Request-ID", "$cc_request_id", "always"] in server.values("add_header")


def test_request_id_map_uses_the_apps_rule(conf: Directive) -> None:
    from citizencloud.kernel.middleware import _VALID_REQUEST_ID

    mapping = next(d for d in conf.one("http").all("map") if d.args[1] == "$cc_request_id")
    patterns = [d.name for d in mapping.block if d.name.startswith("~")]
    assert patterns == ["~" + _VALID_REQUEST_ID.pattern]


@pytest.mark.parametrize(
    ("unit", "command"),
    [
        ("citizencloud-web@.service", "serve --role web"),
        ("citizencloud-edge@.service", "serve --role edge"),
        ("citizencloud-worker@.service", "citizencloud worker"),
    ],
)
def test_systemd_units_run_their_role_hardened(unit: str, command: str) -> None:
    text = (DEPLOY / "systemd" / unit).read_text()
    settings_ = dict(
        line.split("=", 1) for line in text.splitlines() if "=" in line and line[0].isalpha()
    )
    assert command in settings_["ExecStart"]
    assert settings_["KillMode"] == "mixed"
    for option in ("NoNewPrivileges", "ProtectSystem", "PrivateTmp", "ProtectHome"):
        assert option in settings_, f"{unit} lacks {option}"
    assert settings_["CapabilityBoundingSet"] == ""
    if "%i" in settings_["ExecStart"]:
        assert "--port %i" in settings_["ExecStart"]
