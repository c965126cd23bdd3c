class DomainError(Exception):
    """A domain rule refused the change; the message is for the person who tried it.

    ``code`` is a short machine-readable reason; ``field`` names the form field the message
    belongs beside, when there is one. Pages and the API each map it to a message in one place.
    """

    def __init__(self, message, *, code: str = "invalid", field: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field
