"""The classification as pages and the API show it: each recommendation's themes, population groups and
SDG targets, read for a whole list in one query."""

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import CharField, Count, F, Q, Value
from django.utils.translation import get_language

from ..kept import plain_rows
from ..links import page_url
from ..models import PopulationGroup, SdgTarget, Status, Theme
from ..rollup import RollUp, annotate_status_counts, rollup_of
from .common import current_recommendations

# The kinds of term a recommendation is classified under: the attribute each is shown as, the model,
# its key in addresses and the column of its name.
KINDS = {
    "themes": (Theme, "slug", "name"),
    "population_groups": (PopulationGroup, "slug", "name"),
    "sdg_targets": (SdgTarget, "number", "title"),
}


@dataclass(frozen=True)
class ShownTerm:
    """A term as a page shows it: its key (slug or SDG number), its name in the visitor's language
    (the English where it has none) and the page that lists its recommendations."""

    kind: str
    key: str
    name: str
    position: int = 0
    lang: str = "en"  # the language `name` is in: the English where it has no translation

    @property
    def url(self) -> str:
        if self.kind == "themes":
            return page_url("tracker:theme_detail", self.key)
        if self.kind == "sdg_targets":
            return page_url("tracker:sdg_detail", self.key)
        return page_url("tracker:recommendation_list") + f"?population={self.key}"


@dataclass
class Classified:
    themes: list[ShownTerm] = field(default_factory=list)
    population_groups: list[ShownTerm] = field(default_factory=list)
    sdg_targets: list[ShownTerm] = field(default_factory=list)

    def __bool__(self):
        return bool(self.themes or self.population_groups or self.sdg_targets)


def _shown_name(labels: dict, key: str) -> tuple[str, str]:
    language = get_language() or settings.LANGUAGE_CODE
    if labels.get(language):
        return labels[language], language
    return labels.get(settings.LANGUAGE_CODE) or key, settings.LANGUAGE_CODE


def attach_classification(recommendations) -> list:
    """Give each recommendation its `classified` terms (a `Classified`), in their order: one query for
    the whole list, whatever its length, by reading the three kinds of link together."""
    recommendations = list(recommendations)
    for recommendation in recommendations:
        recommendation.classified = Classified()
    if not recommendations:
        return recommendations
    by_pk = {recommendation.pk: recommendation for recommendation in recommendations}
    codes = [code for code, _label in settings.LANGUAGES]

    def build():
        selects = []
        for kind, (model, key, label) in KINDS.items():
            columns = {f"label_{code}": F(f"{label}_{code}") for code in codes}
            rows = (
                # Not rewritten by the translation layer, which would select the columns in its own order.
                model.objects.rewrite(False)
                .filter(classifications__recommendation__in=list(by_pk))
                .order_by()
                .annotate(
                    kind=Value(kind, output_field=CharField()),
                    recommendation_pk=F("classifications__recommendation"),
                    key=F(key),
                    place=F("position"),
                    **columns,
                )
            )
            selects.append(rows.values_list("kind", "recommendation_pk", "key", "place", *columns))
        first, *others = selects
        return first.union(*others, all=True)

    # Its SQL, a union of three reads, cost more to build than to run: kept per list of recommendations.
    rows = sorted(plain_rows(("classification", *by_pk), build), key=lambda row: (row[3], row[2]))
    for kind, recommendation_pk, key, place, *labels in rows:
        name, language = _shown_name(dict(zip(codes, labels, strict=True)), key)
        getattr(by_pk[recommendation_pk].classified, kind).append(ShownTerm(kind, key, name, place, language))
    return recommendations


def classified_numbers(term) -> set:
    """The numbers of the current forum's recommendations classified under a theme or SDG target."""
    link = "classification__themes" if isinstance(term, Theme) else "classification__sdg_targets"
    return set(current_recommendations().filter(**{link: term}).values_list("number", flat=True))


def term_page(term) -> dict:
    """A theme's or an SDG target's page: the current forum's recommendations classified under it, by
    number, each with its roll-up counted in SQL, and their roll-up together."""
    link = "classification__themes" if isinstance(term, Theme) else "classification__sdg_targets"
    recommendations = list(annotate_status_counts(current_recommendations().filter(**{link: term})).order_by("number"))
    for recommendation in recommendations:
        recommendation.rollup = rollup_of(recommendation)
    together = {status: sum(r.rollup.counts[status] for r in recommendations) for status in Status}
    return {"term": term, "recommendations": recommendations, "rollup": RollUp(counts=together)}


def classification_index() -> dict:
    """Every theme, population group and SDG target, in their order, each with how many of the current
    forum's recommendations are classified under it."""
    current = current_recommendations().values("pk")

    def counted(model):
        return list(
            model.objects.annotate(
                recommendation_count=Count(
                    "classifications", filter=Q(classifications__recommendation__in=current), distinct=True
                )
            )
        )

    return {
        "themes": counted(Theme),
        "population_groups": counted(PopulationGroup),
        "sdg_targets": counted(SdgTarget),
    }
