"""The one domain error, raised by every service when a rule refuses a change, and the one place it
becomes a message on a page (``error_to_form``). The API's one place is ``api.exceptions``."""
from __future__ import annotations

from django.core.exceptions import ValidationError

#: The ``code`` of a domain error that is not the person's doing: the server could not store what
#: they sent (a full disk, a storage error). Pages show the message beside the field; the API
#: answers 503 with ``Retry-After`` (``api.exceptions``).
STORAGE_UNAVAILABLE = "storage_unavailable"


class DomainError(Exception):
    """A domain rule refused the change; the message is for the person who tried it.

    ``code`` is a short machine-readable reason; ``field`` names the form field the message
    belongs beside, when there is one. ``errors`` holds every field's messages when a check found
    several at once (a model's validation); ``message`` and ``field`` are then the first of them.
    """

    def __init__(self, message, *, code: str = "invalid", field: str | None = None,
                 errors: dict[str | None, list] | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field
        self.errors = errors or {field: [message]}

    @classmethod
    def from_validation_error(cls, error: ValidationError, *, code: str = "invalid") -> DomainError:
        """The domain error for a model's ``full_clean()`` refusal, every field's messages kept."""
        if hasattr(error, "error_dict"):
            errors = {None if field == "__all__" else field: [m for e in found for m in e.messages]
                      for field, found in error.error_dict.items()}
        else:
            errors = {None: list(error.messages)}
        field, messages = next(iter(errors.items()))
        return cls(messages[0], code=code, field=field, errors=errors)


def error_to_form(form, error: DomainError, *, file_field: str = "attachments", file_errors: list | None = None) -> None:
    """Put a service's messages beside their fields (or on top of the form, for a field the form
    does not show); messages about the files go to ``file_errors`` when the page lists them apart."""
    for field, messages in error.errors.items():
        for message in messages:
            if field == file_field and file_errors is not None:
                file_errors.append(message)
            elif field and field in form.fields:
                form.add_error(field, ValidationError(message, code=error.code))
            else:
                form.add_error(None, ValidationError(message, code=error.code))
