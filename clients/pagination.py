from django.core.paginator import Paginator


class CappedPaginator(Paginator):
    """Pages through at most `cap` rows, read in one query; past the cap a list says "more than".

    Meant for a queryset of primary keys: counting every row of a million residents costs more
    than the page itself, and nobody pages that far: a search narrows the list down. The view
    then loads the rows of the one page it shows, with whatever they need to display.
    """

    def __init__(self, object_list, per_page, cap=1000, **kwargs):
        rows = list(object_list[: cap + 1])
        self.cap = cap
        self.is_capped = len(rows) > cap
        super().__init__(rows[:cap], per_page, **kwargs)
