"""Form pieces every app's pages share: an HTML5 date input and sectioned layout of long forms."""

from __future__ import annotations

from django import forms


class DateInput(forms.DateInput):
    """<input type="date"> with the ISO value browsers expect."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class FieldsetsMixin:
    """`fieldsets = [(title, [field names])]` lets the form template lay a long form out in sections."""

    fieldsets: list[tuple[str, list[str]]] = []

    def sections(self):
        if not self.fieldsets:
            return [("", [self[name] for name in self.fields if not self.fields[name].widget.is_hidden])]
        placed = {name for _title, names in self.fieldsets for name in names}
        out = [(title, [self[n] for n in names if n in self.fields]) for title, names in self.fieldsets]
        rest = [self[n] for n in self.fields if n not in placed and not self.fields[n].widget.is_hidden]
        if rest:
            out.append(("", rest))
        return [(title, fields) for title, fields in out if fields]
