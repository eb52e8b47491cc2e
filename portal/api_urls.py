"""/api/v1/: every app's viewsets on one router."""

from rest_framework.routers import DefaultRouter

from positions.apis import PositionViewSet
from referrals.apis import HireViewSet, ObjectionViewSet, PublicityViewSet
from subsidies.apis import ClaimViewSet

router = DefaultRouter()
router.register("positions", PositionViewSet, basename="position")
router.register("hires", HireViewSet, basename="hire")
router.register("publicity", PublicityViewSet, basename="notice")
router.register("objections", ObjectionViewSet, basename="objection")
router.register("claims", ClaimViewSet, basename="claim")

urlpatterns = router.urls
