"""Security headers on every response."""
import re

from core.testing import make_app


def test_pages_and_the_api_carry_the_security_headers(tenant, signed_in, api_client):
    page = signed_in("admin").get(f"/t/{tenant.slug}/report")
    csp = page.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    for directive in ("default-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "form-action 'self'"):
        assert directive in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    styles = re.findall(r"<style([^>]*)>", html)
    assert styles and all(f'nonce="{nonce}"' in attrs for attrs in styles)
    assert not re.search(r"\son[a-z]+=", html)  # no inline event handlers
    api = api_client("admin").get("services")
    assert api.headers["Cache-Control"] == "no-store" and api.headers["X-Content-Type-Options"] == "nosniff"


def test_static_files_may_be_cached(client):
    response = client.get("/static/app.js")
    assert response.status_code == 200
    assert response.headers.get("Cache-Control") != "no-store"


def test_production_sends_hsts_and_secure_cookies(database):
    app = make_app(database.url, PRODUCTION=True)
    client = app.test_client()
    insecure = client.get("/sign-in")
    assert insecure.status_code == 302 and insecure.headers["Location"].startswith("https://")
    secure = client.get("/sign-in", base_url="https://localhost")
    assert secure.status_code == 200
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


def test_every_answer_has_a_nonce_of_its_own_and_a_kept_page_carries_it(tenant, signed_in):
    client = signed_in("admin")
    nonces = []
    for _ in range(3):  # the second and third are the kept page, filled in as it leaves
        page = client.get(f"/t/{tenant.slug}/report")
        nonce = re.search(r"script-src 'self' 'nonce-([^']+)'; style-src 'self' 'nonce-([^']+)';",
                          page.headers["Content-Security-Policy"])
        assert nonce and nonce.group(1) == nonce.group(2)
        assert all(f'nonce="{nonce.group(1)}"' in attrs for attrs in re.findall(r"<style([^>]*)>", page.get_data(as_text=True)))
        nonces.append(nonce.group(1))
    assert len(set(nonces)) == 3 and all(len(n) >= 32 for n in nonces)


def test_production_sends_hsts_only_over_https(database):
    client = make_app(database.url, PRODUCTION=True).test_client()
    behind_proxy = client.get("/sign-in", headers={"X-Forwarded-Proto": "https"})
    assert behind_proxy.status_code == 200 and behind_proxy.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "Strict-Transport-Security" not in make_app(database.url).test_client().get(
        "/sign-in", base_url="https://localhost").headers
