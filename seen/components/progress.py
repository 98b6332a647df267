"""A progress bar: how far into a title (continue watching), how far an import job got.

Generic on purpose: a value from 0 to 100 and a label that screen readers announce. The bar itself is a
plain box whose fill width is the value, so it costs nothing to draw dozens of them on one page.
"""

from __future__ import annotations

import reflex as rx


def _clamped(value: rx.Var | int | float) -> rx.Var:
    """The value kept within 0..100 (the browser draws an overfull bar over its neighbours otherwise)."""
    if isinstance(value, (int, float)):
        return rx.Var.create(max(0, min(100, round(value))))
    number = rx.Var.create(value).to(int)
    return rx.cond(number > 100, 100, rx.cond(number < 0, 0, number))


def progress_bar(
    value: rx.Var | int | float,
    label: rx.Var | str = "Progress",
    *,
    thin: bool = False,
    test_id: str = "progress-bar",
) -> rx.Component:
    """A bar filled to `value` percent; `label` names it for assistive technology."""
    percent = _clamped(value)
    return rx.box(
        rx.box(class_name="seen-progress-fill", width=percent.to_string() + "%"),
        role="progressbar",
        aria_label=label,
        aria_valuemin=0,
        aria_valuemax=100,
        aria_valuenow=percent,
        class_name="seen-progress seen-progress-thin" if thin else "seen-progress",
        data_testid=test_id,
    )


def labelled_progress(value: rx.Var | int | float, label: rx.Var | str, *, test_id: str = "progress") -> rx.Component:
    """The label and "NN%" above the bar, for a job or a task the user waits on."""
    percent = _clamped(value)
    return rx.vstack(
        rx.hstack(
            rx.text(label, size="2"),
            rx.spacer(),
            rx.text(percent.to_string() + "%", size="2", color="var(--seen-muted)", data_testid=f"{test_id}-percent"),
            width="100%",
            align="center",
        ),
        progress_bar(percent, label, test_id=f"{test_id}-bar"),
        spacing="1",
        width="100%",
        data_testid=test_id,
    )
