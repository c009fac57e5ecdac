"""What every API endpoint shares: role permissions and pagination.

The error shape lives in `clinic.api_errors` (DRF imports these classes while it loads its views,
so this module must not import `rest_framework.views`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import DjangoModelPermissions

from clinic.ids import parse_public_id

if TYPE_CHECKING:  # a mixin for DRF's generic views; importing them here would be circular
    from rest_framework.generics import GenericAPIView

    _GenericView = GenericAPIView[Any]
else:
    _GenericView = object


class RoleModelPermissions(DjangoModelPermissions):
    """Model permissions of the user's role, reads included (DRF lets any reader GET)."""

    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
    }


class Pagination(PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100


class PublicIdLookupMixin(_GenericView):
    """Look objects up by their UUID; a malformed id is a 404, not a 400 or a 500."""

    lookup_field = "public_id"

    def get_object(self) -> Any:
        self.kwargs[self.lookup_field] = parse_public_id(self.kwargs[self.lookup_field])
        return super().get_object()


class ChangeOnPostPermissions(RoleModelPermissions):
    """For endpoints whose POST actions change an existing record (book, cancel, check in):
    they need the change permission, not the add permission."""

    perms_map = {
        **RoleModelPermissions.perms_map,
        "POST": ["%(app_label)s.change_%(model_name)s"],
    }
