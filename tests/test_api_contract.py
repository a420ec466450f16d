"""The OpenAPI document is generated from the code, so it describes every API route."""
import re

from marshmallow import class_registry


def openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule)


def test_every_api_route_is_in_the_openapi_document(app, client):
    spec = client.get("/api/v1/openapi.json").json
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/t/"):
            continue
        documented = spec["paths"].get(openapi_path(rule.rule), {})
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if method.lower() not in documented:
                missing.append(f"{method} {rule.rule}")
    assert not missing, missing
    assert len(spec["paths"]) >= 20


def test_the_contract_paths_are_documented(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path, method in [
        ("/api/v1/t/{slug}/services", "get"), ("/api/v1/t/{slug}/services", "post"),
        ("/api/v1/t/{slug}/services/{service_id}", "get"), ("/api/v1/t/{slug}/services/{service_id}", "patch"),
        ("/api/v1/t/{slug}/events", "get"), ("/api/v1/t/{slug}/events/verify", "get"),
        ("/api/v1/t/{slug}/report", "get"), ("/api/v1/t/{slug}/services/{service_id}/report", "get"),
        ("/api/v1/t/{slug}/healthcheck/reviews", "post"), ("/api/v1/t/{slug}/healthcheck/reviews", "get"),
        ("/api/v1/t/{slug}/healthcheck/reviews/{review_id}", "get"),
        ("/api/v1/t/{slug}/healthcheck/reviews/{review_id}", "patch"),
        ("/api/v1/t/{slug}/healthcheck/reviews/{review_id}/submit", "post"),
        ("/api/v1/t/{slug}/healthcheck/reviews/{review_id}/amendments", "post"),
        ("/api/v1/t/{slug}/healthcheck/compare", "get"),
    ]:
        assert method in paths.get(path, {}), f"{method.upper()} {path}"


def test_no_two_schemas_share_a_name(client):
    """The OpenAPI document names schemas by class name; two alike would hide one of them."""
    documented = client.get("/api/v1/openapi.json").json["components"]["schemas"]
    ours = ("core.", "plugins.", "cl_example_plugin")
    by_name = {}
    for name, classes in class_registry._registry.items():
        if "." in name or name.removesuffix("Schema") not in documented and name not in documented:
            continue
        modules = {cls.__module__ for cls in classes if cls.__module__.startswith(ours)}
        if len(modules) > 1:
            by_name[name] = sorted(modules)
    assert not by_name, by_name


def test_api_errors_are_plain_json(api_client, tenant):
    api = api_client("admin")
    bad_json = api.post("services", data="not json", headers={"Content-Type": "application/json"})
    assert bad_json.status_code in (400, 422)
    assert "valid JSON" in str(bad_json.json["error"])
    missing = api.get("services/999999999")
    assert missing.status_code == 404
    assert missing.json["error"]["code"] == "not_found" and "Nothing was found" in missing.json["error"]["message"]
    invalid = api.post("services", json={"name": "", "kind": "spaceship"})
    assert invalid.status_code == 422
    assert invalid.json["error"]["fields"] == {"name": ["Enter a name of 1 to 200 characters."],
                                               "kind": [invalid.json["error"]["fields"]["kind"][0]]}
    assert invalid.json["error"]["fields"]["kind"][0].startswith("Choose one of: day_centre")
