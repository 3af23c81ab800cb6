"""Actor names and notes, reporting rounds and the classification's terms can be entered in each official
language of the OAS."""

from modeltranslation.translator import TranslationOptions, register

from .models import Actor, MeasureType, PopulationGroup, ReportingRound, SdgTarget, Theme


@register(Actor)
class ActorTranslation(TranslationOptions):
    fields = ("name", "notes")


@register(ReportingRound)
class ReportingRoundTranslation(TranslationOptions):
    fields = ("name", "request")


@register([Theme, PopulationGroup, MeasureType])
class TermTranslation(TranslationOptions):
    fields = ("name",)


@register(SdgTarget)
class SdgTargetTranslation(TranslationOptions):
    fields = ("title",)
