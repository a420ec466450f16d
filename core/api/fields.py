"""Marshmallow fields the sections share, so their forms, API and events read text alike."""
from __future__ import annotations

from marshmallow import fields


class Words(fields.String):
    """Free text: surrounding spaces dropped, one kind of line break, and blank text is no answer (None).

    Length and other rules apply to the words given; blank text has nothing to measure.
    """

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        # browsers send CRLF from a textarea: one kind of line break, so nothing looks changed that is not
        text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
        return text or None

    def _validate(self, value):
        if value is not None:
            super()._validate(value)
