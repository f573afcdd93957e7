"""``{% load durations %}``: ``{{ seconds|business_duration }}`` and ``|wall_duration``, the
one way business and wall-clock durations read on every page (``accord.lib.durations``)."""

from django import template

from accord.lib import durations

register = template.Library()


@register.filter
def business_duration(seconds, day_seconds=None):
    return durations.business_duration(seconds, day_seconds)


@register.filter
def wall_duration(seconds):
    return durations.wall_duration(seconds)
