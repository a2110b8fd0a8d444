"""WTForms fields several areas use: a date typed the French way, an
amount in euros. Each keeps what was typed and gives its value in
``parsed``, by the rules of ``app.domain.values``."""

from wtforms import StringField
from wtforms.validators import ValidationError

from app.domain import values


class FrenchDateField(StringField):
    """A date typed « 15/09/2026 » (or ISO): ``parsed`` holds the date."""

    parsed = None

    def pre_validate(self, form):
        if self.data:
            self.parsed, error = values.date_value(self.data)
            if error:
                raise ValidationError(error)


class AmountField(StringField):
    """Euros typed the French way (« 1 234,50 »): ``parsed`` holds the Decimal."""

    parsed = None

    def pre_validate(self, form):
        if self.data:
            self.parsed, error = values.amount(self.data, min=0.01)
            if error:
                raise ValidationError(error)
