"""The governance API: one router mounting the exclusions, actions, reviews ... endpoints."""

from ninja import Router

from .api_exclusions import router as exclusions_router

router = Router()
router.add_router("/", exclusions_router)
