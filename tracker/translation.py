"""Actor names and notes can be entered in each official language of the OAS."""

from modeltranslation.translator import TranslationOptions, register

from .models import Actor


@register(Actor)
class ActorTranslation(TranslationOptions):
    fields = ("name", "notes")
