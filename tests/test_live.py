"""live.py: what is kept of the live workspace, and how it is fingerprinted."""

import weakref

from hypothesis import given
from hypothesis import strategies as st

from hmsconf.api.live import LiveTemplate, template_fingerprint
from tests.factories import template

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=30,
)


@given(st.dictionaries(st.text(max_size=8), json_values, max_size=6))
def test_a_packed_body_reads_back_exactly_with_its_key_order(body):
    read = LiveTemplate("id", "name", body).body
    assert read == body
    assert list(read) == list(body)


def test_the_body_is_decoded_once_while_a_caller_holds_it():
    live = LiveTemplate("id", "webinar", template("webinar", 3))
    held = live.body
    assert live.body is held
    assert len(held["roles"]) == 3


def test_once_every_holder_drops_it_only_the_packed_form_is_left():
    live = LiveTemplate("id", "webinar", template("webinar", 3))
    decoded = weakref.ref(live.body)
    assert decoded() is None
    assert len(live.body["roles"]) == 3


def test_the_fingerprint_follows_the_content_not_the_packing():
    body = template("webinar", 3)
    same = LiveTemplate("a", "webinar", body)
    changed_body = template("webinar", 3)
    changed_body["roles"]["role-0"]["priority"] = 7
    changed = LiveTemplate("a", "webinar", changed_body)
    assert template_fingerprint("salt", same) == template_fingerprint("salt", LiveTemplate("a", "webinar", body))
    assert template_fingerprint("salt", same) != template_fingerprint("salt", changed)
