"""One access rule everywhere: walk the URLconf and ask every page that names an object, as
every role, for an object that role may not reach through it. Each answers 404 (a GET of a
POST-only action may answer 405, which says nothing either). A new view that forgets the rule
fails here without anyone adding a test for it."""

from datetime import date

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from partners.models import OrganisationKind
from trajectories.models import Action, Goal

from . import factories

# The Django admin has its own test (the admin's querysets keep the same rule, test_admin).
SKIPPED_NAMESPACES = {"admin"}
# The catalogue (provisions, partners) is open to every role by design; its pages are asked
# for an object that does not exist, so they still show they answer 404 and not an error.
CATALOGUE_KWARGS = {"provision_pk", "organisation_pk", "agreement_pk", "contact_pk", "kind"}
CATALOGUE_NAMESPACES = {"provisions", "partners"}
# Every kind of object a URL can name, and so what the matrix fills in.
KNOWN_KWARGS = {"pk", "placement_pk", "action_pk", "share_pk", "form_name"} | CATALOGUE_KWARGS
ROLES = ["consultant", "social_team_member", "manager", "administrator", "provider"]


def url_patterns(resolver=None, outer=frozenset(), namespace=None):
    """Every named pattern as (view name, the URL arguments it takes, its namespace)."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        taken = outer | set(pattern.pattern.converters)
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or namespace
            if inner in SKIPPED_NAMESPACES:
                continue
            yield from url_patterns(pattern, taken, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield name, taken, namespace


def object_patterns():
    """The patterns that name an object, once each (a name may serve several steps)."""
    seen = {}
    for name, kwargs, namespace in url_patterns():
        if kwargs:
            seen.setdefault((name, frozenset(kwargs)), namespace)
    return sorted(seen.items())


def fill_resolved(name, kwargs, objects):
    """The kwargs of a view name, filled to reverse() (steps share a name with defaults)."""
    return reverse(name, kwargs={key: objects[key] for key in kwargs})


def test_every_kind_of_object_in_a_url_is_known_to_the_matrix():
    unknown = {
        (name, key)
        for (name, kwargs), _ in object_patterns()
        for key in kwargs
        if key not in KNOWN_KWARGS
    }
    assert unknown == set(), "Add these URL arguments to the matrix in this file"


@pytest.fixture
def world(db, municipality, other_municipality, werkbedrijf, social_team, client_record):
    """Residents each role may or may not see, each with the records URLs can name."""
    unshared = factories.make_client(municipality, last_name="Nietgedeeld")
    other_team = factories.make_organisation(
        "Sociaal team Elders", OrganisationKind.SOCIAL_TEAM, [municipality]
    )
    factories.make_share(client_record, social_team, parts=["summary", "plan", "placements"])
    elsewhere = factories.make_client(other_municipality, last_name="Elders")
    for resident in (client_record, unshared, elsewhere):
        factories.make_full_cycle(resident, on=date(2026, 1, 5))
        goal = Goal.objects.create(plan=resident.plans.get(), description="Werkritme opdoen")
        Action.objects.create(goal=goal, description="Kennismaken bij de aanbieder")
    factories.make_share(client_record, social_team, parts=["summary", "plan", "placements"])
    factories.make_share(unshared, other_team, parts=["summary", "plan", "placements"])
    factories.make_share(elsewhere, other_team, parts=["summary"])
    return {"own": client_record, "unshared": unshared, "elsewhere": elsewhere}


def objects_of(resident, parent=None):
    """The URL arguments naming the resident (or the parent) and the resident's records."""
    return {
        "pk": (parent or resident).pk,
        "placement_pk": resident.placements.get().pk,
        "action_pk": Action.objects.get(goal__plan__client=resident).pk,
        "share_pk": resident.shares.get().pk,
        "form_name": "note",
        **dict.fromkeys(CATALOGUE_KWARGS, 987654),
    }


def hidden_cases(role, world):
    """(what is asked, URL arguments) that the role may not reach."""
    own = world["own"]
    cases = [
        # Someone else's records under a resident the role may see.
        ("records of another resident", objects_of(world["unshared"], parent=own)),
    ]
    if role == "consultant":
        cases.append(("a resident of a municipality not served", objects_of(world["elsewhere"])))
    if role == "provider":
        # A provider sees no case (test_providers: not even those placed with it).
        cases.append(("a resident of the region", objects_of(world["unshared"])))
        cases.append(("a resident of another municipality", objects_of(world["elsewhere"])))
    if role == "social_team_member":
        cases.append(("a resident shared with another team", objects_of(world["unshared"])))
        cases.append(("a resident of another municipality", objects_of(world["elsewhere"])))
    return cases


@pytest.mark.parametrize("role", ROLES)
def test_every_url_answers_404_for_an_object_the_role_may_not_reach(client, request, world, role):
    user = request.getfixturevalue(role)
    client.force_login(user)
    if role in ("manager", "administrator"):
        # They see every resident, once they said why (the own resident is not theirs).
        factories.give_reason(client, world["own"])
    failures = []
    for (name, kwargs), namespace in object_patterns():
        catalogue = namespace in CATALOGUE_NAMESPACES or kwargs <= CATALOGUE_KWARGS
        for what, objects in hidden_cases(role, world):
            if catalogue:
                objects = {**objects, "pk": 987654}
            elif kwargs - {"form_name"} == {"pk"} and what.startswith("records"):
                # Naming only the resident: nothing of someone else's to ask for.
                continue
            url = fill_resolved(name, kwargs, objects)
            got = client.get(url).status_code
            posted = client.post(url).status_code
            if got not in (404, 405) or posted != 404:
                failures.append(f"{name} ({what}): GET {got}, POST {posted}  {url}")
    assert failures == []


def test_the_matrix_reaches_the_pages_of_a_case(world):
    names = {name for (name, _kwargs), _ns in object_patterns()}
    # A sample: if the walk missed these it would prove nothing.
    assert {"trajectories:case", "trajectories:timeline", "trajectories:accept"} <= names
    assert {"trajectories:withdraw_share", "trajectories:save_draft"} <= names
