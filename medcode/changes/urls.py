from django.urls import path

from medcode.changes import views

app_name = "changes"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:diff_id>/", views.detail, name="detail"),
    path("code/<str:code>/", views.code_history, name="code"),
    path("feed/<slug:family>.atom", views.DatasetFeed(), name="feed"),
    path("watchlist/", views.watchlist, name="watchlist"),
    path("watchlist/add", views.watch, name="watch"),
    path("watchlist/remove", views.unwatch, name="unwatch"),
]
