"""The forum's texts can be entered in each official language of the OAS.

The fixtures carry the official English. A translation entered by staff is never presented as the
forum's words: pages label it as a translation and name who provided it (`translation_credit`).
"""

from modeltranslation.translator import TranslationOptions, register

from .models import Comment, CommentSection, Forum, Panel, Recommendation


@register(Forum)
class ForumTranslation(TranslationOptions):
    fields = ("name", "place", "convening_body", "introduction", "translation_credit")


@register(Panel)
class PanelTranslation(TranslationOptions):
    fields = ("topic",)


@register(CommentSection)
class CommentSectionTranslation(TranslationOptions):
    fields = ("heading",)


@register(Comment)
class CommentTranslation(TranslationOptions):
    fields = ("text", "translation_credit")


@register(Recommendation)
class RecommendationTranslation(TranslationOptions):
    fields = ("text", "short_title", "translation_credit")
