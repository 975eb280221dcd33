"""The dashboard's charts: SVG that parses, says what it shows to screen readers, scales,
runs nothing, and draws every community in the same neutral colour."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from gettext import NullTranslations

from markupsafe import Markup

from app.outcomes import exports
from app.outcomes.charts import INK, MARK, RULE, Bar, Shift, bar_chart, change_chart
from tests.outcomes.test_dashboard import document, known_session

SVG = "{http://www.w3.org/2000/svg}"
NEUTRAL = {INK, MARK, RULE, "#ffffff", "none"}


def check_svg(svg: Markup) -> ET.Element:
    """Parses; role img with a title and a description it points at; a viewBox; no script,
    no event handler, no style, no link out; only the neutral colours."""
    root = ET.fromstring(str(svg))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("viewBox", "").startswith("0 0 320 ")
    assert root.get("width") is None and root.get("height") is None  # it scales with its box
    ids = root.get("aria-labelledby", "").split()
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and desc is not None and (title.text or "").strip()
    assert ids == [title.get("id"), desc.get("id")]
    for element in root.iter():
        assert element.tag not in (f"{SVG}script", f"{SVG}foreignObject", f"{SVG}a", f"{SVG}image", f"{SVG}style")
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (element.tag, name)
            assert name not in ("style", "href", "{http://www.w3.org/1999/xlink}href")
            if name in ("fill", "stroke"):
                assert value in NEUTRAL, (element.tag, name, value)
    return root


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def test_a_bar_chart_labels_its_bars_and_draws_every_community_alike() -> None:
    svg = bar_chart(
        chart_id="c1",
        title="Participants",
        bars=[Bar("Community A", 6, "6"), Bar("Community B", 12, "12"), Bar("Համայնք Գ", 3, "3")],
        note="Not shown: Community D.",
    )
    assert svg is not None
    root = check_svg(svg)
    assert {"Community A", "Community B", "Համայնք Գ", "6", "12", "3"} <= set(texts(root))
    assert any("Community D" in t for t in texts(root))
    bars = list(root.iter(f"{SVG}rect"))
    assert len(bars) == 3 and {b.get("fill") for b in bars} == {MARK}
    widths = [float(b.get("width", 0)) for b in bars]
    assert widths[1] == max(widths) and widths[0] == widths[1] / 2 and widths[2] == widths[1] / 4


def test_words_in_a_chart_are_text_never_markup() -> None:
    svg = bar_chart(chart_id='x" onload="alert(1)', title="<script>alert(1)</script>", bars=[Bar("<b>&", 1, "1")])
    assert svg is not None
    root = check_svg(svg)
    assert "<b>&" in texts(root)
    title = root.find(f"{SVG}title")
    assert title is not None and title.text == "<script>alert(1)</script>"


def test_nothing_to_draw_is_no_chart() -> None:
    assert bar_chart(chart_id="c", title="t", bars=[]) is None
    assert change_chart(chart_id="c", title="t", rows=[], scale=(0, 100), before_label="B", after_label="A") is None


def test_a_change_chart_shows_before_after_and_the_interval_within_its_scale() -> None:
    svg = change_chart(
        chart_id="c2",
        title="Warmth",
        rows=[
            Shift("Community A", 40, 55, 5, 25, "40 → 55, change +15 (95 %: +5 to +25), 6 people"),
            Shift("Community B", 90, 98, -20, 40, "90 → 98"),  # an interval past the scale's end
            Shift("Community C", 50, 50, None, None, "50 → 50"),  # one pair: no interval
        ],
        scale=(0, 100),
        before_label="Before",
        after_label="After",
    )
    assert svg is not None
    root = check_svg(svg)
    words = texts(root)
    assert "Community A" in words and "Before" in words and "After" in words and "100" in words
    assert any("+15" in w for w in words)  # the change, wrapped but whole
    for element in root.iter():
        for name in ("x1", "x2", "cx"):
            value = element.get(name)
            if value is not None:
                assert 0 <= float(value) <= 320
    filled = [c for c in root.iter(f"{SVG}circle") if c.get("fill") == MARK]
    assert len(filled) == 1 + 3  # the legend's and each community's mean after


async def test_every_chart_of_a_real_dashboard_is_safe(app, make_surveyed) -> None:
    surveyed = await make_surveyed(per_community=5)
    await known_session(surveyed)
    for session_id in (surveyed.room.session_id, None):
        doc = await document(app, surveyed.programme_id, session_id)
        reading = exports.read(doc, language="en", languages=["en"], catalog=NullTranslations())
        drawn = [f for f in reading.figures() if f.svg is not None]
        assert len(drawn) >= 4
        ids = set()
        for figure in drawn:
            assert figure.svg is not None
            root = check_svg(figure.svg)
            ids.add(root.get("aria-labelledby"))
        assert len(ids) == len(drawn)  # one page, no two charts with the same ids
        # The change of warmth towards b is drawn for a; b is hidden and the chart says so.
        change = next(f for f in reading.figures() if f.key == "change-warmth_b")
        assert "Not shown, fewer than 5 people: Community B." in " ".join(texts(ET.fromstring(str(change.svg))))
        # All of its groups too small: no chart, the page says so.
        assert next(f for f in reading.figures() if f.key == "change-warmth_a").svg is None
