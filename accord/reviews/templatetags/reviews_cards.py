"""``{% load reviews_cards %}{% reviews_dashboard_cards %}``: the dashboard's "overdue
actions" and "reviews due" cards, self-contained (they read their own figures)."""

from django import template
from django.utils import timezone

from ..leadership import card_figures

register = template.Library()


@register.inclusion_tag("reviews/_dashboard_cards.html", takes_context=True)
def reviews_dashboard_cards(context):
    user = context["request"].user
    return {"user": user, **card_figures(user, timezone.now())}
