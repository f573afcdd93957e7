"""The governance API: one router mounting the exclusions and actions endpoints."""

from ninja import Router

from .api_actions import router as actions_router
from .api_exclusions import router as exclusions_router

router = Router()
router.add_router("/", exclusions_router)
router.add_router("/", actions_router)
