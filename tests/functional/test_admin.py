"""Admin routes: pins, the directory and routing rules; only the ADMIN_KEY may (locally)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import DIRECTORY
from tests.functional.conftest import ROLES, World, assert_error_shape

# Anonymous has no credentials (401); a person's session, even an admin-role officer's, is known but is not
# the admin credential (403); the ADMIN_KEY passes.
ADMIN_ONLY = {role: 403 for role in ROLES} | {"anonymous": 401, "admin_key": 200}
NEW_OFFICER_PHONES = {role: f"137000000{index:02d}" for index, role in enumerate(ROLES)}


def admin_routing(people: World) -> dict[str, Any]:
    status, routing, _ = people.api.admin("GET", "/admin/routing")
    assert status == 200
    return dict(routing)


@pytest.mark.parametrize("role", ROLES)
def test_who_may_pin_a_post(people: World, role: str) -> None:
    post = people.api.new_post(people.token("citizen"))
    status, data, _ = people.api.call(
        "PUT", f"/admin/posts/{post['id']}/pin", {"scope": "board"}, token=people.token(role)
    )
    assert status == ADMIN_ONLY[role], data
    assert people.api.detail(post["id"])["post"]["pinned"] is (status == 200)
    if status == 200:
        assert data["id"] == post["id"] and data["pinned"] is True


@pytest.mark.parametrize("role", ROLES)
def test_who_may_unpin_a_post(people: World, role: str) -> None:
    post = people.api.new_post(people.token("citizen"))
    assert people.api.admin("PUT", f"/admin/posts/{post['id']}/pin", {"scope": "global"})[0] == 200
    status, data, _ = people.api.call("DELETE", f"/admin/posts/{post['id']}/pin", token=people.token(role))
    assert status == ADMIN_ONLY[role], data
    assert people.api.detail(post["id"])["post"]["pinned"] is (status != 200)
    if status == 200:
        assert data["pinned"] is False


@pytest.mark.parametrize("role", ROLES)
def test_who_may_put_a_unit(people: World, role: str) -> None:
    unit_id = f"unit-{role}"
    body = {
        "name": f"{role}派出所",
        "kind": "station",
        "district": "青山区",
        "parent_id": "command-center",
        "public_contact": "0472-0000000",
    }
    status, data, _ = people.api.call("PUT", f"/admin/units/{unit_id}", body, token=people.token(role))
    assert status == ADMIN_ONLY[role], data
    units = {u["id"]: u for u in people.api.call("GET", "/units")[1]["units"]}
    assert (unit_id in units) is (status == 200)
    if status == 200:
        assert data["id"] == unit_id and data["name"] == body["name"]
        assert units[unit_id]["name"] == body["name"] and units[unit_id]["public_contact"] == "0472-0000000"


@pytest.mark.parametrize("role", ROLES)
def test_who_may_put_an_officer(people: World, role: str) -> None:
    phone = NEW_OFFICER_PHONES[role]
    body = {
        "name": "赵警官",
        "title": "户籍民警",
        "phone": phone,
        "unit_id": "kunqu",
        "role": "officer",
        "on_duty": True,
    }
    status, data, _ = people.api.call("PUT", f"/admin/officers/o-new-{role}", body, token=people.token(role))
    assert status == ADMIN_ONLY[role], data
    token = people.api.sign_in(phone)
    me = people.api.call("GET", "/me", token=token)[1]
    assert me["role"] == ("officer" if status == 200 else "citizen")
    if status == 200:
        assert me["nickname"] == "赵警官"


@pytest.mark.parametrize("role", ROLES)
def test_who_may_read_the_routing_rules(people: World, role: str) -> None:
    status, data, _ = people.api.call("GET", "/admin/routing", token=people.token(role))
    assert status == ADMIN_ONLY[role], data
    if status == 200:
        assert set(data) == {"rules", "default_unit_id"}
        assert {"board": "report", "district": "昆都仑区", "unit_id": "kunqu"}.items() <= data["rules"][0].items()
    else:
        assert "rules" not in data


@pytest.mark.parametrize("role", ROLES)
def test_who_may_replace_the_routing_rules(people: World, role: str) -> None:
    rules = [*DIRECTORY["routing"]["rules"], {"board": "traffic", "type": "report", "unit_id": "qingfu"}]
    before = admin_routing(people)
    status, data, _ = people.api.call("PUT", "/admin/routing", {"rules": rules}, token=people.token(role))
    assert status == ADMIN_ONLY[role], data
    after = admin_routing(people)
    if status == 200:
        assert len(after["rules"]) == 3 and after["rules"][2]["board"] == "traffic" and data == after
        assert people.api.admin("PUT", "/admin/routing", DIRECTORY["routing"])[0] == 200  # as it was
    else:
        assert after == before


def test_a_bad_admin_key_is_401(people: World) -> None:
    status, data, _ = people.api.call("GET", "/admin/routing", token="not-the-admin-key")
    assert status == 401
    assert_error_shape(data)


def test_replacing_routing_replaces_the_whole_set_and_defaults_to_the_command_center(people: World) -> None:
    only = {"rules": [{"board": "hukou", "unit_id": "qingfu"}]}
    status, data, _ = people.api.admin("PUT", "/admin/routing", only)
    assert status == 200
    assert [(r["board"], r["unit_id"]) for r in data["rules"]] == [("hukou", "qingfu")]
    assert data["default_unit_id"] == "command-center"
    assert admin_routing(people) == data
    assert people.api.admin("PUT", "/admin/routing", DIRECTORY["routing"])[0] == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"rules": [{"board": "nope", "unit_id": "kunqu"}]}, "rules[0].board"),
        ({"rules": [{"board": "report", "type": "nope", "unit_id": "kunqu"}]}, "rules[0].type"),
        ({"rules": [{"board": "report", "district": "朝阳区", "unit_id": "kunqu"}]}, "rules[0].district"),
        ({"rules": [{"board": "report", "unit_id": "no-such-unit"}]}, "rules[0].unit_id"),
        ({"rules": [], "default_unit_id": "no-such-unit"}, "default_unit_id"),
        ({"rules": [{"board": "report", "unit_id": "kunqu", "extra": 1}]}, None),
        ({}, "rules"),
    ],
)
def test_bad_routing_is_400_and_the_rules_stay(people: World, body: dict, field: str | None) -> None:
    before = admin_routing(people)
    status, data, _ = people.api.admin("PUT", "/admin/routing", body)
    assert status == 400
    assert_error_shape(data, "validation_error")
    if field:
        assert field in data["error"]["fields"]
    assert admin_routing(people) == before


@pytest.mark.parametrize(
    ("unit_id", "body", "field"),
    [
        ("unit-x", {"name": "某所", "kind": "police_box"}, "kind"),
        ("unit-x", {"name": "某所", "kind": "station", "parent_id": "no-such-unit"}, "parent_id"),
        ("unit-x", {"kind": "station"}, "name"),
        ("unit-x", {"name": "", "kind": "station"}, "name"),
        ("unit-x", {"name": "某所", "kind": "station", "phone": "123"}, "phone"),
        ("unit.x", {"name": "某所", "kind": "station"}, "unit_id"),
    ],
)
def test_a_bad_unit_is_400_and_not_stored(people: World, unit_id: str, body: dict, field: str) -> None:
    status, data, _ = people.api.admin("PUT", f"/admin/units/{unit_id}", body)
    assert status == 400
    assert field in data["error"]["fields"]
    assert unit_id not in [u["id"] for u in people.api.call("GET", "/units")[1]["units"]]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"unit_id": "no-such-unit", "phone": "13711110001"}, "unit_id"),
        ({"phone": DIRECTORY["officers"]["o-center"]["phone"]}, "phone"),  # another officer's phone
        ({"phone": "12345"}, "phone"),
        ({"role": "superuser", "phone": "13711110002"}, "role"),
        ({"on_duty": "yes", "phone": "13711110003"}, "on_duty"),
        ({"email": "not-an-email", "phone": "13711110004"}, "email"),
        ({"name": "钱" * 21, "phone": "13711110005"}, "name"),
    ],
)
def test_a_bad_officer_is_400_and_not_stored(people: World, body: dict, field: str) -> None:
    officer = {"name": "钱警官", "title": "民警", "unit_id": "kunqu", "role": "officer", "on_duty": True, **body}
    status, data, _ = people.api.admin("PUT", "/admin/officers/o-bad", officer)
    assert status == 400
    assert field in data["error"]["fields"]
    if officer["phone"].startswith("137"):  # that phone still signs in as a citizen
        assert people.api.call("GET", "/me", token=people.api.sign_in(officer["phone"]))[1]["role"] == "citizen"
    center = people.api.call("GET", "/me", token=people.token("center_officer"))[1]
    assert center["id"] == "o-center" and center["nickname"] == DIRECTORY["officers"]["o-center"]["name"]


def test_pinning_an_unknown_post_is_404(people: World) -> None:
    for method, body in (("PUT", {"scope": "global"}), ("DELETE", None)):
        status, data, _ = people.api.admin(method, "/admin/posts/p0000000000000000/pin", body)
        assert status == 404
        assert_error_shape(data, "not_found")
