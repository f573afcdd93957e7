"""``accord review-pack REVIEW_ID --format pdf|xlsx [--output FILE]``: the review pack
(frozen figures, minutes, decisions, verdicts, actions raised, the period's feedback).
Default file: ``review-ID.pdf`` in the current directory."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accord.reviews.models import Review
from accord.reviews.pack import CONTENT_TYPES, render_pack


class Command(BaseCommand):
    help = "Write a review's pack as PDF or XLSX."

    def add_arguments(self, parser):
        parser.add_argument("review_id", help="the review's id")
        parser.add_argument("--format", default="pdf", choices=sorted(CONTENT_TYPES),
                            help="pdf (default) or xlsx")
        parser.add_argument("--output", help="file to write (default: review-ID.FORMAT)")

    def handle(self, *args, review_id=None, format="pdf", output=None, **options):
        if not str(review_id).isdigit():
            raise CommandError(f"REVIEW_ID must be a review's id (a number), got {review_id!r}")
        review = Review.objects.select_related("agreement").filter(pk=int(review_id)).first()
        if review is None:
            raise CommandError(f"no review {review_id}")
        path = Path(output or f"review-{review.pk}.{format}")
        path.write_bytes(render_pack(review, format, now=timezone.now()))
        self.stdout.write(f"wrote {path}")
