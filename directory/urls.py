from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views

app_name = "directory"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("search/export.<str:fmt>", views.search_export, name="search-export"),
    path("search/outreach.<str:fmt>", views.search_outreach, name="search-outreach"),
    path("search/calls.csv", views.search_calls, name="search-calls"),
    path("search/sheet/", views.search_sheet, name="search-sheet"),
    path("who-can-help/", views.who_can_help, name="who-can-help"),
    path("if-agents-come/", views.if_agents_come, name="if-agents-come"),
    path("share/qr.svg", views.share_qr, name="share-qr"),
    path("o/<slug:slug>/", views.organization_detail, name="organization-detail"),
    path("o/<slug:slug>/report/", views.report_problem, name="organization-report"),
    path("o/<slug:slug>/report/thanks/", views.report_thanks, name="report-thanks"),
    path(
        "o/<slug:slug>/events.ics", views.organization_events_feed, name="organization-events-feed"
    ),
    path("events/", views.event_list, name="events"),
    path("events/calendar.ics", views.events_feed, name="events-feed"),
    path("events/export.csv", views.events_export, name="events-export"),
    path("events/<uuid:pk>/", views.event_detail, name="event-detail"),
    path("events/<uuid:pk>/event.ics", views.event_ics, name="event-ics"),
    path("resources/", views.resource_list, name="resources"),
    path("resources/<slug:slug>/", views.resource_detail, name="resource-detail"),
    path("suggest/", views.suggest, name="suggest"),
    path("suggest/thanks/", views.suggest_thanks, name="suggest-thanks"),
    path("partners/", views.partner_listings, name="partner-listings"),
    path("partners/login/", views.PartnerLoginView.as_view(), name="partner-login"),
    path(
        "partners/logout/",
        auth_views.LogoutView.as_view(next_page=reverse_lazy("directory:home")),
        name="partner-logout",
    ),
]
