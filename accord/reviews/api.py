"""The governance API: one router mounting the exclusions and actions endpoints."""

from ninja import Router

from .api_actions import router as actions_router
from .api_breaches import router as breaches_router
from .api_documents import router as documents_router
from .api_exclusions import router as exclusions_router
from .api_objectives import router as objectives_router
from .api_plans import router as plans_router
from .api_reviews import router as reviews_router
from .api_settings import router as settings_router

router = Router()
router.add_router("/", exclusions_router)
router.add_router("/", actions_router)
router.add_router("/", reviews_router)
router.add_router("/", plans_router)
router.add_router("/", breaches_router)
router.add_router("/", objectives_router)
router.add_router("/", documents_router)
router.add_router("/", settings_router)
