"""Actor names and notes, and reporting rounds, can be entered in each official language of the OAS."""

from modeltranslation.translator import TranslationOptions, register

from .models import Actor, ReportingRound


@register(Actor)
class ActorTranslation(TranslationOptions):
    fields = ("name", "notes")


@register(ReportingRound)
class ReportingRoundTranslation(TranslationOptions):
    fields = ("name", "request")
