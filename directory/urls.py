from django.urls import path

from . import views

app_name = "directory"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("search/export.<str:fmt>", views.search_export, name="search-export"),
    path("search/sheet/", views.search_sheet, name="search-sheet"),
    path("who-can-help/", views.who_can_help, name="who-can-help"),
    path("o/<slug:slug>/", views.organization_detail, name="organization-detail"),
]
