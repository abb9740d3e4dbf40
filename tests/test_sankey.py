"""The Sankey diagram of moves between chain steps: its layout measured against the counts, and
the SVG it renders to (well-formed, escaped, no style attributes for the CSP and the PDF)."""

import re
import xml.etree.ElementTree as ET

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from trajectories.sankey import BAND_HEIGHT, MIN_NODE_HEIGHT, NODE_GAP, sankey

SVG = "{http://www.w3.org/2000/svg}"
STEPS = [(1, "Sociale netwerken"), (2, "Dagbesteding"), (3, "Arbeidsmatig"), (4, "Beschut werk")]
SOURCES = [("in", "Came in"), *STEPS]
TARGETS = [*STEPS, ("paid", "Paid work"), ("other", "Left otherwise")]
MOVES = {
    ("in", 1): 80,
    ("in", 2): 35,
    ("in", 3): 12,
    (1, 2): 40,
    (1, "other"): 9,
    (2, 3): 22,
    (2, "other"): 3,
    (3, 4): 15,
    (3, "paid"): 6,
    (4, "paid"): 1,
}


def band_edges(d):
    """(start top, start bottom, end top, end bottom) of a band's path: it starts at the top
    left, runs to the top right, down the right end and back along the bottom."""
    points = [(float(x), float(y)) for x, y in re.findall(r"(-?[\d.]+),(-?[\d.]+)", d)]
    (_, start_top), (_, end_top), (_, end_bottom), (_, start_bottom) = (
        points[0],
        points[3],
        points[4],
        points[7],
    )
    return start_top, start_bottom, end_top, end_bottom


def column(layout, anchor):
    return [node for node in layout["nodes"] if node["anchor"] == anchor]


def render(layout, title="Moves"):
    with translation.override("en"):
        return render_to_string("reports/sankey.html", {"sankey": layout, "title": title})


def test_a_band_is_as_thick_as_its_count_at_both_ends():
    layout = sankey(SOURCES, TARGETS, MOVES)
    total = sum(MOVES.values())
    for link in layout["links"]:
        start_top, start_bottom, end_top, end_bottom = band_edges(link["d"])
        expected = BAND_HEIGHT * link["count"] / total
        assert start_bottom - start_top == pytest.approx(expected, abs=0.11)
        assert end_bottom - end_top == pytest.approx(expected, abs=0.11)


def test_a_node_is_as_high_as_its_bands_together_or_the_minimum():
    layout = sankey(SOURCES, TARGETS, MOVES)
    for anchor, label_of, edges in (
        ("start", "source_label", slice(0, 2)),
        ("end", "target_label", slice(2, 4)),
    ):
        for node in column(layout, anchor):
            bands = [
                band_edges(link["d"])[edges]
                for link in layout["links"]
                if link[label_of] == node["label"]
            ]
            thickness = sum(bottom - top for top, bottom in bands)
            assert node["height"] == pytest.approx(max(thickness, MIN_NODE_HEIGHT), abs=0.2)
            assert node["count"] == sum(
                link["count"] for link in layout["links"] if link[label_of] == node["label"]
            )
            # The bands fill the bar from its top, none outside it.
            assert min(top for top, _bottom in bands) == pytest.approx(node["y"], abs=0.11)
            assert max(bottom for _top, bottom in bands) <= node["y"] + node["height"] + 0.11


def test_a_node_of_a_few_residents_among_many_still_shows():
    layout = sankey(SOURCES, TARGETS, {("in", 1): 3000, ("in", 4): 1})
    beschut = next(node for node in column(layout, "end") if node["label"] == "Beschut werk")
    assert beschut["height"] == MIN_NODE_HEIGHT
    link = next(link for link in layout["links"] if link["target_label"] == "Beschut werk")
    start_top, start_bottom, _end_top, _end_bottom = band_edges(link["d"])
    assert start_bottom - start_top == pytest.approx(0.1, abs=0.1)


def test_nodes_stand_in_the_given_order_without_overlapping():
    layout = sankey(SOURCES, TARGETS, MOVES)
    left, right = column(layout, "start"), column(layout, "end")
    assert [node["label"] for node in left] == [label for _key, label in SOURCES]
    assert [node["label"] for node in right] == [label for _key, label in TARGETS]
    for nodes in (left, right):
        for above, below in zip(nodes, nodes[1:], strict=False):
            assert below["y"] == pytest.approx(above["y"] + above["height"] + NODE_GAP, abs=0.11)
        assert nodes[-1]["y"] + nodes[-1]["height"] <= layout["height"]
    assert {node["x"] for node in left} == {0}
    assert {node["x"] + node["width"] for node in right} == {layout["width"]}


