from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "accord.reviews"
    label = "reviews"
    verbose_name = "Reviews and actions"

    def ready(self):
        from accord.escalation.worker import register_step

        from . import scheduling, steps

        register_step(steps.follow_ups_to_actions)
        register_step(steps.repeated_breach_actions)
        register_step(steps.overdue_action_reminders)
        register_step(scheduling.schedule_reviews)
        register_step(scheduling.review_reminders)
