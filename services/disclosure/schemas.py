"""What disclosure answers with: the views, kept beside the wire shapes in
services/common/shapes/disclosure_views.py, where the gateway's OpenAPI document reads them too."""
from services.common.shapes.disclosure_views import (  # noqa: F401
    AttachmentView, CatalogueEntryView, ItemView, MilestoneView, ObligationView, PlanView, PublicItemView, Transition)
