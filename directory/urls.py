from django.urls import path

from . import views

app_name = "directory"

urlpatterns = [
    path("", views.home, name="home"),
    path("o/<slug:slug>/", views.organization_detail, name="organization-detail"),
]
