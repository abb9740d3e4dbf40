from django.core.paginator import Paginator


class CappedPaginator(Paginator):
    """Pages through at most `cap` rows; past the cap a list says "more than".

    Counting every row of a million residents costs more than the page itself, and nobody
    pages that far: a search narrows the list down. So the count stops at the cap and needs no
    order (the database takes whichever way ends soonest), and each page reads only its own
    rows in order. Meant for a queryset of primary keys: the view then loads the rows of the
    one page it shows, with whatever they need to display.
    """

    def __init__(self, object_list, per_page, cap=1000, counted=None, **kwargs):
        """`counted`: another queryset with as many rows, cheaper to count, if there is one."""
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap
        counted = (object_list if counted is None else counted).order_by()[: cap + 1].count()
        self.is_capped = counted > cap
        self.count = min(counted, cap)
