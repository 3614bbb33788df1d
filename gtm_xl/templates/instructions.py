"""The Instructions sheet every template opens with: what to fill, what each output means."""

from __future__ import annotations

from collections.abc import Sequence

from gtm_xl.templates.layout import Builder


def instructions_sheet(b: Builder, title: tuple[str, str], lines: Sequence[tuple[tuple[str, str], object]]) -> None:
    """An Instructions sheet: the title, then headings (short lines) and paragraphs."""
    ws = b.sheet("Instructions", {"A": 3, "B": 110}, tab="1F3864")
    b.title(
        ws,
        title,
        (
            f"Template {b.template_id} {b.version} · {b.variant} flavour",
            f"模板 {b.template_id} {b.version} · {'UDF函数版' if b.flavour == 'udf' else '内置函数版'}",
        ),
    )
    row = 4
    for text, _ in lines:
        heading = len(text[0]) < 60
        b.put(ws, f"B{row}", text, "section" if heading else "note")
        if not heading:
            ws.row_dimensions[row].height = 15 * (1 + len(b.t(text)) // (110 if b.lang == "en" else 55))
        row += 1 if not heading else 1
    flavour_note = (
        "Flavour udf: the grey cells call the GTM_* functions of the gtm-xl add-in (or are filled by "
        "'gtm-xl refresh'). Flavour native: the same results with Excel's built-in functions only.",
        "UDF版：灰色单元格调用 gtm-xl 加载项的 GTM_* 函数（或由 gtm-xl refresh 计算）。"
        "内置函数版：仅用Excel内置函数得到相同结果。",
    )
    b.put(ws, f"B{row + 1}", flavour_note, "note")
    ws.row_dimensions[row + 1].height = 30
    if b.flavour == "native":
        b.put(
            ws,
            f"B{row + 2}",
            (
                "Native splits use the largest-remainder method in one SUMPRODUCT formula per part: "
                "each part gets the whole units of its quota, the units left over go to the "
                "largest fractions (ties: larger weight, then earlier row), so parts always add "
                "up to the total.",
                "内置函数版的拆分在每个单元格用一个SUMPRODUCT公式实现最大余数法：各部分先取配额的整数单位，"
                "剩余单位按小数部分从大到小分配（相同时权重大者、靠前者优先），合计始终等于总额。",
            ),
            "note",
        )
        ws.row_dimensions[row + 2].height = 30
        row += 1
    b.put(
        ws,
        f"B{row + 2}",
        (
            "Sheets are protected without a password (Review › Unprotect Sheet).",
            "工作表已保护但无密码（审阅 › 撤销工作表保护）。",
        ),
        "note",
    )
