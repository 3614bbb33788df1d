"""Filled blocks: Excel writes a formula dragged across a block once, as a shared formula (one
master ``<f t="shared" ref="B2:J10" si="0">$A2*B$1</f>`` and children ``<f t="shared" si="0"/>``);
every child is the master moved by its offset — relative parts move, ``$`` parts stay."""

from __future__ import annotations

from refs_xlsx_helpers import read_and_evaluate, write_xlsx

from gtm_xl.excel.ooxml.cells import column_letter


def _multiplication_table(n: int) -> str:
    rows = [
        '<row r="1">' + "".join(f'<c r="{column_letter(j + 1)}1"><v>{j}</v></c>' for j in range(1, n + 1)) + "</row>"
    ]
    last = f"{column_letter(n + 1)}{n + 1}"
    for i in range(1, n + 1):
        cells = [f'<c r="A{i + 1}"><v>{i}</v></c>']
        for j in range(1, n + 1):
            ref = f"{column_letter(j + 1)}{i + 1}"
            if i == 1 and j == 1:
                cells.append(f'<c r="{ref}"><f t="shared" ref="B2:{last}" si="0">$A2*B$1</f><v>0</v></c>')
            else:
                cells.append(f'<c r="{ref}"><f t="shared" si="0"/><v>0</v></c>')
        rows.append(f'<row r="{i + 1}">' + "".join(cells) + "</row>")
    return "".join(rows)


def test_every_cell_of_a_filled_multiplication_table_uses_its_own_row_and_column(tmp_path):
    n = 9
    book, ev = read_and_evaluate(write_xlsx(tmp_path / "times.xlsx", {"T": _multiplication_table(n)}))
    assert book.sheets["T"].get((4, 6)).formula == "$A4*F$1"
    for i in range(1, n + 1):
        for j in range(1, n + 1):
            assert ev.values[("T", i + 1, j + 1)] == float(i * j), (i, j)


def test_a_shared_formula_with_a_range_and_a_fixed_anchor(tmp_path):
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, 6))
    rows = rows.replace(
        '<c r="A1"><v>1</v></c>',
        '<c r="A1"><v>1</v></c><c r="B1"><f t="shared" ref="B1:B5" si="3">SUM($A$1:A1)</f><v>0</v></c>',
    )
    for r in range(2, 6):
        rows = rows.replace(
            f'<c r="A{r}"><v>{r}</v></c>', f'<c r="A{r}"><v>{r}</v></c><c r="B{r}"><f t="shared" si="3"/><v>0</v></c>'
        )
    _, ev = read_and_evaluate(write_xlsx(tmp_path / "running.xlsx", {"S": rows}))
    assert [ev.values[("S", r, 2)] for r in range(1, 6)] == [1.0, 3.0, 6.0, 10.0, 15.0]
