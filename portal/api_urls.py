"""/api/v1/: every app's viewsets on one router."""

from rest_framework.routers import DefaultRouter

from positions.apis import PositionViewSet

router = DefaultRouter()
router.register("positions", PositionViewSet, basename="position")

urlpatterns = router.urls
