from core.errors import DomainError


class WorkOrderError(DomainError):
    """The domain error (``core.errors.DomainError``) as the work-order services raise it: the same
    message, code and field, mapped by the same two places (pages and the API)."""
