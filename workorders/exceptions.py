from core.errors import DomainError


class WorkOrderError(DomainError):
    """A domain rule refused the change; the message is for the person who tried it.

    ``field`` names the form field the message belongs beside, when there is one.
    """

    def __init__(self, message, *, code: str = "invalid", field: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field
