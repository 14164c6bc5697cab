"""Every XLSX file the app sends is saved here, so user text never becomes a live formula."""
from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook

# What a spreadsheet may read as the start of a formula when the cell is typed or edited
# (OWASP "CSV injection"): such text is stored as text and marked to stay text if edited.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulas(wb: Workbook) -> Workbook:
    """Store every cell that would start a formula as plain text, with Excel's quote prefix."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith(_FORMULA_STARTS)):
                    cell.data_type = "s"  # openpyxl takes any text starting with "=" for a formula
                    cell.quotePrefix = True
    return wb


def workbook_bytes(wb: Workbook) -> bytes:
    """The workbook saved to bytes, ready to send, with no formula written from user text."""
    buffer = BytesIO()
    neutralise_formulas(wb).save(buffer)
    return buffer.getvalue()
