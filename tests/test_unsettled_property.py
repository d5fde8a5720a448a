"""A default hmsconf cannot verify never causes a change (§10.1, DESIGN decision 10).

For random valid documents, a "server" that fills every field the file leaves
out, and puts random plausible values in the fields whose default is not
settled, still leaves nothing to change after apply: what the server chose
for a field the file omits is never compared. Permissions stay compared.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hmsconf.model import catalogue
from hmsconf.model.copies import plain
from hmsconf.plan import normalize
from hmsconf.plan.fields import diff

ROLES = ("host", "guest", "viewer")
FLAGS = tuple(catalogue.defaults("Template", ("roles", catalogue.STAR, "permissions")))

roles = st.dictionaries(
    st.sampled_from(ROLES),
    st.fixed_dictionaries({}, optional={
        "permissions": st.dictionaries(st.sampled_from(FLAGS), st.booleans(), max_size=4),
        "publishParams": st.fixed_dictionaries({}, optional={
            "allowed": st.lists(st.sampled_from(["audio", "video", "screen"]), unique=True),
            "video": st.fixed_dictionaries({}, optional={"width": st.integers(50, 1920), "frameRate": st.integers(1, 30)}),
        }),
        "subscribeParams": st.fixed_dictionaries({}, optional={"subscribeToRoles": st.lists(st.sampled_from(ROLES), unique=True)}),
        "maxPeerCount": st.integers(-1, 100),
        "priority": st.integers(1, 5),
    }),
    min_size=1,
)
templates = st.fixed_dictionaries({"roles": roles}, optional={
    "settings": st.fixed_dictionaries({}, optional={"roomState": st.fixed_dictionaries({}, optional={"enabled": st.booleans()})}),
})


def _plausible(default, draw):
    value = default.value
    if isinstance(value, bool):
        return draw(st.booleans())
    if isinstance(value, int):
        return draw(st.integers(max(1, value // 2), value * 2 + 5))
    if isinstance(value, list):
        return draw(st.lists(st.sampled_from(ROLES), unique=True))
    if isinstance(value, str):
        return draw(st.sampled_from(["in", "us", "eu"]))
    return value


def _serve(kind: str, body: dict, draw) -> dict:
    """As a server might store ``body``: defaults filled, unsettled ones its own choice."""
    served = catalogue.fill(kind, plain(body), server=True)
    for pattern in catalogue.unsettled_paths(kind):
        default = catalogue.node_at(kind, pattern).default
        for path, _, parent in list(catalogue._follow(served, pattern[:-1], ())) if len(pattern) > 1 else [((), served, None)]:
            container = parent[path[-1]] if path else served
            if isinstance(container, dict) and pattern[-1] not in _declared(body, path + (pattern[-1],)):
                container[pattern[-1]] = _plausible(default, draw)
    return served


def _declared(body: dict, path: tuple) -> set:
    node = body
    for part in path[:-1]:
        if not isinstance(node, dict) or part not in node:
            return set()
        node = node[part]
    return set(node) if isinstance(node, dict) else set()


@settings(max_examples=60, deadline=None)
@given(st.data(), templates)
def test_a_server_that_fills_unsettled_fields_its_own_way_plans_nothing(data, body):
    served = _serve("Template", body, data.draw)
    parts = normalize.managed_template_parts(body)
    want = normalize.template(body, None, parts)
    have = normalize.compare("Template", want, normalize.template(served, None, parts))
    assert diff(have, want) == []


@settings(max_examples=40, deadline=None)
@given(st.data(), st.fixed_dictionaries({"name": st.just("lobby")}, optional={
    "size": st.integers(0, 100), "region": st.sampled_from(["auto", "in", "us", "eu"]), "description": st.text(max_size=5)}))
def test_a_room_region_the_server_resolved_plans_nothing(data, body):
    served = _serve("Room", body, data.draw)
    if body.get("region") not in (None, "auto"):
        served["region"] = body["region"]  # a declared region is stored as sent
    fields = normalize.managed_room_fields(body)
    want = normalize.room(body, "t", fields)
    have = normalize.compare("Room", want, normalize.room(served, "t", fields))
    assert diff(have, want) == []


@given(st.sampled_from(FLAGS), st.booleans())
def test_a_permission_the_file_omits_is_still_compared(flag, live_value):
    default = catalogue.defaults("Template", ("roles", catalogue.STAR, "permissions"))[flag]
    want = normalize.template({"roles": {"host": {}}}, None, ("roles",))
    served = {"roles": {"host": {"permissions": {flag: live_value}}}}
    have = normalize.compare("Template", want, normalize.template(served, None, ("roles",)))
    assert bool(diff(have, want)) == (live_value != default)
