"""The classification: its terms, kept by staff in every language, and each recommendation's themes,
population groups and SDG targets, written by one service that keeps their history."""

import pytest
import tablib
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from tests.factories import (
    ActionFactory,
    ActorFactory,
    MeasureTypeFactory,
    PopulationGroupFactory,
    RecommendationFactory,
    SdgTargetFactory,
    ThemeFactory,
)
from tracker import services
from tracker.admin.resources import ActionResource
from tracker.models import Action, RecommendationClassification, SdgTarget, Theme

pytestmark = pytest.mark.django_db


def test_classifying_a_recommendation_keeps_each_version_with_its_author(staff):
    recommendation = RecommendationFactory()
    remittances, labour = ThemeFactory(slug="remittances"), ThemeFactory(slug="labour-migration")
    children = PopulationGroupFactory(slug="children")
    target = SdgTargetFactory(number="10.7")
    services.recommendation_classify(
        recommendation=recommendation, by=staff, themes=[remittances], population_groups=[children]
    )
    classification = services.recommendation_classify(
        recommendation=recommendation, by=staff, themes=[remittances, labour], sdg_targets=[target]
    )
    assert RecommendationClassification.objects.get() == classification
    assert set(recommendation.classification.themes.all()) == {remittances, labour}
    # A kind of term not given is kept as it was.
    assert list(recommendation.classification.population_groups.all()) == [children]
    assert list(recommendation.classification.sdg_targets.all()) == [target]
    versions = classification.history.all()
    assert versions.count() >= 3
    assert {version.history_user for version in versions} == {staff}
    # The latest version holds the links as they are now.
    assert {link.theme for link in versions.first().themes.all()} == {remittances, labour}


def test_a_term_has_a_name_in_each_language_with_the_english_as_fallback(staff):
    theme = Theme(slug="integration", name_en="Integration", name_es="Integración", name_fr="Intégration")
    services.term_save(term=theme, by=staff)
    with translation.override("fr"):
        assert Theme.objects.get().name == "Intégration"
    with translation.override("pt"):
        assert Theme.objects.get().name == "Integration"
    assert theme.history.get().history_user == staff
    assert theme.history.get().name_es == "Integración"


@pytest.mark.parametrize("number", ["10", "10.", "18.1", "10.C", "x.7", "10.7.1", "0.1", "10.7\n"])
def test_an_sdg_target_number_not_written_as_the_un_does_is_refused(staff, number):
    with pytest.raises(ValidationError, match="as the UN does"):
        services.term_save(term=SdgTarget(number=number, title_en="A title"), by=staff)
    assert not SdgTarget.objects.exists()


@pytest.mark.parametrize("slug", ["Human rights!", "Remittances", "labour--migration", "-integration", "integration\n"])
def test_a_term_slug_is_lower_case_words_joined_by_hyphens(staff, slug):
    with pytest.raises(ValidationError):
        services.term_save(term=Theme(slug=slug, name_en="A theme"), by=staff)
    assert not Theme.objects.exists()


@pytest.mark.parametrize("code", ["MEX\n", "mex", "M", "-MEX"])
def test_an_actor_code_is_capitals_digits_and_hyphens_and_nothing_after(code):
    from tracker.validators import actor_code_validator

    with pytest.raises(ValidationError, match="capital letters"):
        actor_code_validator(code)
    actor_code_validator("OAS-GS")


def test_an_action_has_an_optional_type_of_measure(staff):
    legislation = MeasureTypeFactory(slug="legislation")
    action = ActionFactory()
    assert action.measure_type is None
    action.measure_type = legislation
    services.action_save(action=action, by=staff)
    assert Action.objects.get().measure_type == legislation
    assert action.history.first().measure_type == legislation


def _inline_management_forms():
    # The read-only inlines of the recommendation page still post their (empty) management forms.
    return {
        f"{prefix}-{field}": "0"
        for prefix in ["responsibilities", "Action_recommendations", "status_changes"]
        for field in ["TOTAL_FORMS", "INITIAL_FORMS"]
    }


