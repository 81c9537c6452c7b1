"""Renovate's ``hostRules``: credentials and transport settings per host.

A rule's ``matchHost`` is either a URL prefix (``https://registry.example/v2/team``)
or a host name that matches itself and its subdomains (``example.com`` matches
``registry.example.com``). A rule without ``matchHost`` matches every host, but
credentials are never taken from such a rule: a credential is sent only to the
host its rule names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True, slots=True, kw_only=True)
class HostRule:
    match_host: str | None = None
    host_type: str | None = None
    username: str | None = None
    password: str | None = None
    token: str | None = None
    insecure_registry: bool = False
    auth_type: str | None = None  # "Basic" | "Bearer" | "Token-Only" ...

    @classmethod
    def from_config(cls, raw: Mapping[str, object]) -> HostRule:
        def text(key: str) -> str | None:
            value = raw.get(key)
            return None if value is None else str(value)

        return cls(
            match_host=text("matchHost") or text("hostName") or text("domainName") or text("baseUrl"),
            host_type=text("hostType"),
            username=text("username"),
            password=text("password"),
            token=text("token"),
            insecure_registry=bool(raw.get("insecureRegistry", False)),
            auth_type=text("authType"),
        )

    def matches(self, url: str, host_type: str | None = None) -> bool:
        if self.host_type and host_type and self.host_type != host_type:
            return False
        if not self.match_host:
            return True
        if "://" in self.match_host:
            return url.startswith(self.match_host.rstrip("/")) and (
                len(url) == len(self.match_host.rstrip("/"))
                or url[len(self.match_host.rstrip("/"))] in "/?:#"
            )
        host = (urlsplit(url if "://" in url else f"https://{url}").hostname or "").lower()
        want = self.match_host.lower().split(":")[0]
        return host == want or host.endswith("." + want)

    @property
    def has_credentials(self) -> bool:
        return bool(self.token or self.username or self.password)

    def __repr__(self) -> str:  # never show secrets
        secret = " credentials=***" if self.has_credentials else ""
        return f"HostRule(match_host={self.match_host!r}{secret})"


@dataclass(frozen=True, slots=True)
class HostRules:
    """An ordered list of rules; for a URL, matching rules merge, later wins."""

    rules: tuple[HostRule, ...] = ()

    @classmethod
    def from_config(cls, raws: Iterable[Mapping[str, object]]) -> HostRules:
        return cls(tuple(HostRule.from_config(r) for r in raws))

    def find(self, url: str, host_type: str | None = None) -> HostRule:
        """The effective rule for ``url``: matching rules merged, more specific later wins.

        Rules are ordered as Renovate orders them: no matchHost, then host names, then
        URL prefixes (longer later); credentials only come from rules with a matchHost.
        """
        matching = [r for r in self.rules if r.matches(url, host_type)]

        def specificity(rule: HostRule) -> tuple[int, int]:
            if not rule.match_host:
                return (0, 0)
            if "://" in rule.match_host:
                return (2, len(rule.match_host))
            return (1, len(rule.match_host))

        merged: dict[str, object] = {}
        for rule in sorted(matching, key=specificity):
            for key in ("username", "password", "token", "auth_type"):
                value = getattr(rule, key)
                if value is not None and rule.match_host:
                    merged[key] = value
            if rule.insecure_registry:
                merged["insecure_registry"] = True
            if rule.match_host:
                merged["match_host"] = rule.match_host
        return HostRule(**merged)  # type: ignore[arg-type]
