"""A paginator whose count stops at a cap: a search that matches 50,000 customers is not counted to the end.

`CappedPaginator.count` is exact up to `settings.SEARCH_COUNT_CAP` (1,000); past it the count is the cap
and `capped` is true. A capped paginator still pages through every result in order: each page reads one
row more than it shows, so it knows whether a next page exists without counting. The count is one query
(`SELECT count(*) FROM (... LIMIT cap + 1)`), the page another.
"""
from __future__ import annotations

from functools import cached_property
from typing import Any

from django.conf import settings
from django.core.paginator import EmptyPage, InvalidPage, Page, PageNotAnInteger, Paginator

DEFAULT_COUNT_CAP = 1000


def count_cap() -> int:
    return getattr(settings, "SEARCH_COUNT_CAP", DEFAULT_COUNT_CAP)


class CappedPage(Page):
    """A page of a capped paginator: it knows from its own extra row whether another page follows."""

    def __init__(self, object_list: Any, number: int, paginator: CappedPaginator, more: bool) -> None:
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self) -> bool:
        return self.more


class CappedPaginator(Paginator):
    """`Paginator` counting at most `count_cap()` rows (`capped` says whether there were more)."""

    def __init__(self, object_list: Any, per_page: int, **kwargs: Any) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.cap = count_cap()

    @cached_property
    def count(self) -> int:
        first = self.object_list[: self.cap + 1]
        counted = len(first) if isinstance(first, (list, tuple)) else first.count()
        self._capped = counted > self.cap
        return min(counted, self.cap)

    @property
    def capped(self) -> bool:
        """Whether more rows match than the count says (counts first, if not counted yet)."""
        return self.count >= self.cap and self._capped

    def validate_number(self, number: Any) -> int:
        if self.capped:  # past the counted pages there may be more: the page itself says
            try:
                number = int(number)
            except (TypeError, ValueError) as error:
                raise PageNotAnInteger("That page number is not an integer") from error
            if number < 1:
                raise EmptyPage("That page number is less than 1")
            return number
        return super().validate_number(number)

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        if not self.capped:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom: bottom + self.per_page + 1])
        if not rows:
            raise EmptyPage("That page contains no results")
        return CappedPage(rows[: self.per_page], number, self, len(rows) > self.per_page)

    def get_page(self, number: Any) -> Page:
        try:
            return self.page(number)
        except PageNotAnInteger:
            return self.page(1)
        except (EmptyPage, InvalidPage):
            return self.page(self.num_pages) if self.num_pages else self.page(1)