def test_steps_no_one_passed_through_are_left_out():
    layout = sankey(SOURCES, TARGETS, {("in", 1): 5, ("in", 3): 0, (1, "paid"): 2})
    assert [(node["label"], node["count"]) for node in layout["nodes"]] == [
        ("Came in", 5),
        ("Sociale netwerken", 2),
        ("Sociale netwerken", 5),
        ("Paid work", 2),
    ]
    assert len(layout["links"]) == 2


def test_bands_leave_and_arrive_in_the_order_of_the_other_column():
    # Given in an order of their own, the bands still stack as the columns do, so the two
    # that leave "Came in" don't cross.
    layout = sankey(SOURCES, TARGETS, {("in", 2): 10, (1, 2): 5, ("in", 1): 20})
    tops = {
        (link["source_label"], link["target_label"]): band_edges(link["d"])
        for link in layout["links"]
    }
    to_first, to_second = tops[("Came in", "Sociale netwerken")], tops[("Came in", "Dagbesteding")]
    assert to_first[1] == pytest.approx(to_second[0], abs=0.11)
    from_in, from_first = (
        tops[("Came in", "Dagbesteding")],
        tops[("Sociale netwerken", "Dagbesteding")],
    )
    assert from_in[3] == pytest.approx(from_first[2], abs=0.11)


def test_a_band_has_its_origins_colour_and_a_step_one_colour_on_both_sides():
    layout = sankey(SOURCES, TARGETS, MOVES)
    colour_of = {(node["anchor"], node["label"]): node["colour"] for node in layout["nodes"]}
    for link in layout["links"]:
        assert link["colour"] == colour_of[("start", link["source_label"])]
    assert colour_of[("start", "Dagbesteding")] == colour_of[("end", "Dagbesteding")]
    assert len(set(colour_of.values())) == len({label for _anchor, label in colour_of})


def test_a_long_label_is_shortened_but_keeps_its_count():
    long = "Arbeidsmatige dagbesteding met begeleiding op de werkvloer"
    layout = sankey([("in", "Came in")], [(3, long)], {("in", 3): 12})
    node = column(layout, "end")[0]
    assert node["label"] == long
    assert node["short_label"].endswith("… (12)")
    assert long.startswith(node["short_label"].removesuffix("… (12)"))
    assert len(node["short_label"]) * 7 < layout["width"] / 2
    assert column(layout, "start")[0]["short_label"] == "Came in (12)"


def test_without_moves_nothing_is_drawn_and_the_chart_says_so():
    for moves in ({}, {("in", 1): 0}):
        layout = sankey(SOURCES, TARGETS, moves)
        assert layout["nodes"] == [] and layout["links"] == []
        assert 0 < layout["height"] < 100
        svg = ET.fromstring(render(layout))
        assert [text.text for text in svg.iter(f"{SVG}text")] == ["Nothing to count."]


def test_moves_between_unknown_steps_are_refused():
    with pytest.raises(ValueError):
        sankey(SOURCES, TARGETS, {("in", 99): 3})


def test_the_svg_is_well_formed_with_a_tooltip_per_band_and_no_style():
    layout = sankey(SOURCES, TARGETS, MOVES)
    svg = ET.fromstring(render(layout, title="Moves in 2026"))
    assert svg.get("role") == "img"
    assert svg.get("aria-label") == "Moves in 2026: chart, its figures are in the table"
    assert not [element for element in svg.iter() if "style" in element.attrib]
    assert svg.find(f"{SVG}style") is None
    paths = svg.findall(f"{SVG}path")
    assert [path.find(f"{SVG}title").text for path in paths][:4] == [
        "Came in → Sociale netwerken: 80",
        "Came in → Dagbesteding: 35",
        "Came in → Arbeidsmatig: 12",
        "Sociale netwerken → Dagbesteding: 40",
    ]
    assert {path.get("fill-opacity") for path in paths} == {"0.45"}
    assert len(svg.findall(f"{SVG}rect")) == len(layout["nodes"])


def test_numbers_are_not_localised_in_the_svg():
    layout = sankey(SOURCES, TARGETS, MOVES)
    with translation.override("nl"):
        svg = render_to_string("reports/sankey.html", {"sankey": layout, "title": "Moves"})
    # A Dutch decimal comma would break the coordinates.
    assert re.search(r'height="\d+\.\d"', svg)
    assert not re.search(r'(x|y|height)="\d+,\d', svg)


def test_markup_in_a_label_is_escaped():
    script = "<script>alert(1)</script> & co"
    layout = sankey([("in", script)], [(1, "Dagbesteding")], {("in", 1): 4})
    rendered = render(layout)
    assert "<script>" not in rendered
    svg = ET.fromstring(rendered)
    assert svg.find(f"{SVG}path/{SVG}title").text == f"{script} → Dagbesteding: 4"
    assert svg.find(f"{SVG}rect/{SVG}title").text == f"{script} (4)"
