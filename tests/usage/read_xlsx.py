"""Prints an XLSX file's sheets as JSON: {"sheets": {name: [[cell, ...], ...]}}.

Used by the end-to-end test of Submit Usage Records (xtask/src/e2e.rs) to read the uploaded
usage file with openpyxl, a reader independent of the writer that made it.
"""
import json
import sys

import openpyxl


def main(path):
    book = openpyxl.load_workbook(path, read_only=True)
    sheets = {}
    for sheet in book.worksheets:
        sheets[sheet.title] = [list(row) for row in sheet.iter_rows(values_only=True)]
    json.dump({"sheets": sheets}, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
