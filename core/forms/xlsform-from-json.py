#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes a JSON form document (core/forms/README.md) as an XLSForm workbook (.xlsx).

    core/forms/xlsform-from-json.py core/forms/trafficking-screening.json \
        core/forms/trafficking-screening.xlsx

The workbook has XLSForm's survey, choices and settings sheets, plus this project's own:
the columns sensitive, audience, htcds and indicator (JSON), and a scoring sheet (one row per
member of "scoring", its value in the column json; lists take one row per item).
Organisations adapt the form in a spreadsheet and import it with `intakectl form import`;
tests/core/test-xlsform.c imports this file and checks that it gives the JSON document back.

Only the standard library: the zip is zipfile's, the XML is written with escapes from
xml.sax.saxutils.  The output is byte-for-byte reproducible (fixed timestamps).
"""
import json
import sys
import zipfile
from xml.sax.saxutils import escape

LANGUAGE_NAMES = {"en": "English", "id": "Bahasa Indonesia"}
SCORING_LISTS = ("dimensions", "thresholds", "rules", "urgent", "referrals")
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"


def language_header(base, code):
    return "%s::%s (%s)" % (base, LANGUAGE_NAMES.get(code, code), code)


def compact(value):
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def flag(value):
    if value is True:
        return "yes"
    if value in (False, None):
        return ""
    return value  # An expression.


def build_sheets(doc):
    languages = doc["languages"]
    text_columns = ("label", "hint", "child_label", "child_hint", "constraint_message",
                    "required_message")
    survey_header = ["type", "name"]
    for base in ("label", "hint", "child_label", "child_hint"):
        survey_header += [language_header(base, code) for code in languages]
    survey_header += ["required", "relevant", "constraint"]
    survey_header += [language_header("constraint_message", code) for code in languages]
    survey_header += [language_header("required_message", code) for code in languages]
    survey_header += ["calculation", "default", "read_only", "appearance", "sensitive",
                      "audience", "htcds", "indicator"]
    survey = [survey_header]
    choice_header = ["list_name", "name"] + [language_header("label", c) for c in languages]
    choice_header += ["indicator"]
    choices = [choice_header]
    lists = dict(doc.get("choice_lists", {}))
    used_names = set(lists)

    def add_list(name, items):
        for item in items:
            row = {"list_name": name, "name": item["name"]}
            for code in languages:
                row[language_header("label", code)] = item.get("label", {}).get(code, "")
            if "indicator" in item:
                row["indicator"] = compact(item["indicator"])
            choices.append([row.get(h, "") for h in choice_header])

    for name, items in lists.items():
        add_list(name, items)

    def add_question(q):
        row = {"name": q["name"]}
        kind = q["type"]
        if kind in ("group", "repeat"):
            row["type"] = "begin " + kind
        elif kind in ("select_one", "select_multiple", "rank"):
            list_name = q["choices"]
            if not isinstance(list_name, str):
                list_name = q["name"]
                while list_name in used_names:
                    list_name += "_choices"
                used_names.add(list_name)
                add_list(list_name, q["choices"])
            row["type"] = "%s %s" % (kind, list_name)
        else:
            row["type"] = kind
        for base in text_columns:
            for code, text in q.get(base, {}).items():
                row[language_header(base, code)] = text
        for member in ("relevant", "constraint", "calculation", "appearance", "audience",
                       "htcds"):
            if member in q:
                row[member] = q[member]
        row["required"] = flag(q.get("required"))
        row["read_only"] = flag(q.get("read_only"))
        row["sensitive"] = flag(q.get("sensitive"))
        if "default" in q:
            value = q["default"]
            row["default"] = " ".join(value) if isinstance(value, list) else str(value)
        if "indicator" in q:
            row["indicator"] = compact(q["indicator"])
        survey.append([row.get(h, "") for h in survey_header])
        if kind in ("group", "repeat"):
            for child in q["children"]:
                add_question(child)
            survey.append(["end " + kind] + [""] * (len(survey_header) - 1))

    for q in doc["questions"]:
        add_question(q)

    settings_header = [language_header("form_title", c) for c in languages]
    settings_header += ["form_id", "version", "default_language", "child_when"]
    default = doc["default_language"]
    settings = [settings_header,
                [doc["title"].get(c, "") for c in languages]
                + [doc["id"], str(doc["version"]),
                   "%s (%s)" % (LANGUAGE_NAMES.get(default, default), default),
                   doc.get("child_when", "")]]

    sheets = [("survey", survey), ("choices", choices), ("settings", settings)]
    if "scoring" in doc:
        scoring = [["member", "json"]]
        for member, value in doc["scoring"].items():
            if member.startswith("_"):
                continue
            if member in SCORING_LISTS:
                scoring += [[member, compact(item)] for item in value]
            else:
                scoring.append([member, compact(value)])
        sheets.append(("scoring", scoring))
    notes = [["note"]]
    for member in ("_about", "_license"):
        if member in doc:
            notes.append([doc[member]])
    notes.append(["Generated from %s.json by core/forms/xlsform-from-json.py." % doc["id"]])
    sheets.append(("notes", notes))
    return sheets


def column_letters(index):
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def sheet_xml(rows):
    out = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n',
           '<worksheet xmlns="%s"><sheetData>' % MAIN_NS]
    for r, row in enumerate(rows, start=1):
        out.append('<row r="%d">' % r)
        for c, value in enumerate(row):
            if value == "":
                continue
            out.append('<c r="%s%d" t="inlineStr"><is><t xml:space="preserve">%s</t></is></c>'
                       % (column_letters(c), r, escape(value)))
        out.append("</row>")
    out.append("</sheetData></worksheet>")
    return "".join(out)


def write_xlsx(sheets, path):
    content_types = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                     '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                     '<Default Extension="rels" ContentType="application/'
                     'vnd.openxmlformats-package.relationships+xml"/>'
                     '<Default Extension="xml" ContentType="application/xml"/>'
                     '<Override PartName="/xl/workbook.xml" ContentType="application/'
                     'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>']
    book = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<workbook xmlns="%s" xmlns:r="%s"><sheets>' % (MAIN_NS, REL_NS)]
    rels = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="%s">' % PKG_REL_NS]
    parts = []
    for i, (name, rows) in enumerate(sheets, start=1):
        book.append('<sheet name="%s" sheetId="%d" r:id="rId%d"/>' % (name, i, i))
        rels.append('<Relationship Id="rId%d" Type="%s/worksheet" '
                    'Target="worksheets/sheet%d.xml"/>' % (i, REL_NS, i))
        content_types.append('<Override PartName="/xl/worksheets/sheet%d.xml" '
                             'ContentType="application/vnd.openxmlformats-officedocument.'
                             'spreadsheetml.worksheet+xml"/>' % i)
        parts.append(("xl/worksheets/sheet%d.xml" % i, sheet_xml(rows)))
    book.append("</sheets></workbook>")
    rels.append("</Relationships>")
    content_types.append("</Types>")
    root_rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                 '<Relationships xmlns="%s"><Relationship Id="rId1" '
                 'Type="%s/officeDocument" Target="xl/workbook.xml"/></Relationships>'
                 % (PKG_REL_NS, REL_NS))
    parts = [("[Content_Types].xml", "".join(content_types)), ("_rels/.rels", root_rels),
             ("xl/workbook.xml", "".join(book)),
             ("xl/_rels/workbook.xml.rels", "".join(rels))] + parts
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode("utf-8"))


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: xlsform-from-json.py FORM.json FORM.xlsx")
    with open(sys.argv[1], encoding="utf-8") as f:
        doc = json.load(f)
    write_xlsx(build_sheets(doc), sys.argv[2])


if __name__ == "__main__":
    main()
