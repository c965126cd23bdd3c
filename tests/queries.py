"""Query counts that do not grow with the rows (issue 16, part 7), shared by the selector tests."""


def assert_constant(django_assert_num_queries, queries: int, make, read):
    """``read()`` costs ``queries`` with 2 rows made and again with 5 more."""
    make(2)
    with django_assert_num_queries(queries):
        read()
    make(5)
    with django_assert_num_queries(queries):
        read()
