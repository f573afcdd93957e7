"""A process of a shared what-if replay (``replay.replay_aggregates``), started by
``multiprocessing``'s spawn: this module imports no model, so the process can load it before
Django is set up, then ``start`` sets Django up on the parent's database (a test run's too)."""

import os


def start(db: dict) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
    import django

    django.setup()
    from django.conf import settings

    settings.DATABASES["default"].update(db)


def aggregate_chunks(args):
    from .replay import aggregate_chunks

    return aggregate_chunks(args)
