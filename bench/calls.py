"""A few HTTP calls of the benchmark (sign-in, one check request per scenario, the settle probe), with the
standard library only: the bench must not depend on a package the project does not install (`requests`)."""
from __future__ import annotations

import http.cookiejar
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # the 302 itself is the answer the caller wants to see


@dataclass
class Answer:
    status: int
    text: str


class Session:
    """Cookies kept between calls, redirects not followed."""

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str] | None = None,
        json_body: Any = None,
        form: dict[str, str] | None = None,
        timeout: float = 30,
    ) -> Answer:
        data = None
        headers = dict(headers or {})
        if json_body is not None:
            data = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        elif form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        req = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with self.opener.open(req, timeout=timeout) as response:
                return Answer(response.status, response.read().decode("utf-8", "replace"))
        except urllib.error.HTTPError as error:  # 3xx (not followed), 4xx, 5xx
            return Answer(error.code, error.read().decode("utf-8", "replace"))

    def cookie_header(self) -> str:
        # Every cookie of the jar, Secure or not: wrk replays them over plain HTTP on loopback.
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)


def request(method: str, url: str, **kwargs: Any) -> Answer:
    return Session().request(method, url, **kwargs)


def login_cookie(base: str, username: str, password: str) -> str:
    """Sign in through the login page as a browser does; the Cookie header of the signed-in session."""
    session = Session()
    page = session.request("GET", f"{base}/accounts/login/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    if token is None:
        raise SystemExit("bench: no CSRF token on the sign-in page")
    answer = session.request(
        "POST",
        f"{base}/accounts/login/",
        form={"username": username, "password": password, "csrfmiddlewaretoken": token.group(1)},
        headers={"Referer": f"{base}/accounts/login/"},
        timeout=10,
    )
    if answer.status != 302:
        raise SystemExit(f"bench: the CSA could not sign in ({answer.status})")
    return session.cookie_header()
