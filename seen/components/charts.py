"""Bar charts in the house look, on Reflex's recharts wrappers.

Data is a list of dicts (a state var); each `Series` names one numeric key of those dicts. Axes, grid and
tooltip take their colours from the theme's CSS variables, so a chart reads on the dark and light themes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import reflex as rx

ACCENT = "#00b7ff"
VIOLET = "#8b3dff"  # the brand violet (#5800a9) is too dark to read as a bar on the dark theme
AMBER = "#f5a524"
AXIS = {"fill": "var(--seen-muted)", "fontSize": 12}
TOOLTIP_BOX = {
    "background": "var(--seen-surface-2)",
    "border": "1px solid var(--seen-border)",
    "borderRadius": "10px",
    "color": "var(--seen-text)",
}


@dataclass(frozen=True, slots=True)
class Series:
    key: str  # the dict key holding the value
    label: str  # shown in the tooltip and the legend
    color: str = ACCENT


def bar_chart(
    data: rx.Var,
    *,
    category_key: str,
    series: Sequence[Series],
    height: int = 240,
    horizontal: bool = False,
    category_width: int = 110,
    test_id: str = "chart",
) -> rx.Component:
    """Bars per category: columns by default, rows (`horizontal`) when the categories are long names."""
    value_axis = {"type_": "number", "allow_decimals": False, "tick": AXIS, "axis_line": False, "tick_line": False}
    category_axis = {"data_key": category_key, "tick": AXIS, "tick_line": False, "stroke": "var(--seen-border)"}
    if horizontal:
        axes = (
            rx.recharts.x_axis(**value_axis),
            rx.recharts.y_axis(type_="category", width=category_width, interval=0, **category_axis),
        )
    else:
        axes = (rx.recharts.x_axis(**category_axis), rx.recharts.y_axis(width=40, **value_axis))
    chart = rx.recharts.bar_chart(
        rx.recharts.cartesian_grid(
            stroke_dasharray="3 3",
            stroke="var(--seen-border)",
            horizontal=not horizontal,
            vertical=horizontal,
        ),
        *axes,
        rx.recharts.graphing_tooltip(
            content_style=TOOLTIP_BOX,
            item_style={"color": "var(--seen-text)"},
            label_style={"color": "var(--seen-muted)"},
            cursor={"fill": "var(--seen-surface-2)"},
        ),
        *(
            rx.recharts.bar(
                data_key=item.key,
                name=item.label,
                fill=item.color,
                radius=[0, 6, 6, 0] if horizontal else [6, 6, 0, 0],
                max_bar_size=36,
                is_animation_active=False,
            )
            for item in series
        ),
        rx.recharts.legend(icon_type="circle", icon_size=8) if len(series) > 1 else rx.fragment(),
        data=data,
        layout="vertical" if horizontal else "horizontal",
        margin={"top": 8, "right": 12, "left": 0, "bottom": 0},
        height=height,
    )
    return rx.box(chart, class_name="seen-chart", height=f"{height}px", width="100%", data_testid=test_id)


def stat_tile(label: str, value: rx.Var | str, *, hint: str = "", test_id: str = "") -> rx.Component:
    """One big number with what it counts (the totals above the charts, the history's summary)."""
    return rx.box(
        rx.text(label, size="1", class_name="seen-stat-label"),
        rx.text(value, class_name="seen-stat-value", data_testid=test_id or None),
        rx.text(hint, size="1", color="var(--seen-muted)") if hint else rx.fragment(),
        class_name="seen-stat-tile",
    )
