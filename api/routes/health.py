from __future__ import annotations

from fastapi import APIRouter

from api.deps import Service
from api.schemas import HealthResponse

router = APIRouter(prefix="/api", tags=["health"])


@router.get("/health", response_model=HealthResponse)
def health(service: Service) -> HealthResponse:
    """Status, counts, embedder, index type and data version."""
    return HealthResponse(**service.health())
