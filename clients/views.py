from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from .forms import ClientForm
from .models import Client


def edit(request, pk):
    """Change a resident's personal details or consultant; the history keeps the old values."""
    client = get_object_or_404(Client.objects.editable_by(request.user), pk=pk)
    form = ClientForm(
        request.POST if request.method == "POST" else None, instance=client, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The personal details are saved."))
        return redirect(client)
    return render(request, "clients/register.html", {"form": form, "client": client})