def test_staff_classify_a_recommendation_on_its_admin_page(staff_client, staff):
    recommendation = RecommendationFactory()
    theme, group, target = ThemeFactory(name="Remittances"), PopulationGroupFactory(), SdgTargetFactory()
    url = reverse("admin:forum_recommendation_change", args=[recommendation.pk])
    assert "The secretariat&#x27;s classification" in staff_client.get(url).content.decode()
    response = staff_client.post(
        url,
        {
            "short_title_en": "A label",
            "themes": [theme.pk],
            "population_groups": [group.pk],
            "sdg_targets": [target.pk],
            "loaded_version": 1,
            **_inline_management_forms(),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    classification = RecommendationClassification.objects.get(recommendation=recommendation)
    assert list(classification.themes.all()) == [theme]
    assert list(classification.population_groups.all()) == [group]
    assert list(classification.sdg_targets.all()) == [target]
    assert classification.history.first().history_user == staff
    # The page shows what it holds now.
    page = staff_client.get(url).content.decode()
    assert f'<option value="{theme.pk}" selected>Remittances</option>' in page


@pytest.mark.parametrize(
    "model", ["theme", "populationgroup", "sdgtarget", "measuretype", "recommendationclassification"]
)
def test_committee_staff_keep_the_classification_in_the_admin(staff_client, model):
    services.recommendation_classify(recommendation=RecommendationFactory(), by=None, themes=[ThemeFactory()])
    PopulationGroupFactory(), SdgTargetFactory(), MeasureTypeFactory()
    assert staff_client.get(reverse(f"admin:tracker_{model}_changelist")).status_code == 200
    assert staff_client.get(reverse(f"admin:tracker_{model}_add")).status_code == 200
    obj = {
        "theme": Theme,
        "populationgroup": PopulationGroupFactory._meta.model,
        "sdgtarget": SdgTarget,
        "measuretype": MeasureTypeFactory._meta.model,
        "recommendationclassification": RecommendationClassification,
    }[model].objects.first()
    assert staff_client.get(reverse(f"admin:tracker_{model}_change", args=[obj.pk])).status_code == 200
    # Never deleted: recommendations and actions keep pointing at them.
    delete = staff_client.post(reverse(f"admin:tracker_{model}_delete", args=[obj.pk]), {"post": "yes"})
    assert delete.status_code == 403


def test_a_theme_added_in_the_admin_goes_through_the_service(staff_client, staff):
    response = staff_client.post(
        reverse("admin:tracker_theme_add"),
        {"name_en": "Remittances", "slug": "remittances", "position": 3, "name_es": "Remesas"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    theme = Theme.objects.get()
    assert (theme.name_en, theme.name_es) == ("Remittances", "Remesas")
    assert theme.history.get().history_user == staff


def test_the_classifications_history_is_shown_to_staff(staff_client, staff):
    classification = services.recommendation_classify(
        recommendation=RecommendationFactory(), by=staff, themes=[ThemeFactory(name="Remittances")]
    )
    url = reverse("admin:tracker_recommendationclassification_history", args=[classification.pk])
    response = staff_client.get(url)
    assert response.status_code == 200
    assert "staff" in response.content.decode()


def test_demo_actions_are_given_types_of_measure_when_there_are_some(db):
    call_command("load_record", verbosity=0)
    call_command("create_demo_data", actions=40, seed=1, verbosity=0)
    typed = Action.objects.filter(measure_type__isnull=False).count()
    assert 0 < typed < Action.objects.count()
    assert Action.history.filter(measure_type__isnull=False).exists()


def test_staff_narrow_the_recommendations_by_theme_in_the_admin(staff_client):
    theme = ThemeFactory(name="Remittances")
    classified = RecommendationFactory(short_title="On remittances")
    RecommendationFactory(short_title="Unrelated label")
    services.recommendation_classify(recommendation=classified, by=None, themes=[theme])
    url = reverse("admin:forum_recommendation_changelist")
    assert "Unrelated label" in staff_client.get(url).content.decode()
    body = staff_client.get(url + f"?classification__themes__id__exact={theme.pk}").content.decode()
    assert "On remittances" in body and "Unrelated label" not in body


def _import_actions(rows, *, user):
    dataset = tablib.Dataset(headers=rows[0])
    for row in rows[1:]:
        dataset.append(row)
    return ActionResource().import_data(
        dataset, dry_run=False, use_transactions=True, rollback_on_validation_errors=True, user=user
    )


IMPORT_HEADER = ["Actor code", "Recommendations", "Date taken", "Title", "Type of measure"]


def test_actions_import_their_type_of_measure_by_slug_and_an_unknown_one_refuses_the_file(staff):
    RecommendationFactory(number=1)
    ActorFactory(code="S00")
    legislation = MeasureTypeFactory(slug="legislation", name="Legislation")
    refused = _import_actions(
        [IMPORT_HEADER, ["S00", "1", "2024-05-02", "A law", "legislation"], ["S00", "1", "2024-05-03", "X", "prayer"]],
        user=staff,
    )
    assert [row.number for row in refused.invalid_rows] == [2]
    assert "There is no type of measure “prayer”." in refused.invalid_rows[0].error_dict["measure_type"]
    assert not Action.objects.exists()
    result = _import_actions([IMPORT_HEADER, ["S00", "1", "2024-05-02", "A law", "Legislation"]], user=staff)
    assert not result.has_validation_errors()
    assert Action.objects.get().measure_type == legislation


def test_an_action_import_without_the_column_keeps_the_type_of_measure(staff):
    budget = MeasureTypeFactory(slug="budget")
    action = ActionFactory(measure_type=budget, title="Old title")
    rows = [
        ["Action number", "Actor code", "Recommendations", "Date taken", "Title"],
        [str(action.pk), action.actor.code, str(action.recommendations.get().number), "2023-06-01", "New title"],
    ]
    assert not _import_actions(rows, user=staff).has_validation_errors()
    action.refresh_from_db()
    assert action.title == "New title" and action.measure_type == budget
