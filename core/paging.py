"""Paging without COUNT(*): fetch one row more than a page to know whether there is a next one.

For lists that can grow large (an enterprise's requests): the first pages cost the same whatever
the number of rows, where Django's Paginator counts every matching row on each page view.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Page:
    object_list: list
    number: int
    has_next: bool
    paginator: None = field(default=None)

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def page_of(queryset, number, size: int) -> Page:
    try:
        number = max(1, int(number))
    except (TypeError, ValueError):
        number = 1
    start = (number - 1) * size
    rows = list(queryset[start : start + size + 1])
    return Page(object_list=rows[:size], number=number, has_next=len(rows) > size)
