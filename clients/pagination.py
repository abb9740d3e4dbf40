from django.core.paginator import Paginator


class CappedPaginator(Paginator):
    """Pages through at most `cap` rows; past the cap a list says "more than".

    Counting every row of a million residents costs more than the page itself, and nobody
    pages that far: a search narrows the list down. Meant for a queryset of primary keys: the
    view then loads the rows of the one page it shows, with whatever they need to display.

    Given `counted`, a queryset with as many rows that is cheaper to count (no order, its own
    indexes), the count stops at the cap there and each page reads only its own rows. Without
    it the first `cap` keys are read in one query: right for a search, whose few matches lie
    together in the name order, where reading the page alone would walk past all the others.
    """

    def __init__(self, object_list, per_page, cap=1000, counted=None, **kwargs):
        self.cap = cap
        if counted is None:
            rows = list(object_list[: cap + 1])
            self.is_capped = len(rows) > cap
            super().__init__(rows[:cap], per_page, **kwargs)
        else:
            super().__init__(object_list, per_page, **kwargs)
            total = counted.order_by()[: cap + 1].count()
            self.is_capped = total > cap
            self.count = min(total, cap)
