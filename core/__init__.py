"""The bottom layer: what every app uses (roles, paging, rate limit, client address, downloads,
admin mixins, the domain error type, the system account). Imports no app of the project; see
scripts/check_imports."""
